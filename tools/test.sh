#!/usr/bin/env bash
# The whole test suite, end-to-end tests with the real Pulumi CLI included, spread over
# pytest-xdist workers (tools/pytest-workers.sh; `-n 0` runs it in one process).
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash tools/setup.sh
export PATH="$repo/.venv/bin:$PATH"
exec python -m pytest -n "$(bash tools/pytest-workers.sh)" "$@"
