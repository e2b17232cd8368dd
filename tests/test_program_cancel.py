"""The first Ctrl-C reaches a program only through the language host: its ``Cancel`` creates
the file ``PULUMI_COMMVAULT_CANCEL_FILE`` names in the program's environment, and the
program's waits (``cancellation.program_cancellation``) end on it. Real processes and files."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from pulumi_commvault.runtime import cancellation

HOST_DIR = Path(__file__).resolve().parent.parent / "tools" / "pulumi-language-python"
sys.path.insert(0, str(HOST_DIR))
import language_host  # noqa: E402

#: A program that waits for its cancel file, and says how long it waited.
WAITS_FOR_CANCEL = """
import os, sys, time
path = os.environ["PULUMI_COMMVAULT_CANCEL_FILE"]
deadline = time.monotonic() + 20
while not os.path.exists(path) and time.monotonic() < deadline:
    time.sleep(0.05)
sys.exit(0 if os.path.exists(path) else 3)
"""


@pytest.fixture
def fresh_flag(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    flag = threading.Event()
    monkeypatch.setattr(cancellation, "requested", flag)
    monkeypatch.setattr(cancellation, "_watched", set())
    return flag


def test_the_language_host_and_the_program_agree_on_the_variable() -> None:
    assert language_host.CANCEL_FILE_VARIABLE == cancellation.CANCEL_FILE_VARIABLE


def test_a_program_sees_its_cancel_file_within_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_flag: threading.Event
) -> None:
    cancel_file = tmp_path / "cancelled"
    monkeypatch.setenv(cancellation.CANCEL_FILE_VARIABLE, str(cancel_file))
    assert cancellation.program_cancellation() is fresh_flag
    assert not fresh_flag.wait(0.5)
    cancel_file.touch()
    assert fresh_flag.wait(1.0)


def test_without_a_cancel_file_only_the_engines_cancel_counts(
    monkeypatch: pytest.MonkeyPatch, fresh_flag: threading.Event
) -> None:
    monkeypatch.delenv(cancellation.CANCEL_FILE_VARIABLE, raising=False)
    assert cancellation.program_cancellation() is fresh_flag
    assert not fresh_flag.is_set()


def test_the_hosts_cancel_creates_the_file_of_a_running_program() -> None:
    programs = language_host.Programs()
    codes: list[int] = []
    env = {k: v for k, v in os.environ.items() if k != cancellation.CANCEL_FILE_VARIABLE}
    run = threading.Thread(
        target=lambda: codes.append(programs.run([sys.executable, "-c", WAITS_FOR_CANCEL], env))
    )
    run.start()
    time.sleep(1.0)  # the program is waiting
    programs.cancel()
    run.join(timeout=20)
    assert codes == [0]
    programs.cancel()  # no program running any more: nothing to tell
