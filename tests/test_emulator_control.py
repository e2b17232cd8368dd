"""The request log, the control plane's isolation, reset, and unknown paths."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, TIMEOUT_S, api_session, backup_body

PASSWORD = "demo-Pa55word"


def test_request_log_names_every_endpoint_in_order(emulator: EmulatorProcess) -> None:
    session = api_session()
    url = emulator.url
    calls = [
        ("GET", "", None, "Base"),
        ("POST", "Login", {"username": "admin", "password": "eA=="}, "Login"),
        ("GET", "WhoAmI", None, "WhoAmI"),
        ("POST", "RenewLoginToken", {"sessionId": "QSDK x"}, "RenewLoginToken"),
        ("POST", "CreateTask", backup_body(), "CreateTask"),
        ("GET", "Job/7", None, "Job"),
        ("POST", "JobDetails", {"jobId": 1}, "JobDetails"),
        ("POST", "Job/1/action/kill", None, "JobAction"),
        ("POST", "Jobs", {}, "Jobs"),
        ("GET", "Client", None, "Client"),
        ("GET", "Client/2", None, "Client"),
        ("GET", "Instance?clientId=2", None, "Instance"),
        ("GET", "Subclient?clientId=2&applicationId=22", None, "Subclient"),
        ("GET", "CommServ", None, "CommServ"),
        ("GET", "GetId?clientName=oradb01", None, "GetId"),
        ("GET", "NoSuchThing", None, "Unknown"),
        ("POST", "Logout", None, "Logout"),
    ]
    for method, path, body, _ in calls:
        session.request(method, f"{url}/{path}", json=body, timeout=TIMEOUT_S)
    records = emulator.control.requests()
    assert [r["endpoint"] for r in records] == [endpoint for *_, endpoint in calls]
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert records[5]["path"] == "/commandcenter/api/Job/7"
    assert records[11]["path"] == "/commandcenter/api/Instance?clientId=2"
    create = records[4]
    assert create["status"] == 200
    assert create["fault"] is None
    assert create["job_ids"] == [str(emulator.control.jobs()[0]["jobId"])]
    assert records[15]["status"] == 404
    assert all(isinstance(r["time"], float) for r in records)
    assert emulator.control.count("Client") == 2


def test_request_log_never_holds_a_token_or_password(emulator: EmulatorProcess) -> None:
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    login = requests.post(
        f"{emulator.url}/Login",
        json={"mode": 4, "username": "admin", "password": encoded},
        timeout=TIMEOUT_S,
    ).json()
    token = login["token"]
    bare = token.split(" ", 1)[1]
    session = api_session(token)
    session.get(f"{emulator.url}/WhoAmI", timeout=TIMEOUT_S)
    session.post(f"{emulator.url}/RenewLoginToken", json={"sessionId": token}, timeout=TIMEOUT_S)
    requests.get(
        f"{emulator.url}/Client",
        headers={"Authorization": f"Bearer {EMULATOR_TOKEN}"},
        timeout=TIMEOUT_S,
    )
    emulator.control.inject("WhoAmI", "expire_token")
    api_session().get(f"{emulator.url}/WhoAmI", timeout=TIMEOUT_S)
    text = json.dumps(emulator.control.requests())
    for secret in (PASSWORD, encoded, bare, EMULATOR_TOKEN, "Authorization", "Authtoken"):
        assert secret not in text
    jobs_text = json.dumps(emulator.control.jobs())
    assert EMULATOR_TOKEN not in jobs_text


def test_clear_requests_empties_the_log(emulator: EmulatorProcess) -> None:
    requests.get(emulator.url, timeout=TIMEOUT_S)
    emulator.control.clear_requests()
    assert emulator.control.requests() == []


@pytest.mark.parametrize(
    "path",
    [
        "/commandcenter/api/_emulator/requests",
        "/commandcenter/api/_emulator/reset",
        "/SearchSvc/CVWebService.svc/_emulator/requests",
    ],
)
def test_control_plane_is_not_reachable_under_an_api_prefix(
    emulator: EmulatorProcess, path: str
) -> None:
    api_session().post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=TIMEOUT_S)
    for method in ("GET", "POST"):
        response = requests.request(method, emulator.root_url + path, timeout=TIMEOUT_S)
        assert response.status_code == 404
        assert "errorMessage" in response.json()
    assert len(emulator.control.jobs()) == 1  # reset did not run
    assert emulator.control.count("Unknown") == 2


def test_control_plane_requests_are_not_logged(emulator: EmulatorProcess) -> None:
    emulator.control.jobs()
    emulator.control.inventory()
    emulator.control.clear_faults()
    assert emulator.control.requests() == []


def test_unknown_api_path_and_method_answer_json_errors(emulator: EmulatorProcess) -> None:
    session = api_session()
    unknown = session.get(f"{emulator.url}/V4/Nothing/Here", timeout=TIMEOUT_S)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith("application/json")
    assert "errorMessage" in unknown.json()
    wrong_method = session.get(f"{emulator.url}/CreateTask", timeout=TIMEOUT_S)
    assert wrong_method.status_code == 405
    outside = requests.get(f"{emulator.root_url}/webconsole/other", timeout=TIMEOUT_S)
    assert outside.status_code == 404


def test_unknown_control_path_answers_404_and_bad_json_400(emulator: EmulatorProcess) -> None:
    root = f"{emulator.root_url}/_emulator"
    assert requests.get(f"{root}/nothing", timeout=TIMEOUT_S).status_code == 404
    bad = requests.post(f"{root}/faults", data=b"{", timeout=TIMEOUT_S)
    assert bad.status_code == 400
    assert "error" in bad.json()


def test_reset_clears_jobs_faults_log_and_sessions_but_ids_keep_rising(
    emulator: EmulatorProcess,
) -> None:
    session = api_session()
    first = session.post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=5).json()
    login = requests.post(
        f"{emulator.url}/Login",
        json={"username": "admin", "password": base64.b64encode(PASSWORD.encode()).decode()},
        timeout=TIMEOUT_S,
    ).json()
    emulator.control.inject("CreateTask", "status", count=5)
    emulator.control.job_defaults(seconds=9, outcome="Failed")
    emulator.control.reset()
    assert emulator.control.jobs() == []
    assert emulator.control.requests() == []
    assert api_session(login["token"]).get(f"{emulator.url}/WhoAmI", timeout=5).status_code == 401
    second = session.post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=5).json()
    assert second["taskId"] > first["taskId"]
    assert int(second["jobIds"][0]) > int(first["jobIds"][0])
    (job,) = emulator.control.jobs()
    assert (job["seconds"], job["outcome"]) == (1.0, "Completed")
