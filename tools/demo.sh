#!/usr/bin/env bash
# The main job: set up (first run builds the Pulumi CLI), start the CommServe emulator, run
# `pulumi up` of the root Pulumi.yaml program against it, and show the recorded jobs.
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash tools/setup.sh
source tools/pulumi-env.sh
exec python tools/demo.py "$@"
