"""`pulumi up` of a Pulumi YAML program (runtime: yaml) through the real CLI and the YAML
language host that tools/setup.sh builds (tools/pulumi-yaml/) and puts next to our pulumi."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine_support import run_pulumi
from harness.engine import VENV, cli_env

# No skip when the host is missing: the test must fail then (run tools/setup.sh).
pytestmark = pytest.mark.engine

PROGRAM = """\
name: yaml-host-test
runtime: yaml
config:
  greeting:
    type: string
  token:
    type: string
    secret: true
variables:
  shout:
    fn::join: [" ", ["${greeting}", "from yaml"]]
outputs:
  greeting: ${shout}
  token: ${token}
"""
TOKEN = "y4ml-T0ken-never-plain"


def test_yaml_program_up_exports_its_outputs_and_keeps_secrets_secret(tmp_path: Path) -> None:
    host = VENV / "bin" / "pulumi-language-yaml"
    if not host.exists():
        pytest.fail("pulumi-language-yaml is missing: run `bash tools/setup.sh` (it needs Go)")
    project, state = tmp_path / "project", tmp_path / "state"
    project.mkdir()
    state.mkdir()
    (project / "Pulumi.yaml").write_text(PROGRAM)
    env = cli_env(state, tmp_path / "home")

    def pulumi(*args: str) -> str:
        return run_pulumi(project, env, *args).stdout

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "greeting", "hello")
    pulumi("config", "set", "--secret", "token", TOKEN)
    up = pulumi("up", "--yes", "--stack", "dev")

    assert "from $PATH" not in up  # the host sits next to pulumi, as a bundled plugin does
    assert json.loads(pulumi("stack", "output", "--json", "--stack", "dev")) == {
        "greeting": "hello from yaml",
        "token": "[secret]",
    }
    shown = json.loads(pulumi("stack", "output", "--json", "--show-secrets", "--stack", "dev"))
    assert shown["token"] == TOKEN
    saved = "".join(p.read_text() for p in state.rglob("*.json"))
    assert "hello from yaml" in saved  # the stack's state is where this looks
    assert TOKEN not in saved
