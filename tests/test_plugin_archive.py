"""The plugin archive as a user installs it: tools/plugin-archive.sh builds
``pulumi-resource-commvault-v<version>-linux-amd64.tar.gz``; ``pulumi plugin install resource
commvault <version> --file ...`` puts it into a fresh Pulumi home, and the YAML example runs
from it, with the plugin on PATH ignored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from commvault_emulator.process import EmulatorProcess
from engine_support import YamlProject, run_pulumi
from harness.engine import REPO
from pulumi_commvault._version import __version__

pytestmark = pytest.mark.engine


def test_the_yaml_example_runs_from_the_installed_plugin_archive(
    tmp_path: Path, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> None:
    built = subprocess.run(
        ["bash", str(REPO / "tools" / "plugin-archive.sh"), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    archive = Path(built.stdout.splitlines()[-1])
    assert archive.name == f"pulumi-resource-commvault-v{__version__}-linux-amd64.tar.gz"
    # Only the installed plugin: the one on PATH (.venv/bin, the wheel's) is not looked at.
    # Bytecode written (an empty PYTHONDONTWRITEBYTECODE is unset) shows which copy ran.
    project = YamlProject(
        tmp_path,
        extra_env={"PULUMI_IGNORE_AMBIENT_PLUGINS": "true", "PYTHONDONTWRITEBYTECODE": ""},
    )
    env = project.env()
    install = ["plugin", "install", "resource", "commvault", __version__, "--file", str(archive)]
    run_pulumi(tmp_path, env, *install)
    installed = Path(env["PULUMI_HOME"]) / "plugins" / f"resource-commvault-v{__version__}"
    assert (installed / "pulumi-resource-commvault").exists()
    served = installed / "lib" / "pulumi_commvault" / "plugin" / "__pycache__"
    assert not served.exists()

    username, password = demo_user
    project.init(
        {"commvault:url": emulator.url, "commvault:username": username},
        {"commvault:password": password},
    )
    up = project.run("up", "--yes")
    assert "from $PATH" not in up.stdout + up.stderr
    assert emulator.control.count("CreateTask") == 1
    assert project.jobs_output() == [str(emulator.control.jobs()[0]["jobId"])]
    assert served.exists()  # the installed plugin's python ran it
    project.run("destroy", "--yes")
    assert project.resource_outputs("preChange") is None
