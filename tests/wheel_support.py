"""The sdist and the wheel as a user gets them: built with ``uv build`` (the wheel from the
sdist), or taken from ``$PULUMI_COMMVAULT_DIST`` when CI has built them already."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIST_ENV = "PULUMI_COMMVAULT_DIST"
CACHE = Path(os.environ.get("PULUMI_COMMVAULT_CACHE") or Path.home() / ".cache/pulumi-commvault")


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path

    def wheel_names(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.namelist()

    def wheel_text(self, suffix: str) -> str:
        """The one wheel member whose name ends with ``suffix``, as text."""
        with zipfile.ZipFile(self.wheel) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
            return archive.read(name).decode()

    def sdist_names(self) -> list[str]:
        """Members of the sdist, without its ``<name>-<version>/`` prefix."""
        with tarfile.open(self.sdist) as archive:
            return [m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name]


def uv_binary() -> Path:
    """The uv that tools/setup.sh installs (the version pyproject.toml requires)."""
    text = (REPO / "pyproject.toml").read_text()
    match = re.search(r'^required-version\s*=\s*"==([0-9.]+)"', text, re.MULTILINE)
    assert match, "pyproject.toml has no [tool.uv] required-version"
    uv = CACHE / f"uv-{match.group(1)}" / "bin" / "uv"
    found = uv if uv.exists() else shutil.which("uv")
    assert found, f"uv {match.group(1)} is missing: run tools/setup.sh first"
    return Path(found)


def find_dist(folder: Path) -> Dist:
    wheels = sorted(folder.glob("pulumi_commvault-*.whl"))
    sdists = sorted(folder.glob("pulumi_commvault-*.tar.gz"))
    assert len(wheels) == 1, f"expected one wheel in {folder}, found {wheels}"
    assert len(sdists) == 1, f"expected one sdist in {folder}, found {sdists}"
    return Dist(wheels[0], sdists[0])


def build_dist(out_dir: Path) -> Dist:
    """``uv build``: the sdist from the source tree, then the wheel from the sdist."""
    subprocess.run(
        [
            str(uv_binary()),
            "build",
            "--quiet",
            "--python",
            sys.executable,
            "--out-dir",
            str(out_dir),
        ],
        cwd=REPO,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        check=True,
        timeout=300,
    )
    return find_dist(out_dir)


_built: dict[str, Dist] = {}


def session_dist(out_dir: Path) -> Dist:
    """The dist of this test session: CI's (``$PULUMI_COMMVAULT_DIST``), else built once."""
    given = os.environ.get(DIST_ENV)
    if given:
        return find_dist(Path(given))
    if "dist" not in _built:
        _built["dist"] = build_dist(out_dir)
    return _built["dist"]
