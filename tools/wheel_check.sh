#!/usr/bin/env bash
# Test what users install: `uv build` the sdist and, from it, the wheel into a clean folder,
# then run tests/test_packaging.py (the wheel's contents and metadata) and
# tests/test_wheel_install.py (pip installs the wheel into a fresh virtualenv beside
# pulumi==3.200.0 and pydantic==2.14.4, then preview, up, no-op up, trigger change, refresh
# and destroy through the real CLI against the emulator from the wheel's console script).
#
#   bash tools/wheel_check.sh [pytest args]    # needs tools/setup.sh's .venv and CLI; PyPI
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash tools/setup.sh >/dev/null
export PATH="$repo/.venv/bin:$PATH"
cache=${PULUMI_COMMVAULT_CACHE:-$HOME/.cache/pulumi-commvault}
uv_version=$(sed -n 's/^required-version *= *"==\([0-9.]*\)".*/\1/p' pyproject.toml)
out=$(mktemp -d "${TMPDIR:-/tmp}/pulumi-commvault-dist.XXXXXX")
trap 'rm -rf "$out"' EXIT
UV_PYTHON_DOWNLOADS=never "$cache/uv-$uv_version/bin/uv" build --quiet \
    --python "$repo/.venv/bin/python" --out-dir "$out"
echo "wheel_check: built $(cd "$out" && ls pulumi_commvault-*)"
PULUMI_COMMVAULT_DIST=$out python -m pytest tests/test_packaging.py tests/test_wheel_install.py "$@"
