"""Running ``commvault-oracle`` as users run it: the console script, in a subprocess."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import time
from pathlib import Path
from typing import Any

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN

SCRIPT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "commvault-oracle"


def quick_jobs_environment(emulator: EmulatorProcess) -> dict[str, str]:
    """The CLI's variables for ``emulator`` (token login), its jobs lasting 0.3 s."""
    emulator.control.job_defaults(seconds=0.3)
    return {
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_AUTHTOKEN": EMULATOR_TOKEN,
        "COMMVAULT_STATE_DIR": os.environ["COMMVAULT_STATE_DIR"],
    }


def base_environment() -> dict[str, str]:
    """This process's environment without any ``COMMVAULT_*`` variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COMMVAULT_")}


def run_cli(
    env: dict[str, str], *args: str, timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        env={**base_environment(), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )


def document(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def on_a_terminal(env: dict[str, str], args: tuple[str, ...], answer: bytes) -> tuple[int, bytes]:
    """Run the CLI with ``args`` on a pseudo-terminal (its controlling terminal), answer its
    password prompt with ``answer``; the exit code and everything the terminal showed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the CLI
        os.execve(str(SCRIPT), [str(SCRIPT), *args], env)  # noqa: S606 - an argv list
    seen = b""
    deadline = time.monotonic() + 60
    while b"password for" not in seen and time.monotonic() < deadline:
        seen += os.read(terminal, 1024)
    os.write(terminal, answer)
    while True:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen
