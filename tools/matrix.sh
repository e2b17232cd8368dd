#!/usr/bin/env bash
# The test suite on the oldest supported dependency set (tools/oldest-constraints.txt:
# Pulumi SDK 3.200.0 and the floors of pyproject.toml's dependencies), engine tests included.
#
#   bash tools/matrix.sh               # the whole suite (about as long as the locked set)
#   bash tools/matrix.sh --core        # non-engine suite, then CORE_ENGINE_TESTS (about 8 min on 2 cores; CI)
#   bash tools/matrix.sh <pytest args> # exactly these, e.g. -m engine, or one test file
#
# tests/test_wheel_install.py is left out: it installs its own versions (tools/wheel_check.sh).
# The tests find their virtualenv and the Pulumi CLI at <repo>/.venv, so the oldest set gets
# a repo of its own: a copy of this source tree (tracked and untracked, not ignored files) in
# $PULUMI_COMMVAULT_OLDEST_DIR (default $CACHE/oldest/src), whose .venv is made by
# tools/setup.sh (locked set, CLI linked) and then downgraded to the oldest set. The copy is
# refreshed on each run; its .venv is kept, so a second run costs seconds of setup.
# CACHE is ${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}, as in tools/setup.sh.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
src=${PULUMI_COMMVAULT_OLDEST_DIR:-$cache/oldest/src}
constraints=tools/oldest-constraints.txt

# With --core: the engine tests that must hold on every supported SDK: the lifecycle, the
# language host, the SDK internals and their fallbacks (tests/test_sdk_internals.py), and the
# error paths and secrets, whose messages come through pulumi.dynamic's exception handling
# (docs/compatibility.md §8). Left to the locked set: bad input, examples, TLS (their
# SDK-facing parts, Check and Create, are the same in every supported SDK).
CORE_ENGINE_TESTS=(
    tests/test_engine_lifecycle.py
    tests/test_language_host.py
    tests/test_sdk_internals.py
    tests/test_engine_faults.py
    tests/test_engine_secrets.py
)

die() { printf 'matrix.sh: error: %s\n' "$*" >&2; exit 1; }

case $src in
    "$repo" | "$repo"/*) die "PULUMI_COMMVAULT_OLDEST_DIR must be outside the repo ($src)" ;;
esac

# --- 1. a copy of the source tree ------------------------------------------------------
# The folder is emptied on each run: refuse one that this script did not make.
marker="$src/.pulumi-commvault-oldest"
if [ -d "$src" ] && [ -n "$(ls -A "$src")" ] && [ ! -e "$marker" ]; then
    die "$src is not empty and was not made by tools/matrix.sh; choose another PULUMI_COMMVAULT_OLDEST_DIR"
fi
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name .venv ! -name .pulumi-commvault-oldest -exec rm -rf {} +
touch "$marker"
(
    cd "$repo"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -
) | tar -xf - -C "$src"
echo "matrix: source tree copied to $src"

# --- 2. its .venv: the locked set, the CLI, then the oldest set ------------------------
unset UV_PROJECT_ENVIRONMENT VIRTUAL_ENV
bash "$src/tools/setup.sh"
uv_version=$(sed -n 's/^required-version *= *"==\([0-9.]*\)".*/\1/p' "$src/pyproject.toml")
uv="$cache/uv-$uv_version/bin/uv"
python="$src/.venv/bin/python"
"$uv" pip install --quiet --python "$python" -r "$src/$constraints"
# Fail unless exactly the constrained versions are what the tests import.
"$python" - "$src/$constraints" <<'EOF'
import importlib.metadata
import sys

wanted = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if line:
        name, version = line.split("==")
        wanted[name] = version
found = {name: importlib.metadata.version(name) for name in wanted}
if found != wanted:
    sys.exit(f"matrix.sh: the oldest set did not install: wanted {wanted}, found {found}")
print("matrix: oldest set " + ", ".join(f"{n}=={v}" for n, v in found.items()))
EOF

# --- 3. the tests ----------------------------------------------------------------------
cd "$src"
export PATH="$src/.venv/bin:$PATH"
workers=$(bash tools/pytest-workers.sh)
if [ "$#" -gt 0 ] && [ "$1" != --core ]; then
    exec python -m pytest -n "$workers" "$@"
fi
if [ "$#" -eq 0 ]; then
    echo "matrix: the whole suite on the oldest set"
    exec python -m pytest -n "$workers" --ignore=tests/test_wheel_install.py
fi
echo "matrix: non-engine suite on the oldest set"
status=0
python -m pytest -n "$workers" -m "not engine" --ignore=tests/test_wheel_install.py || status=1
selected=()
for t in "${CORE_ENGINE_TESTS[@]}"; do
    [ -e "$t" ] && selected+=("$t")
done
echo "matrix: core engine tests on the oldest set: ${selected[*]}"
python -m pytest -n "$workers" "${selected[@]}" || status=1
exit "$status"
