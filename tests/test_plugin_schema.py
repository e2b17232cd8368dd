"""The plugin's package schema: what ``pulumi package get-schema`` gets from the plugin is the
checked-in sdk/schema.json, made from the inputs' one declaration; the plugin's own modules
use no SDK internals."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from harness.engine import REPO, VENV, cli_env
from pulumi_commvault.backup_trigger.inputs import BackupTriggerInputs
from pulumi_commvault.declarations import user_fields
from pulumi_commvault.plugin import schema
from pulumi_commvault.plugin.marshal import camel
from pulumi_commvault.plugin.server import engine_address, request_name, type_of

CHECKED_IN = REPO / "sdk" / "schema.json"
PLUGIN_PACKAGE = REPO / "provider" / "pulumi_commvault" / "plugin"


@pytest.mark.engine
def test_get_schema_of_the_plugin_is_the_checked_in_schema(tmp_path: Path) -> None:
    plugin = VENV / "bin" / "pulumi-resource-commvault"
    if not plugin.exists():
        pytest.fail("pulumi-resource-commvault is missing: run `bash tools/setup.sh`")
    done = subprocess.run(
        ["pulumi", "package", "get-schema", str(plugin)],
        env=cli_env(tmp_path / "state", tmp_path / "home"),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(CHECKED_IN.read_text())


def test_every_input_is_in_the_schema_with_its_declared_description() -> None:
    resource = schema.schema()["resources"][schema.BACKUP_TRIGGER]
    expected = {camel(n): f.description for n, f in user_fields(BackupTriggerInputs)}
    assert {k: v["description"] for k, v in resource["inputProperties"].items()} == expected
    assert "requestName" not in resource["inputProperties"]  # set by the plugin, from the URN
    assert set(schema.schema()["resources"]) == {
        "commvault:oracle:BackupTrigger",
        "commvault:oracle:Restore",
    }


def test_the_password_and_token_are_secret_config() -> None:
    variables = schema.schema()["config"]["variables"]
    assert {name for name, v in variables.items() if v.get("secret")} == {"password", "authToken"}


def test_the_plugin_names_a_request_as_the_python_resources_do() -> None:
    urn = "urn:pulumi:dev::yaml-pre-change::commvault:oracle:BackupTrigger::preChange"
    assert request_name(urn) == "yaml-pre-change/dev/preChange"
    assert engine_address(["--logtostderr", "-v=9", "127.0.0.1:4321"]) == "127.0.0.1:4321"


def test_the_plugin_uses_no_sdk_internals() -> None:
    """From the SDK only its protocol stubs and the unknown-value marker: no
    ``sdk_internals``, no ``pulumi.dynamic``, no ``pulumi.provider``."""
    allowed = {"pulumi.runtime.proto", "pulumi.output"}
    for module in sorted(PLUGIN_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                name = ("." * node.level) + (node.module or "")
                names = [name] + [f"{name}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for imported in names:
                assert "sdk_internals" not in imported, f"{module.name}: {imported}"
                if imported.startswith("pulumi"):
                    assert any(imported.startswith(a) for a in allowed), (
                        f"{module.name}: {imported}"
                    )


def test_the_plugin_takes_the_resource_type_from_the_urn_even_under_a_component() -> None:
    child = "urn:pulumi:dev::p::my:app:Db$commvault:oracle:Restore::db-restore"
    assert type_of(child) == "commvault:oracle:Restore"
    assert request_name(child) == "p/dev/db-restore"
