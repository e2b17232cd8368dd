"""The Oracle reads a DBA's tools make, over real sockets in both clients' shapes: cvpysdk's
DBBrowse, TaskDetails, Events, resubmit and lastBackupTime; the Terraform handler's instance
listing, discovery, backup pieces and RMAN logs."""

from __future__ import annotations

from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import TIMEOUT_S, api_session, start_backup, wait_for


def _get(emulator: EmulatorProcess, path: str) -> Any:
    response = api_session().get(f"{emulator.url}/{path}", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.json()


def _instance_id(emulator: EmulatorProcess, client: str = "oradb01") -> int:
    answer = _get(emulator, f"instance?clientName={client}&appName=Oracle")
    (found,) = answer["instanceProperties"]
    instance_id: int = found["instance"]["instanceId"]
    return instance_id


def _finished_backup(emulator: EmulatorProcess, **plan: Any) -> str:
    if plan:
        emulator.control.next_jobs(**plan)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Completed", "Failed", "Killed")
    return job_id


def test_instance_listing_by_client_name_and_app_name_keeps_only_oracle(
    emulator: EmulatorProcess,
) -> None:
    answer = _get(emulator, "instance?clientName=oradb01&appName=Oracle")
    names = [
        (p["instance"]["clientName"], p["instance"]["appName"])
        for p in answer["instanceProperties"]
    ]
    assert names == [("oradb01", "Oracle")]
    assert (
        _get(emulator, "instance?clientName=filesrv01&appName=Oracle")["instanceProperties"] == []
    )


def test_discover_answers_no_error_for_a_known_client_and_an_error_for_an_unknown_one(
    emulator: EmulatorProcess,
) -> None:
    client_id = _get(emulator, "instance?clientName=oradb01")["instanceProperties"][0]["instance"][
        "clientId"
    ]
    assert _get(emulator, f"client/{client_id}/instance/oracle/discover")["error"]["errorCode"] == 0
    assert _get(emulator, "client/99999/instance/oracle/discover")["error"]["errorCode"] != 0


def test_db_browse_answers_tablespaces_in_both_clients_fields_once_a_backup_exists(
    emulator: EmulatorProcess,
) -> None:
    instance_id = _instance_id(emulator)
    url = f"{emulator.url}/Instance/DBBrowse/{instance_id}"
    body = {"path": "/", "entity": {"instanceId": instance_id, "clientName": "oradb01"}}
    before = api_session().post(url, json=body, timeout=TIMEOUT_S).json()
    assert "oracleContent" not in before
    assert before["errorCode"] != 0
    _finished_backup(emulator)
    content = api_session().post(url, json=body, timeout=TIMEOUT_S).json()["oracleContent"]
    assert [c["tablespace"] for c in content] == [c["name"] for c in content]
    assert "SYSTEM" in [c["tablespace"] for c in content]
    assert all(c["type"] == "TABLESPACE" and c["size"] > 0 for c in content)


def test_backup_pieces_cover_each_completed_backup_within_the_window(
    emulator: EmulatorProcess,
) -> None:
    first = _finished_backup(emulator)
    failed = _finished_backup(emulator, outcome="Failed")
    second = _finished_backup(emulator)
    instance_id = _instance_id(emulator)
    pieces = _get(emulator, f"oracle/instance/{instance_id}/backupPieces")["backupPieces"]
    assert [p["jobId"] for p in pieces] == [int(first), int(second)]
    assert int(failed) not in [p["jobId"] for p in pieces]
    for piece in pieces:
        assert piece["startTime"] <= piece["endTime"]
        assert piece["startSCN"] <= piece["endSCN"]
        assert piece["size"] > 0
        assert piece["backupType"] == "DATAFILE"
        assert piece["tag"].startswith("TAG")
    after = pieces[1]["endTime"] + 1
    assert _get(emulator, f"oracle/instance/{instance_id}/backupPieces?fromTime={after}") == {
        "backupPieces": []
    }
    upto = _get(
        emulator,
        f"oracle/instance/{instance_id}/backupPieces?fromTime=1&toTime={pieces[0]['endTime']}",
    )
    assert [p["jobId"] for p in upto["backupPieces"]] == [int(first)]


def test_rman_log_of_a_completed_backup_ends_complete(emulator: EmulatorProcess) -> None:
    job_id = _finished_backup(emulator)
    answer = _get(emulator, f"Job/{job_id}/RMANLogs")
    assert answer["errorString"] == ""
    assert "Recovery Manager complete." in answer["logContent"]
    assert "ORA-" not in answer["logContent"]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ({"outcome": "Failed"}, "ORA-19511"),
        (
            {"outcome": "Failed", "error": "ORA-19502: write error on file"},
            "ORA-19502: write error on file",
        ),
        ({"outcome": "Killed"}, "ORA-01013"),
    ],
)
def test_rman_log_of_a_failed_backup_carries_the_chosen_error(
    emulator: EmulatorProcess, plan: dict[str, Any], expected: str
) -> None:
    job_id = _finished_backup(emulator, **plan)
    if plan["outcome"] == "Failed":
        assert expected.split(":")[0] in wait_for(emulator, job_id, "Failed")["pendingReason"]
    log = _get(emulator, f"Job/{job_id}/RMANLogs")["logContent"]
    assert "RMAN-03009: failure of backup command" in log
    assert expected in log
    assert "Recovery Manager complete." not in log


def test_rman_log_of_an_unknown_job_names_it_in_error_string(emulator: EmulatorProcess) -> None:
    assert _get(emulator, "Job/1/RMANLogs") == {
        "logContent": "",
        "errorString": "Job [1] not found.",
    }


def test_task_details_and_events_of_a_finished_job(emulator: EmulatorProcess) -> None:
    job_id = _finished_backup(emulator)
    task = _get(emulator, f"Job/{job_id}/TaskDetails")["taskInfo"]
    assert task["associations"][0]["clientName"] == "oradb01"
    assert task["subTasks"][0]["subTask"]["subTaskType"] == 2
    events = _get(emulator, f"Events?jobId={job_id}")["commservEvents"]
    assert [e["jobId"] for e in events] == [int(job_id), int(job_id)]
    assert "Completed" in events[-1]["description"]


def test_resubmit_of_a_finished_job_starts_a_new_job_and_refuses_a_running_one(
    emulator: EmulatorProcess,
) -> None:
    job_id = _finished_backup(emulator)
    answer = (
        api_session().post(f"{emulator.url}/Job/{job_id}/action/Resubmit", timeout=TIMEOUT_S).json()
    )
    (new_id,) = answer["jobIds"]
    assert int(new_id) > int(job_id)
    refused = (
        api_session().post(f"{emulator.url}/Job/{new_id}/action/Resubmit", timeout=TIMEOUT_S).json()
    )
    assert "still running" in refused["errors"][0]["errList"][0]["errLogMessage"]
    wait_for(emulator, new_id, "Completed")


def test_subclient_last_backup_time_is_set_after_a_finished_backup(
    emulator: EmulatorProcess,
) -> None:
    def last() -> int:
        props = _get(emulator, "Subclient?clientId=2&applicationId=22")["subClientProperties"]
        found = [
            p
            for p in props
            if p["subClientEntity"]["clientName"] == "oradb01"
            and p["subClientEntity"]["subclientName"] == "default"
        ]
        value: int = found[0]["commonProperties"]["lastBackupTime"]
        return value

    assert last() == 0
    job_id = _finished_backup(emulator)
    assert last() == int(wait_for(emulator, job_id, "Completed")["jobEndTime"])
