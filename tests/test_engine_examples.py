"""The example projects deploy and destroy cleanly with the real `pulumi` CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine_support import connection_settings, example_stack, run_pulumi
from harness.engine import REPO

pytestmark = pytest.mark.engine


def deploy_and_destroy(
    example: Path, env: dict[str, str], settings: list[list[str]], config_file: Path
) -> dict[str, object]:
    cfg = ["--config-file", str(config_file)]
    example_stack(example, env, cfg, settings)
    run_pulumi(example, env, "up", "--yes", *cfg)
    outputs = json.loads(run_pulumi(example, env, "stack", "output", "--json").stdout)
    run_pulumi(example, env, "destroy", "--yes", *cfg)
    assert json.loads(run_pulumi(example, env, "stack", "export").stdout)["deployment"].get(
        "resources"
    ) in (None, [])
    run_pulumi(example, env, "stack", "rm", "--yes")
    return outputs


def connection(emulator, demo_user) -> list[list[str]]:
    return connection_settings(emulator.url, demo_user)


def test_pre_change_snapshot_example_gates_the_migration_on_a_finished_backup(
    emulator, demo_user, example_env, tmp_path
):
    example = REPO / "examples" / "pre-change-snapshot"
    outputs = deploy_and_destroy(
        example, example_env, connection(emulator, demo_user), tmp_path / "Pulumi.example.yaml"
    )
    [job] = emulator.control.jobs()
    assert outputs["restore_point_jobs"] == [str(job["jobId"])]
    assert outputs["restore_point_status"] == ["Completed"]
    assert outputs["migrated_to"] == "42"
    assert emulator.control.count("CreateTask") == 1


def test_pre_change_snapshot_example_keeps_the_earlier_restore_point_in_history(
    emulator, demo_user, example_env, tmp_path
):
    example = REPO / "examples" / "pre-change-snapshot"
    cfg = ["--config-file", str(tmp_path / "Pulumi.example.yaml")]
    example_stack(example, example_env, cfg, connection(emulator, demo_user))
    run_pulumi(example, example_env, "up", "--yes", *cfg)
    run_pulumi(example, example_env, "config", "set", *cfg, "schemaVersion", "43")

    second = run_pulumi(example, example_env, "up", "--yes", *cfg)

    outputs = json.loads(run_pulumi(example, example_env, "stack", "output", "--json").stdout)
    first_job, second_job = (str(j["jobId"]) for j in emulator.control.jobs())
    assert outputs["restore_point_jobs"] == [second_job]
    assert outputs["earlier_restore_points"] == [{"schema_version": "42", "job_ids": [first_job]}]
    assert outputs["migrated_to"] == "43"
    assert "2 updated" in second.stdout  # the same two resources, nothing replaced or deleted
    run_pulumi(example, example_env, "destroy", "--yes", *cfg)
    run_pulumi(example, example_env, "stack", "rm", "--yes")


def test_fleet_snapshot_example_backs_up_the_configured_databases_with_one_task(
    emulator, demo_user, example_env, tmp_path
):
    example = REPO / "examples" / "fleet-snapshot"
    fleet = [
        ["--path", "databases[0].client_name", "oradb01"],
        ["--path", "databases[0].instance_name", "ORCL"],
        ["--path", "databases[1].client_name", "oradb02"],
        ["--path", "databases[1].instance_name", "SALES"],
    ]
    outputs = deploy_and_destroy(
        example,
        example_env,
        connection(emulator, demo_user) + fleet,
        tmp_path / "Pulumi.example.yaml",
    )
    assert emulator.control.count("CreateTask") == 1
    assert sorted(outputs["jobs"]) == ["oradb01/ORCL", "oradb02/SALES"]
    assert sorted(outputs["jobs"].values()) == sorted(
        str(j["jobId"]) for j in emulator.control.jobs()
    )


def test_fleet_snapshot_example_without_databases_says_how_to_list_them(
    emulator, demo_user, example_env, tmp_path
):
    example = REPO / "examples" / "fleet-snapshot"
    cfg = ["--config-file", str(tmp_path / "Pulumi.example.yaml")]
    example_stack(example, example_env, cfg, connection(emulator, demo_user))

    failed = run_pulumi(example, example_env, "up", "--yes", *cfg, check=False)

    assert failed.returncode != 0
    shown = failed.stdout + failed.stderr
    assert "no databases to back up" in shown
    assert "pulumi config set --path 'databases[0].client_name' oradb01" in shown
    assert "Traceback" not in shown
    assert emulator.control.requests() == []
    run_pulumi(example, example_env, "stack", "rm", "--yes")
