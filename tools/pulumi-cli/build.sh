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
# shellcheck source=tools/go-build.sh
. "$here/../go-build.sh"
go_build_init build.sh "$here"

version=$(go_mod_version "$here/go.mod" github.com/pulumi/pulumi/pkg/v3)
[ -n "$version" ] || die "cannot read the github.com/pulumi/pulumi/pkg/v3 version from $here/go.mod"

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
    go_build_cached "$bin" "pulumi $version"
fi

go_find "the Pulumi CLI $version" "Install Go >= 1.26, or put a pulumi >= 3.181 on PATH and use that."
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
go_build_start "$bin" .build

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
