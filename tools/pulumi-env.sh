# Source this file to run `pulumi` by hand on this repository's demo stack:
#   source tools/pulumi-env.sh
# State stays inside the repository (a local file backend under .pulumi-state/, ignored by
# git), encrypted with a passphrase kept in .pulumi-passphrase (also ignored by git).
_repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]:-$0}")/.." && pwd)
export PATH="$_repo/.venv/bin:$PATH"
export PULUMI_BACKEND_URL="file://$_repo/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE_FILE="$_repo/.pulumi-passphrase"
export PULUMI_HOME="$_repo/.pulumi-state/home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$_repo/.pulumi-state"
if [ ! -s "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 > "$PULUMI_CONFIG_PASSPHRASE_FILE")
fi
unset _repo
