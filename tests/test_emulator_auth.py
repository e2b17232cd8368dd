"""Login, Logout, RenewLoginToken, WhoAmI, token forms and token expiry."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, TIMEOUT_S, api_session

DEMO_PASSWORD = "demo-Pa55word"
ACCESS_DENIED = {"errorMessage": "Access Denied", "errorCode": 5}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _login(
    emulator: EmulatorProcess,
    username: str = "admin",
    password: str = _b64(DEMO_PASSWORD),
    **extra: Any,
) -> Any:
    body = {"mode": 4, "username": username, "password": password, "deviceId": "host-1"}
    body.update(extra)
    response = api_session(None).post(f"{emulator.url}/Login", json=body, timeout=TIMEOUT_S)
    assert response.status_code == 200
    return response.json()


def _who_am_i(emulator: EmulatorProcess, **headers: str) -> requests.Response:
    return requests.get(f"{emulator.url}/WhoAmI", headers=headers, timeout=TIMEOUT_S)


def _renew(emulator: EmulatorProcess, session_id: str, device_id: str = "host-1") -> Any:
    response = api_session(None).post(
        f"{emulator.url}/RenewLoginToken",
        json={"sessionId": session_id, "deviceId": device_id},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 200
    return response.json()


def test_base_url_answers_200_without_a_token(emulator: EmulatorProcess) -> None:
    assert requests.get(emulator.url, timeout=TIMEOUT_S).status_code == 200
    assert requests.get(emulator.url + "/", timeout=TIMEOUT_S).status_code == 200


def test_login_answers_a_qsdk_token_that_authenticates(emulator: EmulatorProcess) -> None:
    answer = _login(emulator, username="ADMIN")
    assert answer["userName"] == "admin"
    assert answer["token"].startswith("QSDK ")
    response = _who_am_i(emulator, Authtoken=answer["token"])
    assert response.status_code == 200
    assert response.json()["user"]["userName"] == "admin"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("admin", _b64("wrong")),
        ("nobody", _b64(DEMO_PASSWORD)),
        ("admin", DEMO_PASSWORD),  # not base64-encoded
        ("admin", ""),
    ],
)
def test_login_with_bad_credentials_answers_200_err_list(
    emulator: EmulatorProcess, username: str, password: str
) -> None:
    answer = _login(emulator, username=username, password=password)
    assert "token" not in answer
    (error,) = answer["errList"]
    assert error["errLogMessage"] == "Invalid Username or Password"
    assert isinstance(error["errorCode"], int)


def test_login_with_a_malformed_body_answers_400(emulator: EmulatorProcess) -> None:
    response = requests.post(f"{emulator.url}/Login", data=b"mode=4", timeout=TIMEOUT_S)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authtoken": ""},
        {"Authtoken": "QSDK not-a-token"},
        {"Authtoken": "not-a-token"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {_b64('admin:' + DEMO_PASSWORD)}"},
    ],
)
def test_missing_or_unknown_token_answers_401_access_denied(
    emulator: EmulatorProcess, headers: dict[str, str]
) -> None:
    response = _who_am_i(emulator, **headers)
    assert response.status_code == 401
    assert response.json() == ACCESS_DENIED


@pytest.mark.parametrize(
    "headers",
    [
        {"Authtoken": EMULATOR_TOKEN},
        {"Authtoken": f"QSDK {EMULATOR_TOKEN}"},
        {"Authtoken": f"Bearer {EMULATOR_TOKEN}"},
        {"Authorization": f"Bearer {EMULATOR_TOKEN}"},
    ],
)
def test_pre_issued_token_is_accepted_in_every_form(
    emulator: EmulatorProcess, headers: dict[str, str]
) -> None:
    assert _who_am_i(emulator, **headers).status_code == 200


def test_who_am_i_answers_post_as_cvpysdk_sends_it(emulator: EmulatorProcess) -> None:
    response = api_session().post(f"{emulator.url}/WhoAmI", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.json()["user"]["userName"] == "admin"


def test_logout_answers_text_and_the_token_stops_working(emulator: EmulatorProcess) -> None:
    token = _login(emulator)["token"]
    response = requests.post(f"{emulator.url}/Logout", headers={"Authtoken": token}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "User logged out"
    assert _who_am_i(emulator, Authtoken=token).status_code == 401
    assert "error" in _renew(emulator, token)


def test_renew_login_token_replaces_the_old_token(emulator: EmulatorProcess) -> None:
    old = _login(emulator)["token"]
    new = _renew(emulator, old)["token"]
    assert new.startswith("QSDK ")
    assert new != old
    assert _who_am_i(emulator, Authtoken=new).status_code == 200
    assert _who_am_i(emulator, Authtoken=old).status_code == 401
    assert "errLogMessage" in _renew(emulator, old)["error"]


def test_renew_works_for_an_expired_session_but_not_an_unknown_one(
    emulator: EmulatorProcess,
) -> None:
    token = _login(emulator)["token"]
    emulator.control.expire_tokens()
    assert _who_am_i(emulator, Authtoken=token).status_code == 401
    assert _who_am_i(emulator, Authtoken=_renew(emulator, token)["token"]).status_code == 200
    assert "error" in _renew(emulator, "QSDK 0123")
    assert "error" in _renew(emulator, EMULATOR_TOKEN)


def test_renew_from_another_device_is_refused(emulator: EmulatorProcess) -> None:
    token = _login(emulator)["token"]
    assert "device id" in _renew(emulator, token, device_id="host-2")["error"]["errLogMessage"]


def test_expire_tokens_expires_sessions_and_the_pre_issued_token_until_reset(
    emulator: EmulatorProcess,
) -> None:
    token = _login(emulator)["token"]
    emulator.control.expire_tokens()
    assert _who_am_i(emulator, Authtoken=token).status_code == 401
    assert _who_am_i(emulator, Authtoken=EMULATOR_TOKEN).status_code == 401
    emulator.control.reset()
    assert _who_am_i(emulator, Authtoken=EMULATOR_TOKEN).status_code == 200
    assert _who_am_i(emulator, Authtoken=token).status_code == 401


def test_expired_token_gets_401_and_a_new_login_works(emulator: EmulatorProcess) -> None:
    first = _login(emulator)["token"]
    emulator.control.expire_tokens()
    assert _who_am_i(emulator, Authtoken=first).json() == ACCESS_DENIED
    assert _who_am_i(emulator, Authtoken=_login(emulator)["token"]).status_code == 200


@pytest.fixture(scope="module")
def short_ttl_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(extra_args=["--token-ttl-seconds", "0.5"]) as process:
        yield process


def test_session_token_expires_after_inactivity(short_ttl_emulator: EmulatorProcess) -> None:
    kept_alive = _login(short_ttl_emulator)["token"]
    idle = _login(short_ttl_emulator)["token"]
    for _ in range(4):
        time.sleep(0.2)
        assert _who_am_i(short_ttl_emulator, Authtoken=kept_alive).status_code == 200
    assert _who_am_i(short_ttl_emulator, Authtoken=idle).status_code == 401


def test_login_timeout_field_sets_the_session_lifetime(
    short_ttl_emulator: EmulatorProcess,
) -> None:
    token = _login(short_ttl_emulator, timeout=1)["token"]  # minutes
    time.sleep(0.7)
    assert _who_am_i(short_ttl_emulator, Authtoken=token).status_code == 200
