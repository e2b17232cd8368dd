#!/usr/bin/env bash
# Install what the generated TypeScript SDK is type-checked against (nodejs/package.json,
# exact versions in nodejs/package-lock.json: @pulumi/pulumi, typescript, @types/node) with
# `npm ci` into a cache outside the clone, keyed by the lock file:
#
#   ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}/sdk-nodejs-<HASH>/node_modules/
#
# A second run with a complete cache does nothing. Prints the node_modules directory on stdout
# (last line); progress goes to stderr.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/nodejs" && pwd)
log() { printf 'sdkgen/node-deps.sh: %s\n' "$*" >&2; }
die() { printf 'sdkgen/node-deps.sh: error: %s\n' "$*" >&2; exit 1; }

hash=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-12)
cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
dest="$cache/sdk-nodejs-$hash"
if [ -x "$dest/node_modules/.bin/tsc" ]; then
    log "node modules already installed in $dest"
    printf '%s\n' "$dest/node_modules"
    exit 0
fi

command -v npm >/dev/null || die "npm is not installed: the TypeScript SDK check needs Node.js and npm"
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.sdk-nodejs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
log "npm ci into $dest"
start=$(date +%s)
# @pulumi/pulumi declares node >= 22; only its type declarations are used here.
(cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
rm -rf "$dest"
mv "$tmp" "$dest"
log "installed in $(( $(date +%s) - start ))s"
printf '%s\n' "$dest/node_modules"
