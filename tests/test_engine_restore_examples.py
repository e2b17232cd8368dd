"""examples/rollback and examples/staging-refresh, run with the real `pulumi` CLI and the
`commvault-oracle` command exactly as their READMEs say."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator_support import start_backup, wait_for
from engine_support import connection_settings, example_stack, run_pulumi
from harness.engine import REPO, VENV

pytestmark = pytest.mark.engine


def init_stack(example: Path, env: dict[str, str], config: list[str], emulator, demo_user) -> None:
    example_stack(example, env, config, connection_settings(emulator.url, demo_user))


def restore_jobs(emulator) -> list[dict[str, Any]]:
    return [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]


def commvault_oracle(emulator, demo_user, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMVAULT_")}
    env.update(
        COMMVAULT_URL=emulator.url,
        COMMVAULT_USERNAME=demo_user[0],
        COMMVAULT_PASSWORD=demo_user[1],
    )
    return subprocess.run(
        [str(Path(VENV) / "bin" / "commvault-oracle"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_rollback_example_restores_the_recorded_restore_point_with_one_command(
    emulator, demo_user, example_env, tmp_path
):
    example = REPO / "examples" / "rollback"
    config = ["--config-file", str(tmp_path / "Pulumi.example.yaml")]
    init_stack(example, example_env, config, emulator, demo_user)
    failed = run_pulumi(example, example_env, "up", "--yes", *config, check=False)
    assert failed.returncode != 0
    assert "schema migration 43 failed half-way" in failed.stdout + failed.stderr
    (backup,) = emulator.control.jobs()

    restore_point = run_pulumi(
        example, example_env, "stack", "output", "restore_point", "--json"
    ).stdout.strip()
    assert json.loads(restore_point) == [str(backup["jobId"])]
    emulator.control.clear_requests()
    done = commvault_oracle(
        emulator,
        demo_user,
        "restore",
        "oradb01/ORCL",
        "--backup-job-ids",
        restore_point,
        "--confirm-overwrite",
        "oradb01/ORCL",
    )
    assert done.returncode == 0, done.stderr
    (restore,) = restore_jobs(emulator)
    assert restore["restoredFrom"] == [str(backup["jobId"])]
    assert restore["jobSummary"]["status"] == "Completed"
    assert emulator.control.count("CreateTask") == 1
    run_pulumi(example, example_env, "destroy", "--yes", *config)
    run_pulumi(example, example_env, "stack", "rm", "--yes")


def test_staging_refresh_example_restores_once_per_week_out_of_place(
    emulator, demo_user, example_env, tmp_path
):
    emulator.control.job_defaults(seconds=0.3)
    production = start_backup(emulator)
    wait_for(emulator, production, "Completed", timeout_s=10)
    example = REPO / "examples" / "staging-refresh"
    config = ["--config-file", str(tmp_path / "Pulumi.example.yaml")]
    init_stack(example, example_env, config, emulator, demo_user)
    run_pulumi(example, example_env, "config", "set", *config, "week", "2030-W01")
    run_pulumi(example, example_env, "up", "--yes", *config)
    (first,) = restore_jobs(emulator)
    assert first["restoredFrom"] == [production]
    assert first["jobSummary"]["destinationClient"]["clientName"] == "oradb02"
    outputs = json.loads(run_pulumi(example, example_env, "stack", "output", "--json").stdout)
    assert outputs["restore_job"] == str(first["jobId"])
    assert outputs["restore_point"]["destination"] == "oradb02/SALES"

    emulator.control.clear_requests()
    run_pulumi(example, example_env, "up", "--yes", *config)
    assert emulator.control.requests() == []

    run_pulumi(example, example_env, "config", "set", *config, "week", "2030-W02")
    run_pulumi(example, example_env, "up", "--yes", *config)
    assert len(restore_jobs(emulator)) == 2
    assert emulator.control.count("CreateTask") == 1

    emulator.control.clear_requests()
    run_pulumi(example, example_env, "destroy", "--yes", *config)
    assert emulator.control.requests() == []
    run_pulumi(example, example_env, "stack", "rm", "--yes")
