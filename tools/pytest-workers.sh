#!/usr/bin/env bash
# How many pytest-xdist workers the suite runs on: PULUMI_COMMVAULT_TEST_WORKERS, else one
# more than the machine's cores. Most of a test's time is waiting (for a 1 s emulator job, for
# the pulumi CLI to start), so one worker more than the cores keeps them busy: on 2 cores the
# engine tests took 562 s on 3 workers against about 1,250 s in one process (2026-12-05).
set -euo pipefail
if [ -n "${PULUMI_COMMVAULT_TEST_WORKERS:-}" ]; then
    echo "$PULUMI_COMMVAULT_TEST_WORKERS"
else
    echo $(($(nproc) + 1))
fi
