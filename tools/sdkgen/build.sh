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
# shellcheck source=tools/go-build.sh
. "$here/../go-build.sh"
go_build_init sdkgen/build.sh "$here"

pkg=github.com/pulumi/pulumi/pkg/v3
version=$(go_mod_version "$here/go.mod" "$pkg")
[ -n "$version" ] || die "cannot read the $pkg version from $here/go.mod"
cli_version=$(awk -v m="$pkg" '$1 == "require" && $2 == m { print $3; exit }' "$here/../pulumi-cli/go.mod")
[ "$version" = "$cli_version" ] ||
    die "go.mod pins $pkg $version, tools/pulumi-cli/go.mod $cli_version: keep them equal"
sources=(main.go sdkgen.go go.mod go.sum dotnet/main.go dotnet/go.mod dotnet/go.sum dotnet/logo.png)
hash=$(cd "$here" && cat "${sources[@]}" | sha256sum | cut -c1-12)
bin="$cache/sdkgen-$version-$hash/bin"
if [ -x "$bin/sdkgen" ] && [ -x "$bin/sdkgen-dotnet" ]; then
    go_build_cached "$bin" "sdkgen ($pkg $version)"
fi

go_find sdkgen
go_build_start "$bin" .build-sdkgen
log "building sdkgen against $pkg $version with $("$go" version)"
"$go" build -trimpath -ldflags "-s -w" -o "$tmp/sdkgen" .
(cd dotnet && "$go" build -trimpath -ldflags "-s -w" -o "$tmp/sdkgen-dotnet" .)
mv -f "$tmp/sdkgen" "$tmp/sdkgen-dotnet" "$bin/"
go_build_done sdkgen
