"""Injected faults: each kind, path and method matching, counts and clearing."""

from __future__ import annotations

import time

import pytest
import requests

from commvault_emulator.process import EmulatorError, EmulatorProcess
from emulator_support import EMULATOR_TOKEN, TIMEOUT_S, api_session, backup_body, cvpysdk_jobs_body


def _create(emulator: EmulatorProcess) -> requests.Response:
    return api_session().post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=TIMEOUT_S)


def _last_log(emulator: EmulatorProcess) -> dict[str, object]:
    return emulator.control.requests()[-1]


def test_status_fault_answers_503_for_count_requests_then_recovers(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.inject("CreateTask", "status", count=2, retry_after=3)
    for _ in range(2):
        response = _create(emulator)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "3"
        assert response.json()["errorCode"] == 503
    assert emulator.control.jobs() == []
    assert _create(emulator).status_code == 200
    statuses = [(r["status"], r["fault"]) for r in emulator.control.requests()]
    assert statuses == [(503, "status"), (503, "status"), (200, None)]


def test_status_fault_429_adds_rate_limit_headers(emulator: EmulatorProcess) -> None:
    emulator.control.inject("Job/*", "status", status=429, retry_after=1)
    response = api_session().get(f"{emulator.url}/Job/7", timeout=TIMEOUT_S)
    assert response.status_code == 429
    assert response.headers["X-RateLimit-Limit"]
    assert response.headers["X-RateLimit-Period"]
    assert response.headers["Retry-After"] == "1"


def test_html_fault_answers_a_502_proxy_page(emulator: EmulatorProcess) -> None:
    emulator.control.inject("WhoAmI", "html")
    response = api_session().get(f"{emulator.url}/WhoAmI", timeout=TIMEOUT_S)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Bad Gateway" in response.text


def test_drop_fault_closes_the_connection_without_answer(emulator: EmulatorProcess) -> None:
    emulator.control.inject("CreateTask", "drop")
    with pytest.raises(requests.ConnectionError):
        _create(emulator)
    assert emulator.control.jobs() == []
    record = _last_log(emulator)
    assert (record["status"], record["fault"], record["job_ids"]) == (0, "drop", None)


def test_delay_fault_answers_normally_after_the_delay(emulator: EmulatorProcess) -> None:
    emulator.control.inject("createtask", "delay", delay_seconds=0.4)
    started = time.monotonic()
    response = _create(emulator)
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert _last_log(emulator)["fault"] == "delay"


def test_expire_token_fault_expires_the_token_presented(emulator: EmulatorProcess) -> None:
    emulator.control.inject("Job/*", "expire_token")
    response = api_session().get(f"{emulator.url}/Job/1", timeout=TIMEOUT_S)
    assert response.status_code == 401
    assert response.json() == {"errorMessage": "Access Denied", "errorCode": 5}
    assert _create(emulator).status_code == 401
    emulator.control.reset()
    assert api_session(f"QSDK {EMULATOR_TOKEN}").get(emulator.url + "/WhoAmI").status_code == 200


def test_lose_answer_fault_starts_the_job_then_drops_the_connection(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.inject("CreateTask", "lose_answer")
    with pytest.raises(requests.ConnectionError):
        _create(emulator)
    (job,) = emulator.control.jobs()
    record = _last_log(emulator)
    assert (record["status"], record["fault"]) == (0, "lose_answer")
    assert record["job_ids"] == [str(job["jobId"])]
    listed = api_session().post(f"{emulator.url}/Jobs", json=cvpysdk_jobs_body(), timeout=5)
    assert listed.json()["totalRecordsWithoutPaging"] == 1


def test_lose_answer_is_refused_on_other_paths(emulator: EmulatorProcess) -> None:
    with pytest.raises(EmulatorError, match="CreateTask only"):
        emulator.control.inject("Job/*", "lose_answer")


def test_empty_fault_answers_200_with_no_body(emulator: EmulatorProcess) -> None:
    emulator.control.inject("CreateTask", "empty")
    response = _create(emulator)
    assert response.status_code == 200
    assert response.content == b""
    assert emulator.control.jobs() == []


def test_error_code_fault_answers_200_with_error_code(emulator: EmulatorProcess) -> None:
    emulator.control.inject("CreateTask", "error_code")
    answer = _create(emulator).json()
    assert answer["errorCode"] == 2
    assert answer["errorMessage"]
    assert emulator.control.jobs() == []


def test_fault_matches_method_and_path_case_insensitively(emulator: EmulatorProcess) -> None:
    emulator.control.inject("JOB/*", "status", method="get", count=5)
    session = api_session()
    assert session.post(f"{emulator.url}/Job/1/action/kill", timeout=5).status_code == 200
    assert session.get(f"{emulator.url}/job/1", timeout=5).status_code == 503
    assert session.post(f"{emulator.url}/Jobs", json={}, timeout=5).status_code == 200
    assert session.get(f"{emulator.url}/Job", timeout=5).status_code == 200


def test_fault_on_base_path_and_under_the_second_prefix(emulator: EmulatorProcess) -> None:
    emulator.control.inject("", "status", status=500)
    url = f"{emulator.root_url}/SearchSvc/CVWebService.svc/"
    assert requests.get(url, timeout=TIMEOUT_S).status_code == 500
    assert requests.get(url, timeout=TIMEOUT_S).status_code == 200


def test_clear_faults_removes_every_rule(emulator: EmulatorProcess) -> None:
    emulator.control.inject("CreateTask", "status", count=10)
    emulator.control.clear_faults()
    assert _create(emulator).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"path": "CreateTask", "kind": "explode"},
        {"kind": "status"},
        {"path": "CreateTask", "kind": "status", "status": 42},
        {"path": "CreateTask", "kind": "delay", "delay_seconds": -1},
    ],
)
def test_invalid_fault_is_refused(emulator: EmulatorProcess, body: dict[str, object]) -> None:
    response = requests.post(f"{emulator.root_url}/_emulator/faults", json=body, timeout=5)
    assert response.status_code == 400
    assert "error" in response.json()
