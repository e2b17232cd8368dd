"""Every surprising answer becomes one typed error that names the CommServe and the call."""

from __future__ import annotations

import pytest
import requests

from pulumi_commvault import (
    AmbiguousCreateError,
    AuthenticationError,
    CommvaultClient,
    InvalidRequestError,
    NotFoundError,
    UnexpectedAnswerError,
)
from pulumi_commvault.commvault.backups import BackupRequest, Database, start_backup
from pulumi_commvault.commvault.models import Association, CreateTaskRequest

ORCL = Database("oradb01", "ORCL", "default")


def full_backup(*databases: Database) -> CreateTaskRequest:
    return CreateTaskRequest.oracle_backup(
        [db.association() for db in databases or (ORCL,)], level="Full"
    )


def test_create_task_answers_integer_task_id_and_string_job_ids(client, emulator):
    answer = client.create_task(full_backup())
    assert isinstance(answer.task_id, int)
    assert len(answer.job_ids) == 1
    assert all(isinstance(job_id, str) for job_id in answer.job_ids)
    assert [str(j["jobId"]) for j in emulator.control.jobs()] == answer.job_ids


def test_create_task_body_is_the_documented_oracle_backup_json():
    request = CreateTaskRequest.oracle_backup(
        [Association(client_name="oradb01", instance_name="ORCL", subclient_name="default")],
        level="Incremental",
        cumulative=True,
        notify_on_completion=True,
        job_description="before migration [pulumi-commvault:abc]",
    )
    assert request.to_wire() == {
        "taskInfo": {
            "task": {},
            "associations": [
                {
                    "clientName": "oradb01",
                    "instanceName": "ORCL",
                    "subclientName": "default",
                    "backupsetName": "default",
                    "appName": "Oracle",
                    "applicationId": 22,
                }
            ],
            "subTasks": [
                {
                    "subTask": {"subTaskType": "BACKUP", "operationType": "BACKUP"},
                    "options": {
                        "backupOpts": {
                            "backupLevel": "Incremental",
                            "oracleOptions": {"cumulative": True},
                        },
                        "commonOpts": {
                            "notifyUserOnJobCompletion": True,
                            "jobDescription": "before migration [pulumi-commvault:abc]",
                        },
                    },
                }
            ],
        }
    }


def test_one_task_for_several_databases_starts_one_job_each(client, emulator):
    answer = client.create_task(full_backup(ORCL, Database("oradb02", "SALES")))
    assert len(answer.job_ids) == 2
    assert emulator.control.count("CreateTask") == 1


def test_create_task_naming_an_unknown_subclient_raises_not_found_naming_it(client):
    with pytest.raises(NotFoundError) as caught:
        client.create_task(full_backup(Database("oradb01", "ORCL", "nosuchsub")))
    assert "nosuchsub" in str(caught.value)
    assert "POST CreateTask" in str(caught.value)
    assert client.base_url in str(caught.value)


def test_create_task_naming_an_unknown_client_raises_not_found_naming_it(client):
    with pytest.raises(NotFoundError, match="ghost01"):
        client.create_task(full_backup(Database("ghost01", "ORCL")))


def test_200_with_an_error_code_is_an_invalid_request_error(client, emulator):
    emulator.control.inject("CreateTask", "error_code")
    with pytest.raises(InvalidRequestError, match="error 2"):
        client.create_task(full_backup())
    assert emulator.control.jobs() == []


def test_unknown_job_is_none_from_find_job_and_not_found_from_get_job(client):
    assert client.find_job("999999999") is None
    with pytest.raises(NotFoundError, match="999999999"):
        client.get_job("999999999")


def test_html_page_from_a_proxy_on_a_read_is_an_unexpected_answer(fast_client, emulator):
    emulator.control.inject("WhoAmI", "html", count=10)
    with pytest.raises(UnexpectedAnswerError, match="HTML page") as caught:
        fast_client.who_am_i()
    assert "proxy" in str(caught.value)


def test_html_page_on_create_task_sends_again_only_after_finding_no_job(fast_client, emulator):
    request = BackupRequest((ORCL,), "Full", marker="html-proxy-1")
    emulator.control.inject("CreateTask", "html")
    started = start_backup(fast_client, request, adoptable=lambda s: True, sleep=lambda s: None)
    assert len(started) == 1
    assert len(emulator.control.jobs()) == 1
    assert emulator.control.count("CreateTask") == 2


def test_empty_answer_to_create_task_is_reported_not_resent(fast_client, emulator):
    emulator.control.inject("CreateTask", "empty")
    request = BackupRequest((ORCL,), "Full", marker="empty-answer-1")
    with pytest.raises(AmbiguousCreateError, match="no job marked"):
        start_backup(fast_client, request, adoptable=lambda s: True, sleep=lambda s: None)
    assert emulator.control.count("CreateTask") == 1


def test_missing_token_on_the_wire_is_access_denied(emulator):
    answer = requests.post(f"{emulator.url}/CreateTask", json={}, timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {"errorMessage": "Access Denied", "errorCode": 5}


def test_bad_token_is_an_authentication_error(emulator):
    with pytest.raises(AuthenticationError):
        CommvaultClient(emulator.url, token="not-a-real-token").who_am_i()
