"""The restore client over real sockets: one request, one restore job; checks before sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup, wait_for
from pulumi_commvault import CommvaultClient
from pulumi_commvault.commvault.backups import MarkedJobIndex
from pulumi_commvault.commvault.restore_models import RestorePoint
from pulumi_commvault.commvault.restores import (
    Instance,
    RestoreCheckError,
    RestoreRequest,
    check_restore,
    restorable,
    start_restore,
)

ORCL = Instance("oradb01", "ORCL")
SALES = Instance("oradb02", "SALES")


def no_sleep(_s: float) -> None:
    return None


def restore(marker: str, point: RestorePoint | None = None, to: Instance = ORCL) -> RestoreRequest:
    return RestoreRequest(ORCL, to, point or RestorePoint(), marker=marker)


@pytest.fixture
def backed_up(emulator: EmulatorProcess) -> str:
    emulator.control.job_defaults(seconds=0.2)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Completed", timeout_s=10)
    return job_id


def restore_jobs(emulator: EmulatorProcess) -> list[dict[str, object]]:
    return [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]


def test_start_restore_sends_one_create_task_naming_the_backup_jobs(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    job = start_restore(
        client, restore("r-jobs", RestorePoint(kind="jobs", job_ids=(backed_up,)), SALES)
    )
    (record,) = restore_jobs(emulator)
    assert str(record["jobId"]) == job.job_id
    assert not job.adopted
    assert record["restoredFrom"] == [backed_up]
    restore_options = record["request"]["taskInfo"]["subTasks"][0]["options"]["restoreOptions"]  # type: ignore[index]
    assert restore_options["jobIds"] == [backed_up]
    assert restore_options["destination"]["destinationInstance"]["instanceName"] == "SALES"
    assert "[pulumi-commvault:r-jobs]" in record["jobDescription"]  # type: ignore[operator]


def test_a_second_start_of_the_same_request_adopts_the_running_restore(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.next_jobs(seconds=30)
    emulator.control.clear_requests()
    first = start_restore(client, restore("r-twice"))
    again = start_restore(client, restore("r-twice"), index=MarkedJobIndex())
    assert again.adopted
    assert again.job_id == first.job_id
    assert len(restore_jobs(emulator)) == 1
    assert emulator.control.count("CreateTask") == 1


def test_a_lost_create_task_answer_adopts_the_restore_it_started(
    fast_client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.clear_requests()
    emulator.control.inject("CreateTask", "lose_answer")
    job = start_restore(fast_client, restore("r-lost"), sleep=no_sleep)
    assert job.adopted
    assert len(restore_jobs(emulator)) == 1
    assert emulator.control.count("CreateTask") == 1


def test_a_point_in_time_restore_sends_recover_time(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    at = datetime.now(UTC)
    start_restore(client, restore("r-time", RestorePoint(kind="time", time=at)))
    (record,) = restore_jobs(emulator)
    assert record["restorePoint"]["time"] == int(at.timestamp())  # type: ignore[index]
    assert record["restoredFrom"] == [backed_up]


def test_check_restore_names_each_bad_field_and_sends_no_create_task(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.clear_requests()
    bad = RestoreRequest(
        Instance("nosuch", "ORCL"),
        Instance("filesrv01", "DefaultInstanceName"),
        RestorePoint(),
        marker="bad",
    )
    with pytest.raises(RestoreCheckError) as caught:
        check_restore(client, bad)
    fields = [field for field, _ in caught.value.failures]
    assert fields == ["client_name", "destination_instance_name"]
    assert "File System instance, not Oracle" in str(caught.value)
    assert emulator.control.count("CreateTask") == 0


def test_check_restore_refuses_a_point_in_time_before_the_first_backup(
    client: CommvaultClient, backed_up: str
) -> None:
    early = RestorePoint(kind="time", time=datetime.now(UTC) - timedelta(days=3))
    with pytest.raises(RestoreCheckError, match=r"point_in_time: .* is before the first"):
        check_restore(client, restore("early", early))


def test_check_restore_refuses_aged_and_unknown_backup_jobs(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.age_job(backed_up)
    point = RestorePoint(kind="jobs", job_ids=(backed_up, "999"))
    with pytest.raises(RestoreCheckError) as caught:
        check_restore(client, restore("aged", point))
    assert caught.value.failures == [
        ("backup_job_ids", f"job {backed_up} is no restore point: aged out of retention"),
        (
            "backup_job_ids",
            "job 999 is no restore point: unknown to the CommServe (pruned or never existed)",
        ),
    ]


def test_restorable_says_why_a_job_is_or_is_not_a_restore_point(
    client: CommvaultClient, emulator: EmulatorProcess, backed_up: str
) -> None:
    assert restorable(client.find_job(backed_up)) == (True, "finished well")
    emulator.control.age_job(backed_up)
    assert restorable(client.find_job(backed_up)) == (False, "aged out of retention")
    emulator.control.prune_job(backed_up)
    assert restorable(client.find_job(backed_up))[1].startswith("unknown to the CommServe")
