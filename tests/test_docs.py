"""The README says what the code declares: input tables and the layout table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def test_the_readme_input_tables_are_made_from_the_inputs_declaration():
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "update_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_layout_table_names_every_package_folder():
    package = REPO / "provider" / "pulumi_commvault"
    folders = [p for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    assert folders
    for folder in folders:
        assert f"/{folder.name}/`" in README, f"README layout table lacks {folder.name}/"
    for top in ("provider/pulumi_commvault/", "emulator/commvault_emulator/", "harness/"):
        assert f"`{top}`" in README
