"""Shared fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN

pytest_plugins = ["client_fixtures", "engine_fixtures"]

#: ``COMMVAULT_TEST_HISTORY_JOBS=N`` runs the session's emulator as a busy CommServe (N
#: unrelated history jobs), e.g. to hold the fault matrix's one-job-per-request counts there.
HISTORY_VARIABLE = "COMMVAULT_TEST_HISTORY_JOBS"


@pytest.fixture(autouse=True)
def send_record_of_its_own(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test is its own machine: a record of sends (``COMMVAULT_STATE_DIR``) of its own,
    inherited by the provider and CLI processes it starts."""
    monkeypatch.setenv("COMMVAULT_STATE_DIR", str(tmp_path_factory.mktemp("commvault-state")))


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """One CommServe emulator for the whole session (pre-issued token, 1 s jobs)."""
    history = os.environ.get(HISTORY_VARIABLE, "").strip()
    extra = ["--history-jobs", history] if history and history != "0" else []
    with EmulatorProcess(token=EMULATOR_TOKEN, job_seconds=1.0, extra_args=extra) as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, reset to its start state for this test."""
    emulator_process.control.reset()
    return emulator_process
