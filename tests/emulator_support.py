"""Helpers for the emulator tests: an API session, CreateTask bodies, job polling."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import requests

from commvault_emulator.process import EmulatorProcess

EMULATOR_TOKEN = "test-api-key-0123456789"
TIMEOUT_S = 10


def own_emulator(*flags: str, job_seconds: float = 0.5) -> Iterator[EmulatorProcess]:
    """A test module's own emulator, started with ``flags`` (``yield from`` it in a fixture)."""
    with EmulatorProcess(
        token=EMULATOR_TOKEN, job_seconds=job_seconds, extra_args=flags
    ) as process:
        yield process


def refused_flags(*flags: str) -> str:
    """Start the emulator with ``flags`` it must refuse; its stderr (after asserting exit 2)."""
    done = subprocess.run(
        [sys.executable, "-m", "commvault_emulator", *flags],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    return done.stderr


def api_session(token: str | None = EMULATOR_TOKEN) -> requests.Session:
    """A session with Commvault's JSON headers and, when given, the ``Authtoken`` header."""
    session = requests.Session()
    session.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
    if token is not None:
        session.headers["Authtoken"] = token
    return session


def association(
    client: str = "oradb01", instance: str = "ORCL", subclient: str = "default"
) -> dict[str, Any]:
    """An association as the contract's example writes it."""
    return {
        "clientName": client,
        "displayName": client,
        "instanceName": instance,
        "appName": "Oracle",
        "applicationId": 22,
        "subclientName": subclient,
    }


def backup_body(
    *associations: dict[str, Any],
    level: Any = None,
    cumulative: bool | None = None,
    description: str | None = None,
    notify: bool | None = None,
    numeric: bool = False,
) -> dict[str, Any]:
    """A CreateTask body: the contract's string subtask form, or cvpysdk's numeric one."""
    backup_opts: dict[str, Any] = {}
    if level is not None:
        backup_opts["backupLevel"] = level
    if cumulative is not None:
        backup_opts["oracleOptions"] = {"cumulative": cumulative}
    common_opts: dict[str, Any] = {}
    if description is not None:
        common_opts["jobDescription"] = description
    if notify is not None:
        common_opts["notifyUserOnJobCompletion"] = notify
    subtask: dict[str, Any] = (
        {"subTaskType": 2, "operationType": 2}
        if numeric
        else {"subTaskType": "BACKUP", "operationType": "BACKUP"}
    )
    entry: dict[str, Any] = {
        "subTask": subtask,
        "options": {"backupOpts": backup_opts, "commonOpts": common_opts},
    }
    if numeric:
        entry["subTaskOperation"] = 1
    return {
        "taskInfo": {
            "task": {},
            "associations": list(associations) or [association()],
            "subTasks": [entry],
        }
    }


def create(emulator: EmulatorProcess, body: Any, session: requests.Session | None = None) -> Any:
    """POST CreateTask and return the JSON answer (asserting HTTP 200)."""
    response = (session or api_session()).post(
        f"{emulator.url}/CreateTask", json=body, timeout=TIMEOUT_S
    )
    assert response.status_code == 200, response.text
    return response.json()


def start_backup(emulator: EmulatorProcess, **kwargs: Any) -> str:
    """Start one backup of oradb01/ORCL/default (or the given association); its job id."""
    assoc = kwargs.pop("assoc", association())
    answer = create(emulator, backup_body(assoc, **kwargs))
    job_ids: list[str] = answer["jobIds"]
    return job_ids[0]


def summary(emulator: EmulatorProcess, job_id: str) -> dict[str, Any]:
    response = api_session().get(f"{emulator.url}/Job/{job_id}", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totalRecordsWithoutPaging"] == 1, body
    job: dict[str, Any] = body["jobs"][0]["jobSummary"]
    return job


def wait_for(
    emulator: EmulatorProcess, job_id: str, *statuses: str, timeout_s: float = 5.0
) -> dict[str, Any]:
    """Poll a job until its status is one of ``statuses``; its last summary."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = summary(emulator, job_id)
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s} s")
        time.sleep(0.05)


def kill_job(emulator: EmulatorProcess, job_id: str) -> None:
    """Kill a job through the API, as a Command Center user would."""
    response = api_session().post(f"{emulator.url}/Job/{job_id}/action/kill", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text


def wait_until_ended(emulator: EmulatorProcess, job_id: str, timeout_s: float = 15.0) -> None:
    """Poll the emulator's job list until the job has ended (any way it ends)."""
    deadline = time.monotonic() + timeout_s
    while True:
        [job] = [j for j in emulator.control.jobs() if str(j["jobId"]) == job_id]
        if job["endedAt"]:
            return
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.05)


def jobs_query(emulator: EmulatorProcess, body: dict[str, Any]) -> dict[str, Any]:
    response = api_session().post(f"{emulator.url}/Jobs", json=body, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def cvpysdk_jobs_body(
    category: int = 0,
    limit: int = 20,
    offset: int = 0,
    lookup_s: int = 5 * 3600,
    clients: list[dict[str, Any]] | None = None,
    job_types: list[Any] | None = None,
) -> dict[str, Any]:
    """The body cvpysdk's ``JobController._get_jobs_request_json`` builds."""
    return {
        "scope": 1,
        "category": category,
        "pagingConfig": {
            "sortDirection": 1,
            "offset": offset,
            "sortField": "jobId",
            "limit": limit,
        },
        "jobFilter": {
            "completedJobLookupTime": lookup_s,
            "showAgedJobs": False,
            "hideAdminJobs": False,
            "clientList": clients or [],
            "jobTypeList": job_types or [],
        },
    }
