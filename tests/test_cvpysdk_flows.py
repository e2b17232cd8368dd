"""Commvault's own Python SDK, cvpysdk 11.44 unmodified, drives the emulator process.

Each flow is cvpysdk's standard Oracle one: ``Commcell(...)`` -> ``clients.get`` ->
``agents.get("oracle")`` -> ``instances.get("ORCL")`` -> ``subclients.get("default")`` ->
``backup(...)`` -> ``Job.wait_for_completion()`` / ``Job.kill()``.
"""

from __future__ import annotations

import pytest
from cvpysdk.commcell import Commcell

from commvault_emulator.process import EmulatorProcess
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME
from cvpysdk_support import (  # noqa: F401 (fixtures)
    cvpysdk_emulator,
    emulator_for_cvpysdk,
    host_of,
    not_found_paths,
    oracle_subclient,
    password_login,
    token_login,
)
from emulator_support import EMULATOR_TOKEN, api_session

# cvpysdk 11.44's own modules have invalid escape sequences in docstrings.
pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


def test_password_login_walks_the_inventory_to_the_oracle_subclient(
    emulator: EmulatorProcess,
) -> None:
    commcell = password_login(emulator)
    subclient = oracle_subclient(commcell)

    assert commcell.commserv_name == "cs-emulator"
    assert str(subclient.subclient_id) == "101"
    assert subclient.subclient_name == "default"
    assert subclient._backupset_object.backupset_name == "default"
    assert not_found_paths(emulator) == []
    assert emulator.control.count("Login") == 1


def test_without_a_web_service_url_cvpysdk_falls_back_from_https_to_http(
    emulator: EmulatorProcess,
) -> None:
    commcell = Commcell(host_of(emulator), DEMO_USERNAME, DEMO_PASSWORD)

    assert commcell._web_service == f"{emulator.url}/"
    assert emulator.control.count("Login") == 1


def test_token_login_with_the_preissued_key_knows_the_user(emulator: EmulatorProcess) -> None:
    commcell = token_login(emulator, EMULATOR_TOKEN)

    assert commcell.commcell_username == "admin"
    assert str(oracle_subclient(commcell).subclient_id) == "101"
    assert emulator.control.count("Login") == 0
    assert not_found_paths(emulator) == []


def test_token_login_with_a_session_token_from_login(emulator: EmulatorProcess) -> None:
    answer = api_session(None).post(
        f"{emulator.url}/Login",
        json={"mode": 4, "username": "admin", "password": "ZGVtby1QYTU1d29yZA=="},
        timeout=10,
    )
    commcell = token_login(emulator, answer.json()["token"])

    assert commcell.commcell_username == "admin"
    assert commcell.clients.has_client("oradb01")


@pytest.mark.parametrize("level", ["full", "incremental"])
def test_backup_completes_and_wait_for_completion_is_true(
    emulator: EmulatorProcess, level: str
) -> None:
    job = oracle_subclient(password_login(emulator)).backup(level)

    assert job.wait_for_completion() is True
    assert job.status == "Completed"
    (emulated,) = emulator.control.jobs()
    assert emulated["jobId"] == int(job.job_id)
    assert emulated["backupLevel"] == level.capitalize()
    assert emulated["cumulative"] is False


def test_cumulative_incremental_goes_through_createtask_with_the_flag(
    emulator: EmulatorProcess,
) -> None:
    job = oracle_subclient(password_login(emulator)).backup("incremental", cumulative=True)

    assert job.wait_for_completion() is True
    (emulated,) = emulator.control.jobs()
    assert (emulated["backupLevel"], emulated["cumulative"]) == ("Incremental", True)
    assert emulator.control.count("CreateTask") == 1


def test_failed_job_makes_wait_for_completion_false(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(outcome="Failed")
    job = oracle_subclient(password_login(emulator)).backup("full")

    assert job.wait_for_completion() is False
    assert job.status == "Failed"
    assert "ORA-19511" in job.delay_reason


def test_kill_of_a_running_job_ends_it_killed(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(seconds=60)
    job = oracle_subclient(password_login(emulator)).backup("full")

    job.kill(wait_for_job_to_kill=True)

    assert job.status == "Killed"
    assert job.wait_for_completion() is False
    (emulated,) = emulator.control.jobs()
    assert emulated["killedAt"] is not None
    assert emulator.control.count("JobAction") == 1
