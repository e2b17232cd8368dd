"""Checks what tools/setup.sh leaves in the venv: the pinned pulumi CLI and the
dynamic provider launcher (pulumi-resource-pulumi-python)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.prefix) / "bin"
SETUP_HINT = "run tools/setup.sh first"


def pinned_version() -> str:
    gomod = (REPO / "tools" / "pulumi-cli" / "go.mod").read_text()
    m = re.search(r"^\s*(?:require\s+)?github\.com/pulumi/pulumi/pkg/v3\s+(v\S+)", gomod, re.M)
    assert m, "tools/pulumi-cli/go.mod does not pin github.com/pulumi/pulumi/pkg/v3"
    return m.group(1)


def test_pulumi_version_is_pinned() -> None:
    pulumi = VENV_BIN / "pulumi"
    assert pulumi.exists(), f"{pulumi} missing: {SETUP_HINT}"
    env = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    out = subprocess.run(
        [str(pulumi), "version"], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    got = out.stdout.strip()
    pinned = pinned_version()
    if pulumi.resolve().parent.parent.name == f"pulumi-{pinned}":
        assert got == pinned  # built by tools/pulumi-cli/build.sh
    else:
        # setup.sh took a pulumi from PATH: it only has to be new enough.
        major, minor = (int(x) for x in got.lstrip("v").split(".")[:2])
        assert (major, minor) >= (3, 181), f"{pulumi.resolve()} is {got}"


def test_language_python_exec_is_installed() -> None:
    exe = VENV_BIN / "pulumi-language-python-exec"
    assert exe.exists(), f"{exe} missing: {SETUP_HINT}"
    assert os.access(exe, os.X_OK)


def test_dynamic_provider_launcher_starts_pulumi_dynamic(tmp_path: Path) -> None:
    launcher = VENV_BIN / "pulumi-resource-pulumi-python"
    assert launcher.exists(), f"{launcher} missing: {SETUP_HINT}"
    assert os.access(launcher, os.X_OK), f"{launcher} is not executable"

    env = {k: v for k, v in os.environ.items() if k != "PULUMI_PYTHON_CMD"}
    env["PULUMI_PROJECT"] = "launcher-test"
    # The engine passes its own address as the only argument; pulumi.dynamic ignores it.
    proc = subprocess.Popen(
        [str(launcher), "127.0.0.1:1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=60)
        if not first or not first[0].strip():
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"launcher printed no port line; stderr:\n{err}")
        port = int(first[0].strip())
        assert 0 < port < 65536
        # It really listens there (the engine dials it next).
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass
        # It runs the venv's python, found next to the launcher (not a python3 from PATH).
        cmdline = Path(f"/proc/{proc.pid}/cmdline")
        if cmdline.exists():
            argv = cmdline.read_bytes().split(b"\0")
            assert argv[0].decode() == str(VENV_BIN / "python")
            assert argv[1:3] == [b"-u", b"-c"]
            assert b'runpy.run_module("pulumi.dynamic"' in argv[3]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
