"""The restore-points policy pack (policy/restore-points) through the real CLI, started by the
project's language host (``RunPlugin``), against the emulator: ``pulumi preview/up
--policy-pack`` refuses or warns before anything is sent to Commvault."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from engine_support import CliProject

pytestmark = pytest.mark.engine

PACK = Path(__file__).resolve().parent.parent / "policy" / "restore-points"

#: A backup of oradb01/ORCL, a migration that depends on it when ``withBackup`` is set, and,
#: with ``restore`` = in-place / out-of-place, a restore of oradb01/ORCL.
PROGRAM = """\
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pulumi_commvault import OracleBackupTrigger, OracleRestore


class NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="done", outs=props)


class Migration(Resource):
    def __init__(self, name, opts=None):
        super().__init__(NoOp(), name, {"sql": "ALTER TABLE orders ADD note VARCHAR2(80)"}, opts)


config = pulumi.Config()
snap = OracleBackupTrigger(
    "snap", client_name="oradb01", instance_name="ORCL", triggers=["v1"], timeout_minutes=2
)
depends_on = [snap] if config.get_bool("withBackup") else []
Migration("migration", opts=pulumi.ResourceOptions(depends_on=depends_on))
restore = config.get("restore")
if restore:
    elsewhere = {"destination_client_name": "oradb02", "destination_instance_name": "SALES"}
    OracleRestore(
        "refresh",
        client_name="oradb01",
        instance_name="ORCL",
        latest=True,
        confirm_overwrite="oradb01/ORCL",
        **(elsewhere if restore == "out-of-place" else {}),
        opts=pulumi.ResourceOptions(depends_on=[snap]),
    )
"""

MISSING_RESTORE_POINT = (
    "restore-point-before-change: migration (pulumi-python:dynamic:Resource) runs without a "
    "restore point: make migration depend on an OracleBackupTrigger of oradb01/ORCL: "
    "opts=ResourceOptions(depends_on=[snap])"
)
IN_PLACE_REFUSED = (
    "no-in-place-restore-of-production: refresh restores production database oradb01/ORCL in place"
)
PRODUCTION = {"productionDatabases": ["oradb01/ORCL"]}


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorProcess, api_token: str) -> CliProject:
    assert (PACK / "venv" / "bin" / "python").exists(), "run tools/setup.sh (the pack's venv)"
    project = CliProject(tmp_path)
    (project.dir / "__main__.py").write_text(PROGRAM)
    project.init({"commvault:url": emulator.url}, {"commvault:authToken": api_token})
    return project


def with_policy(
    project: CliProject, command: str, config: dict[str, Any] | None = None, *more: str
) -> subprocess.CompletedProcess[str]:
    args = [command, "--policy-pack", str(PACK)]
    if config is not None:
        config_file = project.root / "policy-config.json"
        config_file.write_text(json.dumps(config))
        args += ["--policy-pack-config", str(config_file)]
    return project.run(*args, *more, check=False)


def test_preview_refuses_a_migration_without_a_restore_point_and_calls_nothing(
    project: CliProject, emulator: EmulatorProcess
) -> None:
    preview = with_policy(project, "preview", {"restore-point-before-change": PRODUCTION})

    assert preview.returncode != 0
    assert "[mandatory]  restore-point-before-change" in preview.stdout
    assert MISSING_RESTORE_POINT in preview.stdout
    assert emulator.control.requests() == []


def test_advisory_level_warns_and_lets_the_preview_pass(
    project: CliProject, emulator: EmulatorProcess
) -> None:
    config = {"restore-point-before-change": {"enforcementLevel": "advisory", **PRODUCTION}}

    preview = with_policy(project, "preview", config)

    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "[advisory]  restore-point-before-change" in preview.stdout
    assert MISSING_RESTORE_POINT in preview.stdout
    assert emulator.control.requests() == []


def test_up_without_a_restore_point_stops_in_its_preview_before_any_backup_or_change(
    project: CliProject, emulator: EmulatorProcess
) -> None:
    up = with_policy(project, "up", {"restore-point-before-change": PRODUCTION}, "--yes")

    assert up.returncode != 0
    assert MISSING_RESTORE_POINT in up.stdout
    assert emulator.control.requests() == []
    assert project.resource_outputs("migration") is None


def test_the_migration_that_depends_on_the_backup_passes_and_up_takes_the_backup_first(
    project: CliProject, emulator: EmulatorProcess
) -> None:
    project.run("config", "set", "withBackup", "true")

    preview = with_policy(project, "preview", {"restore-point-before-change": PRODUCTION})
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "restore-point-before-change:" not in preview.stdout
    assert emulator.control.requests() == []

    up = with_policy(project, "up", {"restore-point-before-change": PRODUCTION}, "--yes")
    assert up.returncode == 0, up.stdout + up.stderr
    assert emulator.control.count("CreateTask") == 1
    assert project.resource_outputs("migration") is not None


@pytest.mark.parametrize(
    ("restore", "allowed", "refused"),
    [("in-place", False, True), ("in-place", True, False), ("out-of-place", False, False)],
)
def test_an_in_place_restore_of_production_is_refused_unless_allowed(
    project: CliProject, emulator: EmulatorProcess, restore: str, allowed: bool, refused: bool
) -> None:
    project.run("config", "set", "withBackup", "true")
    project.run("config", "set", "restore", restore)
    config = {
        "restore-point-before-change": PRODUCTION,
        "no-in-place-restore-of-production": {**PRODUCTION, "allowInPlaceRestore": allowed},
    }

    preview = with_policy(project, "preview", config)

    assert (preview.returncode != 0) == refused, preview.stdout + preview.stderr
    assert (IN_PLACE_REFUSED in preview.stdout) == refused
    assert emulator.control.requests() == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"restore-point-before-change": {"productionDatabases": ["oradb01"]}},
            "policy pack config restore-point-before-change.productionDatabases: 'oradb01' is not "
            'client/instance; write e.g. "productionDatabases": ["oradb01/ORCL"]',
        ),
        (
            {"restore-point-before-change": {"productionDatabase": ["oradb01/ORCL"]}},
            "policy pack config restore-point-before-change.productionDatabase: unknown key; the "
            "keys are enforcementLevel, namesContaining, productionDatabases, riskyTypes",
        ),
        (
            {"no-in-place-restore-of-production": {"allowInPlaceRestore": "yes"}},
            "no-in-place-restore-of-production: allowInPlaceRestore: Invalid type. Expected: "
            "boolean, given: string",
        ),
    ],
)
def test_a_bad_pack_config_fails_the_preview_naming_the_key(
    project: CliProject, emulator: EmulatorProcess, config: dict[str, Any], message: str
) -> None:
    project.run("config", "set", "withBackup", "true")

    preview = with_policy(project, "preview", config)

    assert preview.returncode != 0
    assert message in preview.stdout + preview.stderr
    assert "Traceback" not in preview.stdout + preview.stderr
    assert emulator.control.requests() == []
