"""The demo: `pulumi up` of the root Pulumi.yaml program against the embedded emulator.

Run through ``bash tools/demo.sh``, which sets up the environment (``tools/pulumi-env.sh``).
The program file is the root ``__main__.py``; it runs through Pulumi's Automation API
because the Python language host cannot be built from Pulumi's published Go modules here
(see README, "The Pulumi CLI").
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import time
from pathlib import Path

from pulumi import automation as auto

from commvault_emulator.process import EmulatorProcess

REPO = Path(__file__).resolve().parent.parent
STACK = "demo"


def run_program() -> None:
    runpy.run_path(str(REPO / "__main__.py"), run_name="__main__")


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
            sys.exit(f"demo: {var} is not set; run it as `bash tools/demo.sh`")

    with EmulatorProcess(job_seconds=args.job_seconds) as emulator:
        print(f"demo: CommServe emulator listening at {emulator.url}")
        stack = auto.create_or_select_stack(
            stack_name=STACK,
            project_name="pulumi-commvault-demo",
            program=run_program,
            opts=auto.LocalWorkspaceOptions(work_dir=str(REPO)),
        )
        change = f"change-{time.strftime('%Y%m%d-%H%M%S')}"
        stack.set_all_config(
            {
                "commvault:url": auto.ConfigValue(emulator.url),
                "commvault:username": auto.ConfigValue("admin"),
                "commvault:password": auto.ConfigValue("commvault-demo", secret=True),
                "demo:change": auto.ConfigValue(change),
            }
        )
        print(f"demo: pulumi up of stack {STACK!r} for {change}")
        started = time.monotonic()
        result = stack.up(on_output=print, color="never")
        elapsed = time.monotonic() - started
        outputs = {name: out.value for name, out in result.outputs.items()}
        confirmed = {str(job["jobId"]): job["status"] for job in emulator.control.jobs()}

    print(f"\ndemo: pulumi up finished in {elapsed:.1f} s: {result.summary.result}")
    print(f"  task id:     {outputs['task_id']}")
    print(f"  job ids:     {', '.join(outputs['job_ids'])}")
    for job_id, status in outputs["job_statuses"].items():
        check = "confirmed" if confirmed.get(job_id) == status else "NOT confirmed"
        print(f"  job {job_id}: {status} ({check} by the emulator)")
    unconfirmed = [j for j, s in outputs["job_statuses"].items() if confirmed.get(j) != s]
    if unconfirmed:
        print(f"demo: the emulator does not confirm jobs {unconfirmed}", file=sys.stderr)
        return 1
    print("\nTry it by hand: see README.md, 'Try it by hand'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
