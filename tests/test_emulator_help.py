"""``commvault-emulator --help`` tells a new user what to point Pulumi at and what is there."""

from __future__ import annotations

import subprocess
import sys


def test_help_names_the_control_plane_the_demo_user_and_the_demo_inventory():
    shown = subprocess.run(
        [sys.executable, "-m", "commvault_emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout

    assert "/_emulator/" in shown
    assert "fault injection" in shown
    assert "Demo user admin, password demo-Pa55word" in shown
    for name in ("oradb01", "ORCL", "archivelog", "oradb02", "SALES", "filesrv01"):
        assert name in shown
    assert "--quiet" in shown
