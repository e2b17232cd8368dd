# What the Go builds share: sourced (not run) by tools/pulumi-cli/build.sh,
# tools/pulumi-yaml/build.sh and tools/sdkgen/build.sh after `set -euo pipefail`.
#
#   go_build_init <label> <here>   log/die with "<label>: " and $cache (the cache root)
#   go_mod_version <go.mod> <module>   the version go.mod pins for <module> ("" when none)
#   go_build_cached <bin> <what>   says <what> is already built, prints <bin>, exits 0
#   go_find <what it builds> [hint]  sets $go: $GO, `go` on PATH or /usr/local/go/bin/go
#   go_build_start <bin> <tmp name>  cd <here>, go.sum read-only, $tmp (removed on exit), $start
#   go_build_done <what>           logs the time since go_build_start, prints $bin
#
# Every cache directory stays where each build.sh says (keyed by its version); CI caches them.

go_build_init() {
    go_build_label=$1
    go_build_here=$2
    cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
}
log() { printf '%s: %s\n' "$go_build_label" "$*" >&2; }
die() { printf '%s: error: %s\n' "$go_build_label" "$*" >&2; exit 1; }

go_mod_version() {
    awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1"
}

go_build_cached() {
    log "$2 already built in $1"
    printf '%s\n' "$1"
    exit 0
}

go_find() {
    go=${GO:-}
    if [ -z "$go" ]; then
        go=$(command -v go || true)
        [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
    fi
    local where="no 'go' on PATH, nor /usr/local/go/bin/go"
    [ -n "${GO:-}" ] && where="GO=$GO is not an executable"
    [ -n "$go" ] && [ -x "$go" ] || die "Go is not installed ($where).
  Building $1 needs Go >= 1.26 and the Go module proxy.${2:+
  $2}"
}

go_build_start() {
    go_build_bin=$1
    cd "$go_build_here"
    # The committed go.sum is authoritative: never edit go.mod/go.sum while building.
    export GOFLAGS="${GOFLAGS:-} -mod=readonly"
    mkdir -p "$go_build_bin"
    tmp=$(mktemp -d "$cache/$2.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    start=$(date +%s)
}

go_build_done() {
    log "built $1 in $(($(date +%s) - start))s"
    printf '%s\n' "$go_build_bin"
}
