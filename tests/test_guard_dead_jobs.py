"""A request whose earlier job is dead (failed, killed, aged, pruned) takes exactly one new
job, adopts none, and says in one line which earlier job it did not reuse and why: over real
sockets, with job descriptions shown and shown nowhere (where this machine's record of what
it sent names the earlier job)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, wait_for
from guard_support import backup, new_process_start
from pulumi_commvault.commvault.client import CommvaultClient
from pulumi_commvault.commvault.journal import SendJournal

Kill = Callable[[EmulatorProcess, CommvaultClient, str], None]


def failed(emulator: EmulatorProcess, _client: CommvaultClient, job_id: str) -> None:
    wait_for(emulator, job_id, "Failed")


def killed(emulator: EmulatorProcess, client: CommvaultClient, job_id: str) -> None:
    client.kill_job(job_id)
    wait_for(emulator, job_id, "Killed")


def aged(emulator: EmulatorProcess, _client: CommvaultClient, job_id: str) -> None:
    wait_for(emulator, job_id, "Completed")
    emulator.control.age_job(job_id)


def pruned(emulator: EmulatorProcess, _client: CommvaultClient, job_id: str) -> None:
    wait_for(emulator, job_id, "Completed")
    emulator.control.prune_job(job_id)


DEATHS: dict[str, tuple[Kill, str | None, str]] = {
    "failed": (failed, "Failed", "failed (Failed)"),
    "killed": (killed, None, "failed (Killed)"),
    "aged": (aged, None, "aged out of retention"),
    "pruned": (pruned, None, "unknown to the CommServe (pruned or never existed)"),
}


@pytest.mark.parametrize("hidden", [False, True], ids=["shown", "nowhere"])
@pytest.mark.parametrize("death", list(DEATHS))
def test_a_rerun_after_its_job_died_takes_one_new_job_naming_the_dead_one(
    fast_client: CommvaultClient,
    emulator: EmulatorProcess,
    tmp_path: Path,
    death: str,
    hidden: bool,
) -> None:
    end, outcome, why = DEATHS[death]
    seconds = 0.2 if outcome or death in ("aged", "pruned") else 30
    emulator.control.job_defaults(
        seconds=seconds, omit_job_description=hidden, omit_details_description=hidden
    )
    if outcome:
        emulator.control.next_jobs(outcome=outcome)
    journal = SendJournal(tmp_path / "state")
    [first] = new_process_start(fast_client, backup(f"dead-{death}"), journal=journal)
    end(emulator, fast_client, first)
    notices: list[str] = []

    [again] = new_process_start(
        fast_client, backup(f"dead-{death}"), journal=journal, notices=notices
    )

    assert not again.endswith("adopted")
    assert again != first
    reasons = [n for n in notices if "not reusing" in n]
    assert reasons == [
        f"not reusing this request's earlier job {first} ({why}): no restore point, "
        f"so started job {again} instead"
    ]
    assert emulator.control.count("CreateTask") == 2


CLI = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "commvault-oracle"


def cli_backup(emulator: EmulatorProcess, state_dir: Path) -> dict[str, Any]:
    """``commvault-oracle backup oradb01/ORCL --wait --json``, as a user runs it again."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMVAULT_")}
    env.update(
        COMMVAULT_URL=emulator.url,
        COMMVAULT_AUTHTOKEN=EMULATOR_TOKEN,
        COMMVAULT_STATE_DIR=str(state_dir),
    )
    done = subprocess.run(
        [str(CLI), "backup", "oradb01/ORCL", "--wait", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_the_cli_backing_up_again_after_its_job_aged_takes_a_new_job_naming_the_aged_one(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    emulator.control.job_defaults(seconds=0.2)
    [first] = cli_backup(emulator, tmp_path / "state")["job_ids"]
    emulator.control.age_job(first)

    again = cli_backup(emulator, tmp_path / "state")

    [second] = again["job_ids"]
    assert second != first
    assert again["adopted"] == []
    assert any(f"earlier job {first} (aged out of retention)" in w for w in again["warnings"])
    assert emulator.control.count("CreateTask") == 2
