"""What a user installs: the built wheel, with ``pip``, into a fresh virtualenv beside the oldest
supported Pulumi SDK and a newer pydantic, then a whole lifecycle through the real CLI against
the emulator started from the wheel's console script. No source tree on ``sys.path``: the
program and the dynamic provider import ``pulumi_commvault`` from that virtualenv."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commvault_emulator.control_client import EmulatorControl
from emulator_support import EMULATOR_TOKEN
from harness.engine import PASSPHRASE
from wheel_support import REPO, Dist, session_dist

pytestmark = [pytest.mark.engine, pytest.mark.timeout(900)]

#: What the issue asks to resolve: the oldest supported SDK with the newest pydantic.
USER_PINS = ("pulumi==3.200.0", "pydantic==2.14.4")
#: The Pulumi binaries tools/setup.sh links into a venv (the engine, our language host and
#: Pulumi's program runner, the dynamic provider launcher).
PULUMI_BINARIES = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
)

PROGRAM = """\
import importlib.metadata

import pulumi
import pulumi_commvault
from pulumi_commvault import OracleBackupTrigger

config = pulumi.Config()
snap = OracleBackupTrigger(
    "snap",
    client_name="oradb01",
    instance_name="ORCL",
    triggers=[config.get("trigger") or "v1"],
    timeout_minutes=5,
)
pulumi.export("job_ids", snap.job_ids)
pulumi.export("history", snap.history)
pulumi.export("module_file", pulumi_commvault.__file__)
pulumi.export("sdk_version", importlib.metadata.version("pulumi"))
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    return session_dist(tmp_path_factory.mktemp("dist"))


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point Python at the source tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PULUMI_PYTHON_CMD"}
    }
    repo_bin = str(REPO / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != repo_bin)
    return {**env, **extra}


@pytest.fixture(scope="module")
def user_venv(tmp_path_factory: pytest.TempPathFactory, dist: Dist) -> Path:
    """A fresh virtualenv with the wheel and the user's pins, installed by pip."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env(), timeout=120
    )
    install = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(dist.wheel),
            *USER_PINS,
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"
    cli_dir = (REPO / ".venv" / "bin" / "pulumi").resolve().parent
    for name in PULUMI_BINARIES:
        assert (cli_dir / name).exists(), f"{cli_dir / name} missing: run tools/setup.sh first"
        (venv / "bin" / name).symlink_to(cli_dir / name)
    return venv


@dataclass
class InstalledEmulator:
    url: str
    control: EmulatorControl


@pytest.fixture(scope="module")
def installed_emulator(user_venv: Path) -> Iterator[InstalledEmulator]:
    """The emulator, started from the wheel's ``commvault-emulator`` console script."""
    process = subprocess.Popen(
        [
            str(user_venv / "bin" / "commvault-emulator"),
            "--port",
            "0",
            "--job-seconds",
            "1",
            "--token",
            EMULATOR_TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_env(),
        cwd=user_venv,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        assert url.startswith("http://"), f"the installed emulator did not start: {url!r}"
        control = EmulatorControl(url.split("/commandcenter/api", 1)[0])
        yield InstalledEmulator(url, control)
        control.close()
    finally:
        process.terminate()
        process.wait(10)


class UserProject:
    """A Pulumi project outside the repo whose virtualenv is the user's, driven by the CLI."""

    def __init__(self, root: Path, venv: Path) -> None:
        self.venv = venv
        self.dir = root / "project"
        self.dir.mkdir()
        (root / "state").mkdir()
        (self.dir / "Pulumi.yaml").write_text(
            f"name: wheel-user\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
        )
        (self.dir / "__main__.py").write_text(PROGRAM)
        self.env = clean_env(
            PATH=f"{venv / 'bin'}{os.pathsep}{clean_env()['PATH']}",
            PULUMI_BACKEND_URL=f"file://{root / 'state'}",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_HOME=str(root / "home"),
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        )

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(self.venv / "bin" / "pulumi"), *args, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (
            f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json")))


def create_tasks(control: EmulatorControl) -> int:
    return [r["endpoint"] for r in control.requests()].count("CreateTask")


def test_pip_resolves_the_wheel_beside_the_oldest_sdk_and_the_newest_pydantic(user_venv):
    listed = subprocess.run(
        [str(user_venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    versions = {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}
    assert versions["pulumi"] == "3.200.0"
    assert versions["pydantic"] == "2.14.4"
    assert versions["pulumi-commvault"]


def test_installed_wheel_runs_the_whole_lifecycle_without_the_source_tree(
    tmp_path, user_venv, installed_emulator
):
    control = installed_emulator.control
    control.reset()
    project = UserProject(tmp_path, user_venv)
    project.run("stack", "init", "dev")
    project.run("config", "set", "commvault:url", installed_emulator.url)
    project.run("config", "set", "--secret", "commvault:authToken", EMULATOR_TOKEN)

    project.run("preview")
    assert control.requests() == [], "preview called the CommServe"

    project.run("up", "--yes")
    outputs = project.outputs()
    site_packages = str(user_venv / "lib")
    assert str(outputs["module_file"]).startswith(site_packages), outputs["module_file"]
    assert str(REPO) not in str(outputs["module_file"])
    assert outputs["sdk_version"] == "3.200.0"
    first_jobs = outputs["job_ids"]
    assert create_tasks(control) == 1
    assert first_jobs == [str(j["jobId"]) for j in control.jobs()]

    project.run("up", "--yes", "--expect-no-changes")
    assert create_tasks(control) == 1, "an up without changes took a backup"

    project.run("config", "set", "trigger", "v2")
    project.run("up", "--yes")
    outputs = project.outputs()
    assert create_tasks(control) == 2
    assert outputs["job_ids"] != first_jobs
    assert [h["job_ids"] for h in outputs["history"]] == [first_jobs]

    project.run("refresh", "--yes")
    assert create_tasks(control) == 2, "refresh took a backup"
    assert project.outputs()["job_ids"] == outputs["job_ids"]

    project.run("destroy", "--yes")
    assert create_tasks(control) == 2, "destroy took a backup"
    assert project.outputs() == {}
