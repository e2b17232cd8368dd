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
# shellcheck source=tools/go-build.sh
. "$here/../go-build.sh"
go_build_init pulumi-yaml/build.sh "$here"

module=github.com/pulumi/pulumi-yaml
version=$(go_mod_version "$here/go.mod" "$module")
[ -n "$version" ] || die "cannot read the $module version from $here/go.mod"

bin="$cache/pulumi-language-yaml-$version/bin"
host="$bin/pulumi-language-yaml"
stamp="$bin/.version"  # the host has no --version flag; the stamp says what was built

if [ -x "$host" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    go_build_cached "$bin" "pulumi-language-yaml $version"
fi

go_find "pulumi-language-yaml $version"
go_build_start "$bin" .build-yaml
log "building pulumi-language-yaml $version with $("$go" version) (a cold build takes minutes)"
"$go" build -trimpath -ldflags "-s -w -X $module/pkg/version.Version=$version" \
    -o "$tmp/pulumi-language-yaml" "$module/cmd/pulumi-language-yaml"
mv -f "$tmp/pulumi-language-yaml" "$host"
printf '%s\n' "$version" >"$stamp"
go_build_done pulumi-language-yaml
