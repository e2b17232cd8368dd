"""XML on request: Commvault's XML login response and XML error shape; JSON by default."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, TIMEOUT_S, association, backup_body

PASSWORD_B64 = "ZGVtby1QYTU1d29yZA=="  # base64 of the demo password
XML = {"Accept": "application/xml"}


def _xml(response: requests.Response) -> ET.Element:
    assert response.headers["Content-Type"].startswith("application/xml"), response.text
    return ET.fromstring(response.content)  # noqa: S314 - our own emulator's answer


def _login(
    emulator: EmulatorProcess, headers: dict[str, str], **kwargs: object
) -> requests.Response:
    return requests.post(f"{emulator.url}/Login", headers=headers, timeout=TIMEOUT_S, **kwargs)


def test_login_answers_json_by_default(emulator: EmulatorProcess) -> None:
    answer = _login(emulator, {}, json={"username": "admin", "password": PASSWORD_B64})

    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["token"].startswith("QSDK ")


def test_login_with_accept_xml_answers_the_check_credential_response(
    emulator: EmulatorProcess,
) -> None:
    answer = _login(emulator, XML, json={"username": "admin", "password": PASSWORD_B64})

    root = _xml(answer)
    assert root.tag == "DM2ContentIndexing_CheckCredentialResp"
    assert root.get("userName") == "admin"
    token = root.get("token")
    assert token is not None
    assert token.startswith("QSDK ")
    assert root.get("userGUID")
    who = requests.get(f"{emulator.url}/WhoAmI", headers={"Authtoken": token}, timeout=TIMEOUT_S)
    assert who.json()["user"]["userName"] == "admin"


def test_an_xml_login_request_is_read_as_older_tools_send_it(emulator: EmulatorProcess) -> None:
    body = (
        f'<DM2ContentIndexing_CheckCredentialReq mode="Webconsole" username="admin" '
        f'password="{PASSWORD_B64}" />'
    )

    answer = _login(emulator, {**XML, "Content-Type": "application/xml"}, data=body)

    assert _xml(answer).get("token", "").startswith("QSDK ")


def test_a_failed_xml_login_keeps_its_error_list(emulator: EmulatorProcess) -> None:
    answer = _login(emulator, XML, json={"username": "admin", "password": "d3Jvbmc="})

    root = _xml(answer)
    assert answer.status_code == 200
    assert root.get("token") is None
    (error,) = root.findall("errList")
    assert (error.get("errorCode"), error.get("errLogMessage")) == (
        "1116",
        "Invalid Username or Password",
    )


def test_access_denied_comes_in_the_xml_error_shape(emulator: EmulatorProcess) -> None:
    answer = requests.get(f"{emulator.url}/Client", headers=XML, timeout=TIMEOUT_S)

    root = _xml(answer)
    assert answer.status_code == 401
    assert root.tag == "CVGui_GenericResp"
    assert (root.get("errorCode"), root.get("errorMessage")) == ("5", "Access Denied")


@pytest.mark.parametrize(
    ("path", "status", "code"), [("NoSuchThing", 404, "404"), ("CreateTask", 200, "587207178")]
)
def test_other_failures_come_in_the_xml_error_shape(
    emulator: EmulatorProcess, path: str, status: int, code: str
) -> None:
    body = backup_body(association(client="nosuchclient"))
    headers = {**XML, "Authtoken": EMULATOR_TOKEN}

    answer = requests.post(f"{emulator.url}/{path}", json=body, headers=headers, timeout=10)

    root = _xml(answer)
    assert answer.status_code == status
    assert root.tag == "CVGui_GenericResp"
    assert root.get("errorCode") == code
    assert root.get("errorMessage")


def test_an_injected_429_in_xml_keeps_its_headers(emulator: EmulatorProcess) -> None:
    emulator.control.inject("Job/*", "status", status=429, retry_after=3)

    answer = requests.get(
        f"{emulator.url}/Job/1", headers={**XML, "Authtoken": EMULATOR_TOKEN}, timeout=10
    )

    assert answer.status_code == 429
    assert _xml(answer).get("errorCode") == "429"
    assert answer.headers["Retry-After"] == "3"
    assert answer.headers["X-RateLimit-Limit"] == "100"


def test_json_first_in_accept_keeps_json(emulator: EmulatorProcess) -> None:
    headers = {"Accept": "application/json, application/xml"}

    answer = requests.get(f"{emulator.url}/Client", headers=headers, timeout=TIMEOUT_S)

    assert answer.json() == {"errorCode": 5, "errorMessage": "Access Denied"}
