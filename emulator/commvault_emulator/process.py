"""Run the emulator as a subprocess and drive its control plane: for tests and benches.

Example::

    with EmulatorProcess(job_seconds=0.5, token="k") as emulator:
        requests.get(emulator.url, timeout=5)
        emulator.control.inject("CreateTask", "status", status=503)
        emulator.control.requests()
"""

from __future__ import annotations

import collections
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from commvault_emulator.control_client import EmulatorControl, EmulatorError
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME

__all__ = ["EmulatorControl", "EmulatorError", "EmulatorProcess"]

STARTUP_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


class EmulatorProcess:
    """``python -m commvault_emulator --port 0 ...`` as a context manager.

    Attributes after ``start()``: ``url`` (API base), ``root_url`` (scheme://host:port),
    ``pid`` and ``control`` (an ``EmulatorControl``).
    """

    def __init__(
        self,
        job_seconds: float = 1.0,
        latency_ms: float = 0,
        inventory: str | os.PathLike[str] | None = None,
        token: str | None = None,
        username: str = DEMO_USERNAME,
        password: str = DEMO_PASSWORD,
        tls_cert: str | os.PathLike[str] | None = None,
        tls_key: str | os.PathLike[str] | None = None,
        extra_args: Sequence[str] = (),
        verify: bool | str = True,
        startup_timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.args = ["--port", "0", "--job-seconds", str(job_seconds)]
        self.args += ["--latency-ms", str(latency_ms), "--username", username]
        self.args += ["--password", password]
        for flag, value in (
            ("--token", token),
            ("--inventory", inventory),
            ("--tls-cert", tls_cert),
            ("--tls-key", tls_key),
        ):
            if value is not None:
                self.args += [flag, os.fspath(value)]
        self.args += list(extra_args)
        self.verify = verify
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[str] | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._url: str | None = None
        self._control: EmulatorControl | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise EmulatorError("the emulator is not running")
        return self._url

    @property
    def root_url(self) -> str:
        return self.url.split("/commandcenter/api", 1)[0]

    @property
    def pid(self) -> int:
        if self._process is None:
            raise EmulatorError("the emulator is not running")
        return self._process.pid

    @property
    def control(self) -> EmulatorControl:
        if self._control is None:
            raise EmulatorError("the emulator is not running")
        return self._control

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    def stderr_tail(self) -> str:
        """The last lines the emulator wrote to stderr."""
        return "".join(self._stderr)

    def start(self) -> Self:
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "commvault_emulator", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        first_line: queue.Queue[str] = queue.Queue()
        stdout, stderr = self._process.stdout, self._process.stderr
        if stdout is None or stderr is None:
            raise EmulatorError("the emulator's output pipes are missing")
        _drain(stdout, first_line.put, None)
        _drain(stderr, None, self._stderr)
        try:
            line = first_line.get(timeout=self.startup_timeout_s).strip()
        except queue.Empty:
            line = ""
        if not line.startswith(("http://", "https://")):
            self.stop()
            raise EmulatorError(
                f"the emulator did not start within {self.startup_timeout_s:g} s "
                f"(exit code {self.returncode}); stderr:\n{self.stderr_tail()}"
            )
        self._url = line
        self._control = EmulatorControl(self.root_url, verify=self.verify)
        return self

    def send_signal(self, signum: int) -> None:
        """Send a signal to the emulator (e.g. ``signal.SIGINT``)."""
        if self._process is None:
            raise EmulatorError("the emulator is not running")
        self._process.send_signal(signum)

    def wait(self, timeout_s: float) -> int | None:
        """Wait for the emulator to exit; its exit code, or None if it still runs."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> int | None:
        """SIGTERM, wait up to 5 s, then kill; returns the exit code."""
        if self._control is not None:
            self._control.close()
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _drain(
    stream: IO[str],
    on_first: Callable[[str], object] | None,
    keep: collections.deque[str] | None,
) -> None:
    """Read a pipe to its end in a daemon thread, so the child never blocks on a full pipe."""

    def run() -> None:
        first = True
        for line in stream:
            if first and on_first is not None:
                on_first(line)
            first = False
            if keep is not None:
                keep.append(line)
        if first and on_first is not None:
            on_first("")

    threading.Thread(target=run, daemon=True).start()
