"""``oracle_backup_hook`` through the real CLI: the engine asks for exactly one finished
backup before each protected change, none in preview or when nothing changes, and a failed
backup leaves the protected resource as it was. The program is examples/protect-database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from engine_support import CliProject, CliRun
from harness.engine import REPO
from harness.processes import command_line, process_tree, still_running, stop_processes

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "protect-database"
MIGRATION = "schema"
MIGRATION_TYPE = "pulumi-python:dynamic/example:SchemaMigration"
#: The program's process: python running Pulumi's runner script.
EXEC = "pulumi-language-python-exec"


class ProtectedProject(CliProject):
    """The example's program in a project of its own, its journal in the test's tmp dir."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("__main__.py", "migration.py"):
            shutil.copy(EXAMPLE / name, self.dir / name)

    def env(self) -> dict[str, str]:
        return {**super().env(), "COMMVAULT_STATE_DIR": str(self.root / "journal")}

    def backups(self, emulator: EmulatorProcess) -> list[dict[str, Any]]:
        return [j for j in emulator.control.jobs() if "pre-change backup of" in j["jobDescription"]]


@pytest.fixture
def project(
    tmp_path: Path, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> ProtectedProject:
    """The example deployed at schema version 1: created, no backup taken."""
    project = ProtectedProject(tmp_path, name="protect-database")
    project.init(
        {"commvault:url": emulator.url, "commvault:username": demo_user[0]},
        {"commvault:password": demo_user[1]},
    )
    project.run("up", "--yes", "--skip-preview")
    return project


def applied_at(project: ProtectedProject) -> float:
    return float((project.resource_outputs(MIGRATION) or {})["applied_at"])


def test_a_first_creation_a_preview_and_an_up_without_changes_call_nothing(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    assert project.resource_outputs(MIGRATION) is not None
    project.run("up", "--yes", "--skip-preview")
    project.run("config", "set", "schemaVersion", "2")
    preview = project.run("preview")
    assert "~ 1 to update" in preview.stdout
    assert emulator.control.requests() == []


def test_an_update_takes_one_backup_finished_before_the_update_ran(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "schemaVersion", "2")
    up = project.run("up", "--yes", "--skip-preview")
    [job] = project.backups(emulator)
    assert emulator.control.count("CreateTask") == 1
    assert job["status"] == "Completed"
    assert job["endedAt"] <= applied_at(project)
    urn = f"urn:pulumi:dev::protect-database::{MIGRATION_TYPE}::{MIGRATION}"
    assert f"pre-change backup of {urn} before update" in job["jobDescription"]
    assert (
        f"pre-change backup of oradb01/ORCL before update: job {job['jobId']} Completed"
        in up.stdout
    )
    project.run("up", "--yes", "--skip-preview")  # nothing left to do
    assert emulator.control.count("CreateTask") == 1


def test_a_replacement_takes_one_backup_before_the_old_copy_is_deleted(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "schema", "APP2")
    up = project.run("up", "--yes", "--skip-preview")
    [job] = project.backups(emulator)
    assert "before replace" in job["jobDescription"]
    done = f"pre-change backup of oradb01/ORCL before replace: job {job['jobId']} Completed"
    assert up.stdout.index(done) < up.stdout.index("dropping schema APP\n")
    assert emulator.control.count("CreateTask") == 1


def test_destroy_needs_run_program_and_then_takes_one_final_backup(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    refused = project.run("destroy", "--yes", check=False)
    assert refused.returncode != 0
    assert (
        "You must run with the `--run-program` flag to use delete hooks"
        in refused.stdout + refused.stderr
    )
    assert emulator.control.requests() == []
    destroy = project.run("destroy", "--yes", "--run-program")
    [job] = project.backups(emulator)
    assert "before delete" in job["jobDescription"]
    done = f"pre-change backup of oradb01/ORCL before delete: job {job['jobId']} Completed"
    assert destroy.stdout.index(done) < destroy.stdout.index("dropping schema APP")
    assert project.resource_outputs(MIGRATION) is None


def test_a_failed_backup_leaves_the_resource_as_it_was_and_says_why(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    before = project.resource_outputs(MIGRATION)
    project.run("config", "set", "schemaVersion", "2")
    emulator.control.next_jobs(seconds=0.5, outcome="Failed")
    up = project.run("up", "--yes", "--skip-preview", check=False)
    [job] = project.backups(emulator)
    assert up.returncode != 0
    assert (
        'before hook "orcl-before-change-before-update" failed: pre-change backup of ' in up.stdout
    )
    assert f"job {job['jobId']}" in up.stdout
    assert "Failed" in up.stdout
    assert "the change was not made" in up.stdout
    assert "migrating APP to version 2" not in up.stdout
    assert project.resource_outputs(MIGRATION) == before


def test_a_failed_protected_update_prints_a_restore_command_that_restores_that_backup(
    project: ProtectedProject, emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> None:
    project.run("config", "set", "schemaVersion", "2")
    project.run("config", "set", "failMigration", "true")
    up = project.run("up", "--yes", "--skip-preview", check=False)
    [job] = project.backups(emulator)
    assert up.returncode != 0
    [command] = {
        line.split("To roll the database back to that backup: ", 1)[1].strip()
        for line in up.stdout.splitlines()
        if "To roll the database back" in line
    }
    assert command == (
        f"commvault-oracle restore oradb01/ORCL --backup-job-ids {job['jobId']} "
        "--confirm-overwrite oradb01/ORCL"
    )
    env = {
        **project.env(),
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_USERNAME": demo_user[0],
        "COMMVAULT_PASSWORD": demo_user[1],
    }
    restored = subprocess.run(
        [*command.split(), "--quiet"], env=env, capture_output=True, text=True, timeout=120
    )
    assert restored.returncode == 0, restored.stderr
    [restore] = [j for j in emulator.control.jobs() if j["jobId"] != job["jobId"]]
    assert restore["status"] == "Completed"
    assert restore["jobSummary"]["jobType"] == "Restore"


def test_a_rerun_after_a_failed_update_adopts_the_backup_taken_for_it(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "schemaVersion", "2")
    project.run("config", "set", "failMigration", "true")
    project.run("up", "--yes", "--skip-preview", check=False)
    again = project.run("up", "--yes", "--skip-preview", check=False)
    [job] = project.backups(emulator)
    assert f"job {job['jobId']} adopted for oradb01/ORCL" in again.stdout
    assert emulator.control.count("CreateTask") == 1


def test_a_lost_createtask_answer_ends_with_exactly_one_backup(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "schemaVersion", "2")
    emulator.control.inject("CreateTask", "lose_answer")
    project.run("up", "--yes", "--skip-preview")
    [job] = project.backups(emulator)
    assert job["status"] == "Completed"
    assert job["endedAt"] <= applied_at(project)


def update_waiting_in_the_hook(
    project: ProtectedProject, emulator: EmulatorProcess, *, job_seconds: float
) -> CliRun:
    """`pulumi up` of schema version 2, started, once its hook waits for a backup of
    ``job_seconds``."""
    project.run("config", "set", "schemaVersion", "2")
    emulator.control.next_jobs(seconds=job_seconds)
    run = project.start("up", "--yes", "--skip-preview")
    try:
        run.wait_for_output("waiting for it")
    except BaseException:
        stop_processes(process_tree(run.process.pid))
        raise
    return run


def a_rerun_adopts(
    project: ProtectedProject, emulator: EmulatorProcess, job: dict[str, Any]
) -> str:
    """`pulumi up` again adopts ``job`` and makes the change after it: one backup in all.
    Its output."""
    rerun = project.run("up", "--yes", "--skip-preview")
    assert f"job {job['jobId']} adopted for oradb01/ORCL" in rerun.stdout
    assert [j["jobId"] for j in project.backups(emulator)] == [job["jobId"]]
    assert emulator.control.count("CreateTask") == 1
    assert project.backups(emulator)[0]["endedAt"] <= applied_at(project)
    return rerun.stdout + rerun.stderr


def test_one_ctrl_c_during_the_hooks_wait_ends_the_run_and_a_rerun_adopts_the_backup(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    # The program runs outside the terminal's process group: the engine's Cancel reaches the
    # language host, which tells the program (its cancel file); the hook stops waiting, the
    # step fails, the run ends, and the backup runs on in Commvault.
    run = update_waiting_in_the_hook(project, emulator, job_seconds=12)
    tree = process_tree(run.process.pid)
    try:
        os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
        interrupted = time.monotonic()
        code = run.wait(timeout_s=30)
        ended_after_s = time.monotonic() - interrupted
        [job] = project.backups(emulator)
        running_at_exit = job["endedAt"] is None
    finally:
        stop_processes(tree)
    assert code != 0, run.output()
    assert ended_after_s < 5, run.output()
    assert running_at_exit, run.output()
    assert (
        f"stopped waiting because the update was cancelled (Ctrl-C); job {job['jobId']} keeps "
        "running in Commvault" in run.output()
    )
    assert "migrating APP to version 2" not in run.output()
    assert project.lock_files() == []

    a_rerun_adopts(project, emulator, job)


def test_a_destroy_run_again_after_its_backup_timed_out_adopts_that_backup(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "backupTimeoutMinutes", "0.02")  # 1.2 s
    emulator.control.next_jobs(seconds=5)
    failed = project.run("destroy", "--yes", "--run-program", check=False)
    assert failed.returncode != 0
    assert "(the change was not made)" in failed.stdout
    assert project.resource_outputs(MIGRATION) is not None
    project.run("config", "set", "backupTimeoutMinutes", "1")
    again = project.run("destroy", "--yes", "--run-program")
    [job] = project.backups(emulator)
    assert f"job {job['jobId']} adopted for oradb01/ORCL" in again.stdout
    assert emulator.control.count("CreateTask") == 1
    assert project.resource_outputs(MIGRATION) is None


def pending_operations(project: ProtectedProject) -> list[tuple[str, str]]:
    return [
        (op["type"], op["resource"]["urn"].rsplit("::", 1)[-1])
        for op in project.export().get("pending_operations") or []
    ]


def test_sigkill_during_the_hooks_wait_then_cancel_and_up_end_with_exactly_one_backup(
    project: ProtectedProject, emulator: EmulatorProcess
) -> None:
    # kill -9 of `pulumi up` and of its program while the hook waits: the stack stays locked
    # and the step in flight is a pending update; `pulumi cancel` unlocks it, and `pulumi up`
    # (which drops the pending update with a warning) adopts the backup already running.
    run = update_waiting_in_the_hook(project, emulator, job_seconds=8)
    tree = process_tree(run.process.pid)
    try:
        program = [pid for pid in tree if EXEC in " ".join(command_line(pid))]
        for pid in [run.process.pid, *program]:
            os.kill(pid, signal.SIGKILL)
        run.wait()
        assert program, "the program was not found in the tree of pulumi up"
        killed = {pid: tree[pid] for pid in program}
        deadline = time.monotonic() + 10
        while still_running(killed) and time.monotonic() < deadline:
            time.sleep(0.05)  # SIGKILL is delivered, not waited for
        assert not still_running(killed)
    finally:
        stop_processes(tree)
    [job] = project.backups(emulator)
    assert job["endedAt"] is None  # the backup runs on in Commvault
    assert len(project.lock_files()) == 1
    assert pending_operations(project) == [("updating", MIGRATION)]
    locked = project.run("up", "--yes", "--skip-preview", check=False)
    assert "the stack is currently locked by 1 lock(s)" in locked.stdout + locked.stderr

    project.run("cancel", "--yes")
    assert project.lock_files() == []
    rerun = a_rerun_adopts(project, emulator, job)
    assert "1 pending operations from previous deployment" in rerun, rerun
    assert pending_operations(project) == []
