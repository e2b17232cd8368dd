#!/usr/bin/env bash
# Build the plugin archive a non-Python program installs the provider plugin from:
#   pulumi-resource-commvault-v<version>-linux-amd64.tar.gz
# holding the launcher `pulumi-resource-commvault` and, in lib/, the package (from its wheel)
# with its runtime dependencies as the lock pins them, for this machine's CPython version
# (the launcher runs that python3.X; PULUMI_COMMVAULT_PYTHON overrides it).
#
#   bash tools/plugin-archive.sh [out dir]      # prints the archive's path last
#   pulumi plugin install resource commvault <version> --file <archive>
#
# Needs tools/setup.sh's .venv and uv; installs from uv's cache (the network only for a
# package the cache lacks).
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
uv_version=$(sed -n 's/^required-version *= *"==\([0-9.]*\)".*/\1/p' pyproject.toml)
uv="$cache/uv-$uv_version/bin/uv"
python="$repo/.venv/bin/python"
[ -x "$uv" ] && [ -x "$python" ] || { echo "plugin-archive.sh: run tools/setup.sh first" >&2; exit 1; }
version=$("$python" -c 'from pulumi_commvault._version import __version__; print(__version__)')
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

work=$(mktemp -d "${TMPDIR:-/tmp}/plugin-archive.XXXXXX")
trap 'rm -rf "$work"' EXIT
export UV_PYTHON_DOWNLOADS=never
"$uv" build --quiet --wheel --python "$python" --out-dir "$work/dist"
"$uv" export --quiet --frozen --no-dev --no-hashes --no-emit-project -o "$work/requirements.txt"
"$uv" pip install --quiet --python "$python" --target "$work/stage/lib" \
    -r "$work/requirements.txt" "$work"/dist/pulumi_commvault-*.whl
rm -rf "$work/stage/lib/bin"  # console scripts with this machine's paths: the launcher replaces them
cat >"$work/stage/pulumi-resource-commvault" <<LAUNCHER
#!/bin/sh
# The Commvault provider plugin $version: the package and its dependencies are in lib/.
here=\$(cd -- "\$(dirname -- "\$0")" && pwd)
PYTHONPATH="\$here/lib" exec "\${PULUMI_COMMVAULT_PYTHON:-python$py_version}" -m pulumi_commvault.plugin "\$@"
LAUNCHER
chmod 0755 "$work/stage/pulumi-resource-commvault"
archive="$out/pulumi-resource-commvault-v$version-linux-amd64.tar.gz"
tar -czf "$archive" -C "$work/stage" .
echo "$archive"
