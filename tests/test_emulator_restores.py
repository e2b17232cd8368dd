"""Oracle restores through POST CreateTask: cvpysdk's bodies, a CommServe's checks, restore
jobs, and the control plane's aging and pruning of backup jobs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import (
    TIMEOUT_S,
    api_session,
    create,
    start_backup,
    summary,
    wait_for,
)


def cvpysdk_restore_body(
    *,
    client: str = "oradb01",
    instance: str = "ORCL",
    dest_client: str | None = None,
    dest_instance: str | None = None,
    oracle: dict[str, Any] | None = None,
    time_range: dict[str, Any] | None = None,
    job_ids: list[str] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """The body ``OracleInstance.restore`` sends (cvpysdk 11.44), trimmed of empty blocks."""
    oracle_opt = {
        "resetLogs": 1,
        "switchDatabaseMode": True,
        "noCatalog": True,
        "recover": True,
        "recoverFrom": 3,
        "restoreData": True,
        "restoreFrom": 3,
        **(oracle or {}),
    }
    restore_options: dict[str, Any] = {
        "browseOption": {
            "commCellId": 2,
            "backupset": {"clientName": client, "appName": "Oracle"},
            "timeRange": time_range or {},
        },
        "destination": {
            "noOfStreams": 2,
            "destClient": {"clientName": dest_client or client},
            "destinationInstance": {
                "clientName": dest_client or client,
                "instanceName": dest_instance or instance,
                "appName": "Oracle",
            },
        },
        "fileOption": {"sourceItem": [f"SID: {instance} Tablespace: USERS"]},
        "oracleOpt": oracle_opt,
        "commonOptions": {"jobDescription": description},
    }
    operation = 1001
    if job_ids is not None:
        operation = 1005
        restore_options["jobIds"] = job_ids
        restore_options["fileOption"] = {"sourceItem": [f"2:{j}" for j in job_ids]}
    return {
        "taskInfo": {
            "associations": [
                {
                    "clientName": client,
                    "instanceName": instance,
                    "appName": "Oracle",
                    "applicationId": 22,
                    "backupsetName": "default",
                }
            ],
            "task": {"initiatedFrom": 2, "taskType": 1, "policyType": 0},
            "subTasks": [
                {
                    "subTaskOperation": 1,
                    "subTask": {"subTaskType": 3, "operationType": operation},
                    "options": {"restoreOptions": restore_options},
                }
            ],
        }
    }


def finished_backup(emulator: EmulatorProcess, **kwargs: Any) -> str:
    job_id = start_backup(emulator, **kwargs)
    wait_for(emulator, job_id, "Completed", "Failed", timeout_s=10)
    return job_id


def refused(emulator: EmulatorProcess, body: dict[str, Any]) -> str:
    answer = create(emulator, body)
    assert "jobIds" not in answer, answer
    assert isinstance(answer["errorCode"], int)
    assert answer["errorCode"] != 0
    message: str = answer["errorMessage"]
    return message


@pytest.fixture
def quick(emulator: EmulatorProcess) -> EmulatorProcess:
    emulator.control.job_defaults(seconds=0.2)
    return emulator


def test_a_latest_restore_starts_one_restore_job_with_its_own_job_type(
    quick: EmulatorProcess,
) -> None:
    backup = finished_backup(quick)
    answer = create(quick, cvpysdk_restore_body(description="[pulumi-commvault:abc]"))
    assert isinstance(answer["taskId"], int)
    (job_id,) = answer["jobIds"]
    done = wait_for(quick, job_id, "Completed", timeout_s=10)
    assert done["jobType"] == "Restore"
    assert done["localizedOperationName"] == "Restore"
    assert done["jobDescription"] == "[pulumi-commvault:abc]"
    assert done["isAged"] is False
    (record,) = [j for j in quick.control.jobs() if str(j["jobId"]) == job_id]
    assert record["restoredFrom"] == [backup]
    assert record["restorePoint"]["kind"] == "latest"
    assert record["request"]["taskInfo"]["subTasks"][0]["subTask"]["subTaskType"] == 3


def test_a_restore_from_backup_job_ids_reads_those_jobs(quick: EmulatorProcess) -> None:
    first = finished_backup(quick)
    finished_backup(quick)
    (job_id,) = create(quick, cvpysdk_restore_body(job_ids=[first]))["jobIds"]
    (record,) = [j for j in quick.control.jobs() if str(j["jobId"]) == job_id]
    assert record["restoredFrom"] == [first]
    assert record["restorePoint"] == {"kind": "jobs", "time": None, "scn": None, "jobIds": [first]}


def test_an_out_of_place_restore_runs_on_the_destination_client(quick: EmulatorProcess) -> None:
    finished_backup(quick)
    body = cvpysdk_restore_body(dest_client="oradb02", dest_instance="SALES")
    (job_id,) = create(quick, body)["jobIds"]
    job = summary(quick, job_id)
    assert job["destinationClient"]["clientName"] == "oradb02"
    assert job["subclient"]["instanceName"] == "SALES"


def test_a_point_in_time_restore_uses_the_newest_backup_that_ended_before_it(
    quick: EmulatorProcess,
) -> None:
    first = finished_backup(quick)
    time.sleep(1.1)
    point = int(time.time())
    time.sleep(1.1)
    finished_backup(quick)
    body = cvpysdk_restore_body(oracle={"recoverFrom": 4, "recoverTime": {"time": point}})
    (job_id,) = create(quick, body)["jobIds"]
    (record,) = [j for j in quick.control.jobs() if str(j["jobId"]) == job_id]
    assert record["restoredFrom"] == [first]


def test_a_point_in_time_before_the_first_backup_is_refused_naming_it(
    quick: EmulatorProcess,
) -> None:
    finished_backup(quick)
    body = cvpysdk_restore_body(time_range={"toTimeValue": "2001-01-01 00:00:00"})
    message = refused(quick, body)
    assert "covers point in time [2001-01-01 00:00:00 UTC]" in message
    assert "earliest restorable backup ended at" in message


def test_an_scn_restore_needs_a_positive_number_a_backup_covers(quick: EmulatorProcess) -> None:
    finished_backup(quick)
    later = "999999999999"
    ok = create(quick, cvpysdk_restore_body(oracle={"recoverFrom": 2, "recoverSCN": later}))
    assert len(ok["jobIds"]) == 1
    message = refused(quick, cvpysdk_restore_body(oracle={"recoverFrom": 2, "recoverSCN": "x1"}))
    assert "SCN [x1] is not valid" in message
    early = refused(quick, cvpysdk_restore_body(oracle={"recoverFrom": 2, "recoverSCN": "4711"}))
    assert "covers SCN [4711]: the earliest restorable backup ended at SCN [" in early


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (cvpysdk_restore_body(client="nosuch"), "Source client [nosuch] not found."),
        (cvpysdk_restore_body(instance="NOPE"), "Source instance [NOPE] not found"),
        (
            cvpysdk_restore_body(dest_client="filesrv01", dest_instance="DefaultInstanceName"),
            "Destination instance [DefaultInstanceName] on client [filesrv01] is not an Oracle",
        ),
        (
            cvpysdk_restore_body(dest_client="oradb02", dest_instance="GONE"),
            "Destination instance [GONE] not found on client [oradb02].",
        ),
        (cvpysdk_restore_body(job_ids=["999"]), "Backup job [999] not found."),
    ],
)
def test_a_restore_naming_something_missing_is_refused_and_starts_nothing(
    quick: EmulatorProcess, body: dict[str, Any], expected: str
) -> None:
    finished_backup(quick)
    before = len(quick.control.jobs())
    assert expected in refused(quick, body)
    assert len(quick.control.jobs()) == before


def test_a_restore_without_any_finished_backup_is_refused(quick: EmulatorProcess) -> None:
    quick.control.next_jobs(outcome="Failed")
    finished_backup(quick)
    message = refused(quick, cvpysdk_restore_body())
    assert "No finished backup of instance [ORCL] on client [oradb01]" in message


def test_a_failed_backup_job_is_no_restore_point(quick: EmulatorProcess) -> None:
    quick.control.next_jobs(outcome="Failed")
    failed = finished_backup(quick)
    message = refused(quick, cvpysdk_restore_body(job_ids=[failed]))
    assert f"Backup job [{failed}] did not complete successfully" in message


def test_an_aged_backup_shows_is_aged_and_is_no_longer_restorable(
    quick: EmulatorProcess,
) -> None:
    backup = finished_backup(quick)
    quick.control.age_job(backup)
    assert summary(quick, backup)["isAged"] is True
    message = refused(quick, cvpysdk_restore_body(job_ids=[backup]))
    assert f"Backup job [{backup}] has aged out of retention" in message
    assert "none, or all aged" in refused(quick, cvpysdk_restore_body())


def test_a_pruned_backup_is_unknown_afterwards(quick: EmulatorProcess) -> None:
    backup = finished_backup(quick)
    quick.control.prune_job(backup)
    answer = api_session().get(f"{quick.url}/Job/{backup}", timeout=TIMEOUT_S).json()
    assert answer == {"totalRecordsWithoutPaging": 0}
    assert f"Backup job [{backup}] not found." in refused(
        quick, cvpysdk_restore_body(job_ids=[backup])
    )


def test_a_restore_job_takes_the_planned_outcome(quick: EmulatorProcess) -> None:
    finished_backup(quick)
    quick.control.next_jobs(outcome="Failed")
    (job_id,) = create(quick, cvpysdk_restore_body())["jobIds"]
    failed = wait_for(quick, job_id, "Failed", timeout_s=10)
    assert failed["jobType"] == "Restore"
    assert failed["pendingReason"]


def test_aging_an_unknown_job_is_a_control_plane_error(quick: EmulatorProcess) -> None:
    with pytest.raises(Exception, match="no job 42"):
        quick.control.age_job(42)
