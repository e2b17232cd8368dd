"""Issue #22 through the real CLI: a recorded job that is no restore point any more is never
adopted. Back up, the job dies (aged, pruned, failed, killed), `pulumi destroy`, `pulumi up`
of the same request: exactly one new job (the emulator's CreateTask log), none adopted, and
one line naming the job it did not reuse and why."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import wait_until_ended
from engine_support import BackupProgram
from pulumi_commvault import OracleBackupTrigger

pytestmark = pytest.mark.engine


def aged(emulator: EmulatorProcess, job_id: str) -> None:
    wait_until_ended(emulator, job_id)
    emulator.control.age_job(job_id)


def pruned(emulator: EmulatorProcess, job_id: str) -> None:
    wait_until_ended(emulator, job_id)
    emulator.control.prune_job(job_id)


DEATHS: dict[str, tuple[str | None, Callable[[EmulatorProcess, str], None], str]] = {
    "aged": (None, aged, "aged out of retention"),
    "pruned": (None, pruned, "unknown to the CommServe (pruned or never existed)"),
    "failed": ("Failed", wait_until_ended, "failed (Failed)"),
    "killed": ("Killed", wait_until_ended, "failed (Killed)"),
}


@pytest.mark.parametrize("death", list(DEATHS))
def test_a_rerun_after_the_recorded_job_died_takes_exactly_one_new_job(deployer, emulator, death):
    outcome, end, why = DEATHS[death]
    emulator.control.job_defaults(seconds=0.5)
    if outcome:
        emulator.control.next_jobs(outcome=outcome)
    deployment = deployer(BackupProgram(wait_for_completion=False))
    deployment.up()
    [dead] = deployment.outputs_of("snap")["job_ids"]
    end(emulator, dead)
    deployment.destroy()

    deployment.up()

    [job] = deployment.outputs_of("snap")["jobs"]
    assert job["job_id"] != dead
    assert job["adopted"] is False
    assert emulator.control.count("CreateTask") == 2
    assert f"not reusing this request's earlier job {dead} ({why})" in deployment.text


def twins() -> None:
    """Two resources of one stack backing up the same database."""
    for name in ("twin-a", "twin-b"):
        OracleBackupTrigger(
            name, client_name="oradb01", instance_name="ORCL", triggers=["v1"], timeout_minutes=2
        )


@pytest.mark.parametrize("lost", [2, 1], ids=["both answers lost", "one answer lost"])
def test_twins_whose_answers_are_lost_end_with_one_job_each_and_no_job_twice(
    deployer, emulator, lost
):
    emulator.control.job_defaults(
        seconds=1, omit_job_description=True, omit_details_description=True
    )
    emulator.control.inject("CreateTask", "lose_answer", count=lost)
    deployment = deployer(twins)

    deployment.up()

    held = [deployment.outputs_of(name)["job_ids"] for name in ("twin-a", "twin-b")]
    assert sorted(job for ids in held for job in ids) == sorted(
        str(j["jobId"]) for j in emulator.control.jobs()
    )
    assert len({job for ids in held for job in ids}) == 2
    assert emulator.control.count("CreateTask") == 2
    assert "COMMVAULT_ADOPT_JOBS" not in deployment.text
