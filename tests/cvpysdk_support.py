"""Helpers for driving the emulator with Commvault's own SDK, cvpysdk (unmodified).

cvpysdk tries ``https://<host>/commandcenter/api/`` and then ``http://`` unless it is given
``web_service_url``; with the emulator's URL it talks plain HTTP to it at once.
"""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
from cvpysdk import job as cvpysdk_job
from cvpysdk.commcell import Commcell

from commvault_emulator.process import EmulatorProcess
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME
from emulator_support import own_emulator

FAST_POLL_S = 0.05


def host_of(emulator: EmulatorProcess) -> str:
    """``127.0.0.1:PORT``: what cvpysdk sends as the ``Host`` header."""
    return emulator.root_url.split("://", 1)[1]


def password_login(emulator: EmulatorProcess) -> Commcell:
    return Commcell(host_of(emulator), DEMO_USERNAME, DEMO_PASSWORD, web_service_url=emulator.url)


def token_login(emulator: EmulatorProcess, token: str) -> Commcell:
    return Commcell(host_of(emulator), authtoken=token, web_service_url=emulator.url)


def oracle_subclient(commcell: Commcell, client: str = "oradb01") -> Any:
    """The standard walk: clients -> agents("oracle") -> instances("ORCL") -> subclients."""
    agent = commcell.clients.get(client).agents.get("oracle")
    return agent.instances.get("ORCL").subclients.get("default")


def speed_up_job_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """cvpysdk's ``Job`` sleeps 30 s between polls (``time.sleep`` of its ``job`` module);
    give that module a ``time`` whose ``sleep`` waits at most ``FAST_POLL_S``."""
    fast_time = types.SimpleNamespace(
        **{name: getattr(time, name) for name in dir(time) if not name.startswith("_")}
    )
    fast_time.sleep = lambda seconds: time.sleep(min(seconds, FAST_POLL_S))
    monkeypatch.setattr(cvpysdk_job, "time", fast_time)


def not_found_paths(emulator: EmulatorProcess) -> list[str]:
    """Every API path cvpysdk asked for that the emulator does not serve."""
    return [r["path"] for r in emulator.control.requests() if r["status"] == 404]


# The fixtures of a cvpysdk test module: import both into it (``emulator`` is then its own).


@pytest.fixture(scope="module")
def cvpysdk_emulator() -> Iterator[EmulatorProcess]:
    """The test module's own emulator."""
    yield from own_emulator()


@pytest.fixture(name="emulator")
def emulator_for_cvpysdk(
    cvpysdk_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> EmulatorProcess:
    """The module's emulator, reset, with cvpysdk's job polls sped up."""
    cvpysdk_emulator.control.reset()
    speed_up_job_polls(monkeypatch)
    return cvpysdk_emulator
