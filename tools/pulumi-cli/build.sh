#!/usr/bin/env bash
# Build the Pulumi CLI from Pulumi's Go modules (get.pulumi.com is not needed) into a
# per-version cache outside the clone:
#
#   ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}/pulumi-v<VERSION>/bin/
#       pulumi                        built from github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#       pulumi-language-python-exec   copied from the sdk/v3 module (python/cmd/)
#       pulumi-resource-pulumi-python copied from tools/pulumi-resource-pulumi-python
#       pulumi-language-python,       copied from tools/pulumi-language-python/ (our language host
#       language_host.py              in Python)
#   The copies of this repo's files are refreshed on every run; they are not Pulumi's.
#
# The version is the one go.mod pins for github.com/pulumi/pulumi/pkg/v3 (one place).
# A second run with a complete cache does nothing. Prints the bin directory on stdout
# (last line); progress goes to stderr.
#
# Pulumi's Go pulumi-language-python is NOT built: its Go module has no release tags and the
# module proxy refuses it, see docs/pulumi-engine-notes.md. Ours takes its place; it sits next to
# pulumi (not only on PATH) because the engine warns about a bundled plugin found elsewhere.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }
               $1 == "require" && $2 == "github.com/pulumi/pulumi/pkg/v3" { print $3; exit }' \
          "$here/go.mod")
[ -n "$version" ] || die "cannot read the github.com/pulumi/pulumi/pkg/v3 version from $here/go.mod"

cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
bin="$cache/pulumi-$version/bin"

complete() {
    [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-python-exec" ] &&
        [ "$("$bin/pulumi" version 2>/dev/null)" = "$version" ]
}

sync_file() { # sync_file <source> <mode>: copy into $bin when it differs
    local name
    name=$(basename -- "$1")
    if ! cmp -s "$1" "$bin/$name"; then
        mkdir -p "$bin"
        install -m "$2" "$1" "$bin/.$name.tmp"
        mv -f "$bin/.$name.tmp" "$bin/$name"
    fi
}
sync_ours() {
    sync_file "$here/../pulumi-resource-pulumi-python" 0755
    sync_file "$here/../pulumi-language-python/language_host.py" 0644
    sync_file "$here/../pulumi-language-python/plugins.py" 0644
    sync_file "$here/../pulumi-language-python/pulumi-language-python" 0755
}

if complete; then
    sync_ours
    log "pulumi $version already built in $bin"
    printf '%s\n' "$bin"
    exit 0
fi

go=${GO:-}
if [ -z "$go" ]; then
    go=$(command -v go || true)
    [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
fi
[ -n "${GO:-}" ] && [ ! -x "$go" ] && die "GO=$GO is not an executable"
[ -n "$go" ] && [ -x "$go" ] || die "Go is not installed (no 'go' on PATH, nor /usr/local/go/bin/go).
  Building the Pulumi CLI $version needs Go >= 1.26 and the Go module proxy.
  Install Go >= 1.26, or put a pulumi >= 3.181 on PATH and use that."

cd "$here"
# The committed go.sum is authoritative: never edit go.mod/go.sum while building.
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"

mkdir -p "$bin"
tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "$version" ]; then
    log "pulumi $version already built"
else
    log "building pulumi $version with $("$go" version) (a cold build takes a long while)"
    start=$(date +%s)
    "$go" build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
        -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    got=$("$tmp/pulumi" version)
    [ "$got" = "$version" ] || die "built pulumi reports version '$got', expected '$version'"
    mv -f "$tmp/pulumi" "$bin/pulumi"
    log "built pulumi in $(( $(date +%s) - start ))s"
fi

# pulumi-language-python-exec is a Python script that lives in the sdk/v3 module tree.
sdkdir=$("$go" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
if [ -z "$sdkdir" ] || [ ! -d "$sdkdir" ]; then
    "$go" mod download github.com/pulumi/pulumi/sdk/v3
    sdkdir=$("$go" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
fi
exec_src="$sdkdir/python/cmd/pulumi-language-python-exec"
[ -f "$exec_src" ] || die "$exec_src not found in the module cache"
cp "$exec_src" "$tmp/pulumi-language-python-exec"
chmod 0755 "$tmp/pulumi-language-python-exec"
mv -f "$tmp/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"

sync_ours
complete || die "the build in $bin is incomplete"
log "pulumi $version ready in $bin"
printf '%s\n' "$bin"
