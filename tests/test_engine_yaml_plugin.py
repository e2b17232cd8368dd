"""The provider plugin ``pulumi-resource-commvault`` under the real CLI, serving the Pulumi
YAML program examples/yaml-pre-change (YAML host from tools/setup.sh, the plugin the wheel's
console script in .venv/bin, on PATH), against the emulator's request log."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from commvault_emulator.process import EmulatorProcess
from engine_support import YamlProject
from harness.engine import VENV
from harness.processes import process_tree, stop_processes

pytestmark = pytest.mark.engine

PLUGIN = VENV / "bin" / "pulumi-resource-commvault"


def endpoints(emulator: EmulatorProcess) -> list[str]:
    return [r["endpoint"] for r in emulator.control.requests()]


@pytest.fixture
def yaml_project(
    tmp_path: Path, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> YamlProject:
    for needed in (VENV / "bin" / "pulumi-language-yaml", PLUGIN):
        if not needed.exists():
            pytest.fail(f"{needed.name} is missing: run `bash tools/setup.sh`")
    project = YamlProject(tmp_path)
    username, password = demo_user
    project.init(
        {"commvault:url": emulator.url, "commvault:username": username},
        {"commvault:password": password},
    )
    return project


def test_preview_up_no_op_trigger_refresh_and_destroy_make_only_the_calls_they_should(
    yaml_project: YamlProject, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> None:
    yaml_project.run("preview")
    assert endpoints(emulator) == []

    up = yaml_project.run("up", "--yes").stdout
    assert endpoints(emulator).count("CreateTask") == 1
    [job] = emulator.control.jobs()
    # Progress on the resource's own row (the engine's Log with its URN), not the Stack's.
    assert any(
        "BackupTrigger preChange creating" in line and f"started job {job['jobId']}" in line
        for line in up.splitlines()
    ), up
    assert yaml_project.jobs_output() == [str(job["jobId"])]
    outputs = yaml_project.resource_outputs("preChange") or {}
    assert outputs["jobs"][0]["status"] == "Completed"
    assert outputs["requestName"] == "yaml-pre-change/dev/preChange"

    emulator.control.clear_requests()
    yaml_project.run("up", "--yes", "--expect-no-changes")
    assert endpoints(emulator) == []

    yaml_project.run("config", "set", "changeTicket", "CHG-2")
    yaml_project.run("up", "--yes")
    assert endpoints(emulator).count("CreateTask") == 1
    assert yaml_project.jobs_output() == [str(emulator.control.jobs()[-1]["jobId"])]
    assert (yaml_project.resource_outputs("preChange") or {})["history"][0]["jobIds"] == [
        str(job["jobId"])
    ]

    emulator.control.clear_requests()
    yaml_project.run("refresh", "--yes")
    assert set(endpoints(emulator)) <= {"Login", "Job", "Jobs"}

    state = "".join(p.read_text() for p in yaml_project.state_dir.rglob("*.json"))
    assert demo_user[1] not in state  # the secret config, encrypted in the provider's state
    emulator.control.clear_requests()
    yaml_project.run("destroy", "--yes")
    assert endpoints(emulator) == []
    assert yaml_project.resource_outputs("preChange") is None


def test_ctrl_c_ends_the_wait_within_two_seconds_and_a_rerun_adopts_the_job(
    tmp_path: Path, emulator: EmulatorProcess, api_token: str
) -> None:
    # No commvault:* config: the plugin falls back to COMMVAULT_* as the dynamic resources do.
    env = {"COMMVAULT_URL": emulator.url, "COMMVAULT_AUTHTOKEN": api_token}
    yaml_project = YamlProject(tmp_path, extra_env=env)
    yaml_project.init({}, {})
    emulator.control.next_jobs(seconds=8)
    run = yaml_project.start("up", "--yes", "--skip-preview")
    deadline = time.monotonic() + 60
    while not emulator.control.jobs() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the wait is under way
    tree = process_tree(run.process.pid)
    try:
        os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
        pressed = time.monotonic()
        code = run.wait()
        took = time.monotonic() - pressed
        [job] = emulator.control.jobs()
        running_at_exit = job["endedAt"] is None
    finally:
        stop_processes(tree)

    output = run.output()
    assert code != 0, output
    assert "stopped waiting because the update was cancelled (Ctrl-C)" in output, output
    assert running_at_exit
    print(f"pulumi ended {took:.2f} s after Ctrl-C")
    assert took < 5.0, f"pulumi took {took:.1f} s to end after Ctrl-C"  # the wait: < 2 s

    yaml_project.run("up", "--yes", "--skip-preview")
    assert yaml_project.jobs_output() == [str(job["jobId"])]
    assert emulator.control.count("CreateTask") == 1


def test_a_bad_input_fails_preview_naming_the_field_as_the_program_wrote_it(
    yaml_project: YamlProject, emulator: EmulatorProcess
) -> None:
    program = yaml_project.dir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("timeoutMinutes: 5", "backupLevel: weekly"))

    preview = yaml_project.run("preview", check=False)

    assert preview.returncode != 0
    problem = next(line for line in preview.stdout.splitlines() if "has a problem" in line)
    assert "backupLevel" in problem, problem
    assert "'full' or 'incremental'" in problem, problem
    assert endpoints(emulator) == []


def test_a_misspelt_config_key_is_named_with_the_setting_it_resembles_in_preview(
    yaml_project: YamlProject, emulator: EmulatorProcess
) -> None:
    yaml_project.run("config", "set", "commvault:usernmae", "admin")

    preview = yaml_project.run("preview")

    warning = "commvault:usernmae is not a Commvault setting and is ignored: did you mean "
    diagnostics = preview.stdout.partition("Diagnostics:")[2].partition("Outputs:")[0]
    assert diagnostics.count(warning + "commvault:username?") == 1, preview.stdout
    assert endpoints(emulator) == []


def test_a_plugins_entry_naming_the_plugins_folder_quiets_the_from_path_warning(
    yaml_project: YamlProject, emulator: EmulatorProcess
) -> None:
    warning = "using pulumi-resource-commvault from $PATH"
    assert warning in yaml_project.run("preview").stdout
    program = yaml_project.dir / "Pulumi.yaml"
    entry = f"plugins:\n  providers:\n    - name: commvault\n      path: {PLUGIN.parent}\n"
    program.write_text(program.read_text() + entry)

    preview = yaml_project.run("preview").stdout

    assert warning not in preview, preview
    assert "BackupTrigger preChange create" in preview, preview
    assert endpoints(emulator) == []


def test_a_password_set_without_secret_is_kept_encrypted_in_the_state(
    tmp_path: Path, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> None:
    project = YamlProject(tmp_path)
    username, password = demo_user
    project.init(
        {
            "commvault:url": emulator.url,
            "commvault:username": username,
            "commvault:password": password,  # the mistake: no --secret
        },
        {},
    )

    project.run("up", "--yes")

    # The stack's checkpoint (the update history keeps the stack config as the user set it,
    # as Pulumi.dev.yaml does).
    [checkpoint] = (project.state_dir / ".pulumi" / "stacks").rglob("dev.json")
    assert "preChange" in checkpoint.read_text()
    assert password not in checkpoint.read_text()  # the provider's credentials: secrets


RESTORE = """\
  restore:
    type: commvault:oracle:Restore
    properties:
      fromBackup: ${preChange.jobs}
      destinationClientName: oradb02
      destinationInstanceName: SALES
      timeoutMinutes: 5
"""


def test_a_restore_from_the_backups_jobs_output_restores_those_jobs(
    yaml_project: YamlProject, emulator: EmulatorProcess
) -> None:
    program = yaml_project.dir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("outputs:\n", RESTORE + "outputs:\n"))

    yaml_project.run("up", "--yes")

    assert emulator.control.count("CreateTask") == 2  # the backup, then the restore
    backup_ids = yaml_project.jobs_output()
    restored = yaml_project.resource_outputs("restore") or {}
    assert restored["restorePoint"]["backupJobIds"] == backup_ids
    assert restored["jobs"][0]["status"] == "Completed"
