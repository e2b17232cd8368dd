"""Faults during ``pulumi up`` of one ``OracleBackupTrigger``, as the emulator injects them.

``tests/test_engine_faults.py`` runs each with the user's recovery and checks what the user
sees and what the state holds; ``tests/test_engine_secrets.py`` runs each again and checks
that no credential leaks anywhere while it happens.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from pulumi import automation as auto

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup
from engine_support import Deployment

#: What a test arranges on the emulator and the stack before ``pulumi up``; it returns any
#: extra secret it put in the config (e.g. a session token), to be looked for in leaks.
Arrange = Callable[[EmulatorProcess, Deployment], list[str]]


def closed_port_url() -> str:
    """An API URL on a local port nothing listens on: a CommServe that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/commandcenter/api"


def session_token(emulator: EmulatorProcess, user: tuple[str, str]) -> str:
    """A fresh session token from ``POST Login``, as a user would paste into the config."""
    answer = requests.post(
        f"{emulator.url}/Login",
        json={
            "mode": 4,
            "username": user[0],
            "password": base64.b64encode(user[1].encode()).decode(),
        },
        timeout=10,
    )
    answer.raise_for_status()
    token = answer.json()["token"]
    assert isinstance(token, str)
    return token


def use_token_only(deployment: Deployment, token: str) -> None:
    """Config with ``commvault:authToken`` and no username or password."""
    stack = deployment.stack
    stack.set_config("commvault:authToken", auto.ConfigValue(token, secret=True))
    for key in ("commvault:username", "commvault:password"):
        stack.remove_config(key)


@dataclass(frozen=True)
class Fault:
    """One fault row: how to cause it, the inputs it needs, and whether ``up`` fails.

    ``same_path_as`` names another row that drives the provider through the same code and
    the same kind of message (the secrets test runs that one instead, to save time).
    """

    name: str
    arrange: Arrange
    fails: bool = True
    inputs: dict[str, Any] = field(default_factory=dict)
    same_path_as: str | None = None


def _commserve_down(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    deployment.stack.set_config("commvault:url", auto.ConfigValue(closed_port_url()))
    return []


def _read_burst(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    for path in ("Jobs", "Job/*"):
        emulator.control.inject(path, "status", count=2, status=503)
    return []


def _proxy_page_on_create(count: int) -> Arrange:
    def arrange(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
        emulator.control.inject("CreateTask", "html", count=count)
        return []

    return arrange


def _create_fault(kind: str, **options: Any) -> Arrange:
    def arrange(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
        emulator.control.inject("CreateTask", kind, **options)
        return []

    return arrange


def _expire_tokens_while_running(
    emulator: EmulatorProcess, deployment: Deployment, job_seconds: float
) -> None:
    """Every token expires as soon as `pulumi up` shows the job running."""
    emulator.control.next_jobs(seconds=job_seconds)
    deployment.when_output(" Running ", emulator.control.expire_tokens)


def _token_expires_password_auth(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    _expire_tokens_while_running(emulator, deployment, job_seconds=3)
    return []


def _token_expires_token_only(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    token = session_token(emulator, ("admin", "demo-Pa55word"))
    use_token_only(deployment, token)
    # Long enough to be still running when the user re-runs with a new token.
    _expire_tokens_while_running(emulator, deployment, job_seconds=7)
    return [token]


def _job_outcome(outcome: str, seconds: float = 0.5) -> Arrange:
    def arrange(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
        emulator.control.next_jobs(seconds=seconds, outcome=outcome)
        return []

    return arrange


def _long_job(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    emulator.control.next_jobs(seconds=5)
    return []


def _busy_subclient_refused(emulator: EmulatorProcess, deployment: Deployment) -> list[str]:
    emulator.control.job_defaults(busy="reject")
    # Running until the test ends it: however slowly the engine starts, the backup meets it.
    start_job_outside_pulumi(emulator, seconds=300)
    return []


def start_job_outside_pulumi(emulator: EmulatorProcess, seconds: float) -> str:
    """A backup of oradb01/ORCL/default someone started in the Command Center; its job id."""
    emulator.control.next_jobs(seconds=seconds)
    return start_backup(emulator)


FAULTS = {
    fault.name: fault
    for fault in [
        Fault("commserve down", _commserve_down),
        Fault("503 burst on reads", _read_burst, fails=False),
        Fault(
            "proxy HTML page on CreateTask once",
            _proxy_page_on_create(1),
            fails=False,
            same_path_as="proxy HTML page on every CreateTask",
        ),
        Fault("proxy HTML page on every CreateTask", _proxy_page_on_create(3)),
        Fault(
            "503 on CreateTask",
            _create_fault("status", status=503),
            fails=False,
            same_path_as="proxy HTML page on every CreateTask",
        ),
        Fault("429 on CreateTask", _create_fault("status", status=429, retry_after=1), fails=False),
        Fault("lost CreateTask answer", _create_fault("lose_answer"), fails=False),
        Fault("empty CreateTask answer", _create_fault("empty")),
        Fault("token expires while waiting, password auth", _token_expires_password_auth, False),
        Fault("token expires while waiting, token-only auth", _token_expires_token_only),
        Fault("job fails", _job_outcome("Failed")),
        Fault("job is killed", _job_outcome("Killed"), same_path_as="job fails"),
        Fault(
            "job completes with errors",
            _job_outcome("Completed w/ one or more errors"),
            same_path_as="job fails",
        ),
        Fault(
            "job completes with errors, accepted",
            _job_outcome("Completed w/ one or more errors"),
            fails=False,
            inputs={"accept_completed_with_errors": True},
        ),
        Fault("wait times out", _long_job, inputs={"timeout_minutes": 0.03}),
        Fault("subclient busy, backup refused", _busy_subclient_refused),
    ]
}
