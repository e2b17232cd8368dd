"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN

pytest_plugins = ["client_fixtures", "engine_fixtures"]


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """One CommServe emulator for the whole session (pre-issued token, 1 s jobs)."""
    with EmulatorProcess(token=EMULATOR_TOKEN, job_seconds=1.0) as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, reset to its start state for this test."""
    emulator_process.control.reset()
    return emulator_process
