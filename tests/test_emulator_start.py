"""``commvault-emulator`` as the examples' READMEs start it: the request log in a file, and a
port already in use said on the terminal with a non-zero exit."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

EMULATOR = [sys.executable, "-m", "commvault_emulator"]


def test_a_port_in_use_is_said_on_the_terminal_and_exits_1(tmp_path: Path):
    log = tmp_path / "emulator.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*EMULATOR, "--port", str(port), "--log-file", str(log)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.startswith(f"commvault-emulator: cannot listen on 127.0.0.1:{port}: ")
    assert "another --port" in done.stderr
    assert done.stdout == ""
    assert not log.exists()


def test_the_request_log_goes_to_the_log_file_not_the_terminal(tmp_path: Path):
    log = tmp_path / "emulator.log"
    emulator = subprocess.Popen(
        [*EMULATOR, "--port", "0", "--log-file", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        url = emulator.stdout.readline().strip()
        with pytest.raises(urllib.error.HTTPError, match="401"):
            urllib.request.urlopen(f"{url}/Job/1", timeout=10)  # noqa: S310 - our own http URL
    finally:
        emulator.send_signal(signal.SIGTERM)
        _, terminal = emulator.communicate(timeout=30)
    assert emulator.returncode == 0
    assert terminal == ""
    assert "GET /commandcenter/api/Job/1 -> 401" in log.read_text()
