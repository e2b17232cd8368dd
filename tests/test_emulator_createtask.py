"""POST CreateTask: the contract's example, both subtask forms, levels, errors, concurrency."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from commvault_emulator.process import EmulatorProcess
from emulator_support import (
    TIMEOUT_S,
    api_session,
    association,
    backup_body,
    create,
    start_backup,
    summary,
    wait_for,
)

DOCUMENTED_EXAMPLE = {
    "taskInfo": {
        "task": {},
        "associations": [
            {
                "clientName": "oradb01",
                "displayName": "oradb01",
                "instanceName": "ORCL",
                "appName": "Oracle",
                "applicationId": 22,
                "subclientName": "default",
            }
        ],
        "subTasks": [
            {
                "subTask": {"subTaskType": "BACKUP", "operationType": "BACKUP"},
                "options": {
                    "backupOpts": {"oracleOptions": {"cumulative": True}},
                    "commonOpts": {"notifyUserOnJobCompletion": True},
                },
            }
        ],
    }
}


def _post_raw(emulator: EmulatorProcess, data: bytes, path: str = "CreateTask") -> Any:
    return api_session().post(f"{emulator.url}/{path}", data=data, timeout=TIMEOUT_S)


def test_create_task_documented_example_answers_int_task_id_and_string_job_ids(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.job_defaults(seconds=0.3)
    answer = create(emulator, DOCUMENTED_EXAMPLE)
    assert set(answer) == {"taskId", "jobIds"}
    assert isinstance(answer["taskId"], int)
    assert len(answer["jobIds"]) == 1
    assert isinstance(answer["jobIds"][0], str)
    assert answer["jobIds"][0].isdigit()
    job = wait_for(emulator, answer["jobIds"][0], "Completed")
    assert job["percentComplete"] == 100
    assert job["backupLevelName"] == "Full"
    assert job["subclient"]["clientName"] == "oradb01"


def test_create_task_accepts_cvpysdk_numeric_subtask_and_full_entity(
    emulator: EmulatorProcess,
) -> None:
    entity = {
        "clientName": "oradb02",
        "clientId": 3,
        "instanceName": "SALES",
        "instanceId": 12,
        "appName": "Oracle",
        "applicationId": 22,
        "backupsetName": "default",
        "backupsetId": 22,
        "subclientName": "default",
        "subclientId": 103,
        "displayName": "oradb02",
    }
    answer = create(emulator, backup_body(entity, level="incremental", numeric=True))
    job = summary(emulator, answer["jobIds"][0])
    assert job["subclient"]["subclientId"] == 103
    assert job["backupLevelName"] == "Incremental"


def test_create_task_resolves_an_association_given_by_ids_only(emulator: EmulatorProcess) -> None:
    ids_only = {"clientId": 2, "instanceId": 11, "applicationId": 22, "subclientId": 102}
    job_id = create(emulator, backup_body(ids_only, numeric=True))["jobIds"][0]
    assert summary(emulator, job_id)["subclient"]["subclientName"] == "archivelog"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (None, "Full"),
        ("Full", "Full"),
        ("FULL", "Full"),
        ("full", "Full"),
        ("Incremental", "Incremental"),
        ("INCREMENTAL", "Incremental"),
    ],
)
def test_create_task_backup_level_any_case_and_omitted_means_full(
    emulator: EmulatorProcess, level: str | None, expected: str
) -> None:
    job_id = start_backup(emulator, level=level)
    assert summary(emulator, job_id)["backupLevelName"] == expected


def test_create_task_cumulative_is_incremental_with_the_flag_kept(
    emulator: EmulatorProcess,
) -> None:
    job_id = start_backup(emulator, level="Incremental", cumulative=True)
    assert summary(emulator, job_id)["backupLevelName"] == "Incremental"
    (job,) = emulator.control.jobs()
    assert job["cumulative"] is True
    assert job["backupLevel"] == "Incremental"


def test_create_task_keeps_description_notify_and_user(emulator: EmulatorProcess) -> None:
    job_id = start_backup(emulator, description="pulumi:stack/urn#1", notify=True)
    job = summary(emulator, job_id)
    assert job["jobDescription"] == "pulumi:stack/urn#1"
    assert job["userName"]["userName"] == "admin"
    (internal,) = emulator.control.jobs()
    assert internal["notifyUserOnJobCompletion"] is True


@pytest.mark.parametrize("level", ["Differential", "Synthetic_full", "weekly", 7, True])
def test_create_task_with_invalid_backup_level_answers_error_code_naming_it(
    emulator: EmulatorProcess, level: Any
) -> None:
    answer = create(emulator, backup_body(level=level))
    assert set(answer) == {"errorCode", "errorMessage"}
    assert answer["errorCode"] != 0
    assert f"[{level}]" in answer["errorMessage"]
    assert emulator.control.jobs() == []


@pytest.mark.parametrize(
    ("assoc", "named"),
    [
        (association(client="nosuchdb"), "Client [nosuchdb] not found"),
        (association(instance="NOPE"), "Instance [NOPE] not found on client [oradb01]"),
        (association(subclient="weekly"), "Subclient [weekly] not found in instance [ORCL]"),
        ({**association(), "backupsetName": "other"}, "Backupset [other] not found"),
    ],
)
def test_create_task_with_unknown_entity_answers_error_code_naming_it(
    emulator: EmulatorProcess, assoc: dict[str, Any], named: str
) -> None:
    answer = create(emulator, backup_body(assoc))
    assert answer["errorCode"] == 587207178
    assert answer["errorMessage"].startswith("Failed to start backups as no eligible subclients")
    assert named in answer["errorMessage"]
    assert emulator.control.jobs() == []


def test_create_task_with_non_oracle_application_id_answers_error_code(
    emulator: EmulatorProcess,
) -> None:
    assoc = {**association("filesrv01", "DefaultInstanceName"), "applicationId": 33}
    assoc["appName"] = "File System"
    answer = create(emulator, backup_body(assoc))
    assert answer["errorCode"] == 587207178
    assert "Application [33] is not Oracle" in answer["errorMessage"]


def test_create_task_on_non_oracle_instance_answers_error_code(emulator: EmulatorProcess) -> None:
    answer = create(emulator, backup_body(association("filesrv01", "DefaultInstanceName")))
    assert answer["errorCode"] == 587207178
    assert (
        "[DefaultInstanceName] on client [filesrv01] is not an Oracle instance"
        in (answer["errorMessage"])
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"not json",
        b"[]",
        b'"taskInfo"',
        b"{}",
        b'{"taskInfo": {}}',
        b'{"taskInfo": {"associations": []}}',
        b'{"taskInfo": {"associations": [], "subTasks": []}}',
        b'{"taskInfo": {"associations": "oradb01", "subTasks": [{}]}}',
    ],
)
def test_create_task_with_empty_or_malformed_body_answers_400_json_string(
    emulator: EmulatorProcess, data: bytes
) -> None:
    response = _post_raw(emulator, data)
    assert response.status_code == 400
    assert response.json() == "Request body is empty or format is invalid"


def test_create_task_with_no_associations_answers_error_code(emulator: EmulatorProcess) -> None:
    body = backup_body()
    body["taskInfo"]["associations"] = []
    answer = create(emulator, body)
    assert answer["errorCode"] == 587207178


def test_create_task_with_a_restore_subtask_but_backup_options_answers_error_code(
    emulator: EmulatorProcess,
) -> None:
    body = backup_body()
    body["taskInfo"]["subTasks"][0]["subTask"] = {"subTaskType": 3, "operationType": 1001}
    answer = create(emulator, body)
    assert "needs options.restoreOptions" in answer["errorMessage"]
    assert emulator.control.jobs() == []


def test_create_task_with_several_associations_starts_one_job_each(
    emulator: EmulatorProcess,
) -> None:
    body = backup_body(
        association(), association(subclient="archivelog"), association("oradb02", "SALES")
    )
    answer = create(emulator, body)
    assert len(answer["jobIds"]) == 3
    names = [summary(emulator, j)["subclient"]["subclientName"] for j in answer["jobIds"]]
    assert names == ["default", "archivelog", "default"]
    assert {j["taskId"] for j in emulator.control.jobs()} == {answer["taskId"]}


def test_create_task_with_one_bad_association_starts_nothing(emulator: EmulatorProcess) -> None:
    answer = create(emulator, backup_body(association(), association(client="ghost")))
    assert "Client [ghost] not found" in answer["errorMessage"]
    assert emulator.control.jobs() == []


def test_create_task_names_match_case_insensitively(emulator: EmulatorProcess) -> None:
    job_id = start_backup(emulator, assoc=association("ORADB01", "orcl", "ArchiveLog"))
    entity = summary(emulator, job_id)["subclient"]
    assert (entity["clientName"], entity["instanceName"], entity["subclientName"]) == (
        "oradb01",
        "ORCL",
        "archivelog",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/commandcenter/api/CreateTask",
        "/commandcenter/api/createtask",
        "/CommandCenter/API/Createtask",
        "/SearchSvc/CVWebService.svc/CreateTask",
        "/searchsvc/cvwebservice.svc/CREATETASK/",
    ],
)
def test_create_task_is_served_under_both_prefixes_in_any_case(
    emulator: EmulatorProcess, path: str
) -> None:
    response = api_session().post(emulator.root_url + path, json=backup_body(), timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert len(response.json()["jobIds"]) == 1


def test_create_task_from_20_threads_gets_distinct_increasing_ids(
    emulator: EmulatorProcess,
) -> None:
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)
    lock = threading.Lock()

    def worker() -> None:
        try:
            session = api_session()
            barrier.wait()
            response = session.post(
                f"{emulator.url}/CreateTask",
                json=backup_body(association(), association("oradb02", "SALES")),
                timeout=TIMEOUT_S,
            )
            with lock:
                answers.append(response.json())
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    task_ids = [a["taskId"] for a in answers]
    job_ids = [int(j) for a in answers for j in a["jobIds"]]
    assert len(set(task_ids)) == 20
    assert len(set(job_ids)) == 40
    for answer in answers:  # one task's jobs are consecutive
        first, second = (int(j) for j in answer["jobIds"])
        assert second == first + 1
    assert sorted(job_ids) == list(range(min(job_ids), min(job_ids) + 40))
    assert len(emulator.control.jobs()) == 40
    assert emulator.control.count("CreateTask") == 20


def test_create_task_ids_increase_across_calls(emulator: EmulatorProcess) -> None:
    first = create(emulator, backup_body())
    second = create(emulator, backup_body())
    assert second["taskId"] > first["taskId"]
    assert int(second["jobIds"][0]) > int(first["jobIds"][0])


def test_create_task_on_busy_subclient_in_reject_mode_answers_error_code_2(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.job_defaults(busy="reject")
    first = start_backup(emulator)
    answer = create(emulator, backup_body())
    assert answer["errorCode"] == 2
    assert f"[{first}] is already running" in answer["errorMessage"]


def test_create_task_without_token_answers_401_and_starts_nothing(
    emulator: EmulatorProcess,
) -> None:
    response = requests.post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=TIMEOUT_S)
    assert response.status_code == 401
    assert response.json() == {"errorMessage": "Access Denied", "errorCode": 5}
    assert emulator.control.jobs() == []
