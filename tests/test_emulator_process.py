"""The emulator as a process: start-up line, signals, latency, keep-alive and TLS."""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path

import pytest
import requests
import trustme

from commvault_emulator.process import EmulatorControl, EmulatorProcess
from emulator_support import EMULATOR_TOKEN, TIMEOUT_S, api_session, backup_body


def test_first_stdout_line_is_the_api_base_url(emulator: EmulatorProcess) -> None:
    assert emulator.url.startswith("http://127.0.0.1:")
    assert emulator.url.endswith("/commandcenter/api")
    assert emulator.root_url + "/commandcenter/api" == emulator.url
    assert emulator.pid > 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_emulator_cleanly_with_exit_code_0(signum: signal.Signals) -> None:
    process = EmulatorProcess().start()
    try:
        requests.get(process.url, timeout=TIMEOUT_S)  # with a keep-alive connection open
        process.send_signal(signum)
        assert process.wait(5) == 0
    finally:
        process.stop()


def test_stop_returns_the_exit_code() -> None:
    process = EmulatorProcess().start()
    assert process.stop() == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(process.url, timeout=TIMEOUT_S)


def test_latency_delays_api_answers_but_not_the_control_plane() -> None:
    with EmulatorProcess(latency_ms=300, token=EMULATOR_TOKEN) as process:
        started = time.monotonic()
        api_session().get(f"{process.url}/WhoAmI", timeout=TIMEOUT_S)
        api_elapsed = time.monotonic() - started
        started = time.monotonic()
        process.control.requests()
        control_elapsed = time.monotonic() - started
    assert api_elapsed >= 0.3
    assert control_elapsed < 0.25


def test_keep_alive_serves_several_requests_on_one_connection(emulator: EmulatorProcess) -> None:
    host, port = emulator.root_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT_S)
    headers = {"Authtoken": EMULATOR_TOKEN, "Content-Type": "application/json"}
    try:
        for _ in range(3):
            connection.request(
                "POST", "/commandcenter/api/CreateTask", json.dumps(backup_body()), headers
            )
            response = connection.getresponse()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(response.read())
        connection.request("GET", "/commandcenter/api/nowhere", headers=headers)
        assert connection.getresponse().status == 404
    finally:
        connection.close()
    assert emulator.control.count("CreateTask") == 3


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    ca_path, cert_path, key_path = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    authority.cert_pem.write_to_path(str(ca_path))
    certificate.cert_chain_pems[0].write_to_path(str(cert_path))
    for blob in certificate.cert_chain_pems[1:]:
        blob.write_to_path(str(cert_path), append=True)
    certificate.private_key_pem.write_to_path(str(key_path))
    return ca_path, cert_path, key_path


def test_tls_serves_https_verified_with_the_ca_bundle(tls_files: tuple[Path, Path, Path]) -> None:
    ca_path, cert_path, key_path = tls_files
    with EmulatorProcess(
        token=EMULATOR_TOKEN, tls_cert=cert_path, tls_key=key_path, verify=str(ca_path)
    ) as process:
        assert process.url.startswith("https://127.0.0.1:")
        answer = (
            api_session()
            .post(f"{process.url}/CreateTask", json=backup_body(), timeout=5, verify=str(ca_path))
            .json()
        )
        assert len(answer["jobIds"]) == 1
        assert process.control.count("CreateTask") == 1
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(process.url, timeout=TIMEOUT_S)  # not trusted without the CA
        plain = process.url.replace("https://", "http://")
        with pytest.raises(requests.ConnectionError):
            requests.get(plain, timeout=TIMEOUT_S)
        again = EmulatorControl(process.root_url, verify=str(ca_path))
        assert again.jobs()[0]["jobId"] == int(answer["jobIds"][0])
        again.close()


def test_a_restarted_emulator_never_hands_out_a_job_id_an_earlier_run_gave() -> None:
    given: list[int] = []
    for _ in range(2):
        with EmulatorProcess(token=EMULATOR_TOKEN) as process:
            session = api_session()
            for _ in range(3):
                url = f"{process.url}/CreateTask"
                answer = session.post(url, json=backup_body(), timeout=TIMEOUT_S)
                given += [int(job_id) for job_id in answer.json()["jobIds"]]
    assert len(given) == 6
    assert given == sorted(set(given))


@pytest.mark.parametrize(
    ("flags", "job_id", "task_id"),
    [
        (["--first-job-id", "3400891", "--first-task-id", "58798"], "3400891", 58798),
        (["--first-job-id", "5", "--first-task-id", "1"], "5", 1),
    ],
)
def test_first_ids_can_be_pinned(flags: list[str], job_id: str, task_id: int) -> None:
    with EmulatorProcess(token=EMULATOR_TOKEN, extra_args=flags) as process:
        url = f"{process.url}/CreateTask"
        answer = api_session().post(url, json=backup_body(), timeout=TIMEOUT_S).json()
    assert (answer["jobIds"], answer["taskId"]) == ([job_id], task_id)
