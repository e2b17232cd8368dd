"""The demo: `pulumi up` of the root Pulumi.yaml program against the embedded emulator.

Run it through ``bash tools/demo.sh``, which sets up the tools and the environment
(``tools/pulumi-env.sh``: local file backend and passphrase inside the repository). It
starts the emulator, points the ``demo`` stack at it, runs the real ``pulumi up``, prints
the task id, job ids and job statuses from the stack outputs, checks them against the
emulator, and stops the emulator.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from commvault_emulator.process import EmulatorProcess
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME

REPO = Path(__file__).resolve().parent.parent
STACK = "demo"
DEMO_USER = (DEMO_USERNAME, DEMO_PASSWORD)


def pulumi(*args: str, capture: bool = False) -> str:
    """Run the pulumi CLI in the repository; its output, or on failure exit with its code."""
    done = subprocess.run(
        ["pulumi", *args, "--non-interactive"],
        cwd=REPO,
        text=True,
        check=False,
        stdout=subprocess.PIPE if capture else None,
    )
    if done.returncode != 0:
        sys.exit(f"demo: `pulumi {' '.join(args)}` failed with exit code {done.returncode}")
    return done.stdout or ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--job-seconds",
        type=float,
        default=3.0,
        help="how long each emulated backup runs (default 3)",
    )
    args = parser.parse_args()
    for var in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        if var not in os.environ:
            sys.exit(f"demo: {var} is not set; run the demo as `bash tools/demo.sh`")

    with EmulatorProcess(
        job_seconds=args.job_seconds, username=DEMO_USER[0], password=DEMO_USER[1]
    ) as emulator:
        print(f"demo: CommServe emulator listening at {emulator.url}", flush=True)
        pulumi("stack", "select", "--create", STACK)
        change = f"change-{time.strftime('%Y%m%d-%H%M%S')}"
        pulumi("config", "set", "commvault:url", emulator.url)
        pulumi("config", "set", "commvault:username", DEMO_USER[0])
        pulumi("config", "set", "--secret", "commvault:password", DEMO_USER[1])
        pulumi("config", "set", "demo:change", change)
        print(
            f"demo: pulumi up of stack {STACK!r}, taking a restore point before {change}",
            flush=True,
        )
        started = time.monotonic()
        pulumi("up", "--yes", "--color", "never")
        elapsed = time.monotonic() - started
        outputs = json.loads(pulumi("stack", "output", "--json", capture=True))
        confirmed = {str(job["jobId"]): job["status"] for job in emulator.control.jobs()}

    print(f"\ndemo: pulumi up took {elapsed:.1f} s")
    print(f"  task id: {outputs['task_id']}")
    print(f"  job ids: {', '.join(outputs['job_ids'])}")
    unconfirmed = []
    for job_id, status in outputs["job_statuses"].items():
        ok = confirmed.get(job_id) == status
        unconfirmed += [] if ok else [job_id]
        print(
            f"  job {job_id}: {status} ({'confirmed' if ok else 'NOT confirmed'} by the emulator)"
        )
    if unconfirmed:
        print(f"demo: the emulator does not confirm jobs {unconfirmed}", file=sys.stderr)
        return 1
    print("\nThe emulator has stopped; README.md, 'Try it by hand', shows how to go on.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
