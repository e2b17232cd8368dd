"""Tokens and passwords never reach a log line, an exception or a repr."""

from __future__ import annotations

import logging
import pickle

import pytest

from pulumi_commvault import CommvaultClient, CommvaultError
from pulumi_commvault.commvault.backups import BackupRequest, Database, start_backup
from pulumi_commvault.commvault.transport import RetryPolicy

FAST = RetryPolicy(attempts=1, backoff_factor_s=0.01, backoff_max_s=0.05, jitter_s=0.0)


def exercise_failures(client: CommvaultClient, emulator) -> list[str]:
    """Drive the client through success and every kind of failure; collect what it says."""
    said: list[str] = [repr(client)]
    client.who_am_i()
    for path, kind in [
        ("WhoAmI", "expire_token"),
        ("WhoAmI", "html"),
        ("WhoAmI", "status"),
        ("WhoAmI", "drop"),
        ("WhoAmI", "expire_token"),
        ("CreateTask", "lose_answer"),
        ("CreateTask", "error_code"),
    ]:
        emulator.control.inject(path, kind, count=3)
        try:
            if path == "CreateTask":
                request = BackupRequest((Database("oradb01", "ORCL"),), "Full", marker=kind)
                start_backup(client, request, adoptable=lambda s: True, sleep=lambda s: None)
            else:
                client.who_am_i()
        except CommvaultError as exc:
            said += [str(exc), repr(exc), exc.detail]
        emulator.control.clear_faults()
    return said


def test_password_and_session_token_never_appear_in_logs_errors_or_repr(
    emulator, demo_user, caplog
):
    caplog.set_level(logging.DEBUG)
    client = CommvaultClient(emulator.url, username=demo_user[0], password=demo_user[1], retry=FAST)
    said = exercise_failures(client, emulator)
    session_token = client._token
    assert session_token
    text = "\n".join(said) + "\n" + caplog.text
    for secret in (demo_user[1], session_token, session_token.removeprefix("QSDK ")):
        assert secret not in text
    assert "Login" in caplog.text or emulator.control.count("Login") >= 2


def test_api_token_never_appears_in_logs_errors_or_repr(emulator, api_token, caplog):
    caplog.set_level(logging.DEBUG)
    client = CommvaultClient(emulator.url, token=api_token, retry=FAST)
    said = exercise_failures(client, emulator)
    assert api_token not in "\n".join(said) + caplog.text


def test_the_client_refuses_to_be_pickled(emulator, api_token):
    client = CommvaultClient(emulator.url, token=api_token)
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(client)


def test_the_emulator_request_log_holds_no_secret(emulator, demo_user, api_token):
    with CommvaultClient(emulator.url, username=demo_user[0], password=demo_user[1]) as client:
        client.who_am_i()
        token = client._token
    log_text = str(emulator.control.requests())
    for secret in (demo_user[1], api_token, token.removeprefix("QSDK ")):
        assert secret not in log_text
