#!/usr/bin/env bash
# Build Pulumi's YAML language host from the Go module proxy into a per-version cache outside
# the clone, as tools/pulumi-cli/build.sh does for the CLI:
#
#   ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}/pulumi-language-yaml-v<VERSION>/bin/
#       pulumi-language-yaml   built from github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
#
# The version is the one go.mod pins for github.com/pulumi/pulumi-yaml (one place); go.mod keeps
# the Pulumi modules that release requires (pkg/v3 v3.206.0), it builds as released.
# A second run with a complete cache does nothing. Prints the bin directory on stdout (last
# line); progress goes to stderr. A cold build takes about 3 minutes on 2 cores.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'pulumi-yaml/build.sh: %s\n' "$*" >&2; }
die() { printf 'pulumi-yaml/build.sh: error: %s\n' "$*" >&2; exit 1; }

module=github.com/pulumi/pulumi-yaml
version=$(awk -v m="$module" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' \
          "$here/go.mod")
[ -n "$version" ] || die "cannot read the $module version from $here/go.mod"

cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
bin="$cache/pulumi-language-yaml-$version/bin"
host="$bin/pulumi-language-yaml"
stamp="$bin/.version"  # the host has no --version flag; the stamp says what was built

if [ -x "$host" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    log "pulumi-language-yaml $version already built in $bin"
    printf '%s\n' "$bin"
    exit 0
fi

go=${GO:-}
if [ -z "$go" ]; then
    go=$(command -v go || true)
    [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
fi
[ -n "$go" ] && [ -x "$go" ] || die "Go is not installed (no 'go' on PATH, nor /usr/local/go/bin/go).
  Building pulumi-language-yaml $version needs Go >= 1.26 and the Go module proxy."

cd "$here"
# The committed go.sum is authoritative: never edit go.mod/go.sum while building.
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
mkdir -p "$bin"
tmp=$(mktemp -d "$cache/.build-yaml.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "building pulumi-language-yaml $version with $("$go" version) (a cold build takes minutes)"
start=$(date +%s)
"$go" build -trimpath -ldflags "-s -w -X $module/pkg/version.Version=$version" \
    -o "$tmp/pulumi-language-yaml" "$module/cmd/pulumi-language-yaml"
mv -f "$tmp/pulumi-language-yaml" "$host"
printf '%s\n' "$version" >"$stamp"
log "built pulumi-language-yaml in $(( $(date +%s) - start ))s"
printf '%s\n' "$bin"
