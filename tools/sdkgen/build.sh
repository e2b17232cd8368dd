#!/usr/bin/env bash
# Build sdkgen (Pulumi's SDK codegen for a schema) into a cache outside the clone:
#
#   ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}/sdkgen-<VERSION>-<HASH>/bin/
#       sdkgen          nodejs and go, from this module (main.go, sdkgen.go)
#       sdkgen-dotnet   dotnet, from dotnet/ (pkg/v3 v3.206.0, see dotnet/main.go)
#
# VERSION is the github.com/pulumi/pulumi/pkg/v3 version go.mod pins, the same as
# tools/pulumi-cli/go.mod's, so the two share the module cache; HASH is of the sources here,
# so a change builds anew. A second run with a complete cache does nothing.
# Prints the bin directory on stdout (last line); progress goes to stderr.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'sdkgen/build.sh: %s\n' "$*" >&2; }
die() { printf 'sdkgen/build.sh: error: %s\n' "$*" >&2; exit 1; }

pkg=github.com/pulumi/pulumi/pkg/v3
version=$(awk -v m="$pkg" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' \
          "$here/go.mod")
[ -n "$version" ] || die "cannot read the $pkg version from $here/go.mod"
cli_version=$(awk -v m="$pkg" '$1 == "require" && $2 == m { print $3; exit }' "$here/../pulumi-cli/go.mod")
[ "$version" = "$cli_version" ] ||
    die "go.mod pins $pkg $version, tools/pulumi-cli/go.mod $cli_version: keep them equal"
sources=(main.go sdkgen.go go.mod go.sum dotnet/main.go dotnet/go.mod dotnet/go.sum dotnet/logo.png)
hash=$(cd "$here" && cat "${sources[@]}" | sha256sum | cut -c1-12)

cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
bin="$cache/sdkgen-$version-$hash/bin"
if [ -x "$bin/sdkgen" ] && [ -x "$bin/sdkgen-dotnet" ]; then
    log "sdkgen ($pkg $version) already built in $bin"
    printf '%s\n' "$bin"
    exit 0
fi

go=${GO:-}
if [ -z "$go" ]; then
    go=$(command -v go || true)
    [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
fi
[ -n "$go" ] && [ -x "$go" ] || die "Go is not installed (no 'go' on PATH, nor /usr/local/go/bin/go).
  Building sdkgen needs Go >= 1.26 and the Go module proxy."

cd "$here"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
mkdir -p "$bin"
tmp=$(mktemp -d "$cache/.build-sdkgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "building sdkgen against $pkg $version with $("$go" version)"
start=$(date +%s)
"$go" build -trimpath -ldflags "-s -w" -o "$tmp/sdkgen" .
(cd dotnet && "$go" build -trimpath -ldflags "-s -w" -o "$tmp/sdkgen-dotnet" .)
mv -f "$tmp/sdkgen" "$tmp/sdkgen-dotnet" "$bin/"
log "built sdkgen in $(( $(date +%s) - start ))s"
printf '%s\n' "$bin"
