"""A stack written by the previous release (0.1.0) keeps working under this code.

``fixtures/state-0.1.0.json`` was exported from a ``pulumi up`` of the CLI project's program
by release 0.1.0 (commit dbf2daa), whose provider is pickled as
``pulumi_commvault.provider.OracleBackupTriggerProvider``. Importing it, this release must
refresh it (reads only), see no change in ``pulumi up`` (no call at all) and destroy it (no
call), through the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine_support import CliProject, pickled_provider

pytestmark = pytest.mark.engine

FIXTURE = Path(__file__).parent / "fixtures" / "state-0.1.0.json"


@pytest.fixture
def old_stack(tmp_path, emulator, api_token) -> CliProject:
    project = CliProject(tmp_path)
    project.init({"commvault:url": emulator.url}, {"commvault:authToken": api_token})
    # The fixture's default provider points at the emulator it was made with (refresh and
    # destroy use the provider configuration in the state): point it at this one.
    state = json.loads(FIXTURE.read_text())
    for resource in state["deployment"]["resources"]:
        if resource["type"] == "pulumi:providers:pulumi-python":
            for props in (resource["inputs"], resource["outputs"]):
                props["commvault:url"] = emulator.url
    imported = tmp_path / "state-0.1.0.json"
    imported.write_text(json.dumps(state))
    project.run("stack", "import", "--file", str(imported))
    emulator.control.clear_requests()
    return project


def test_the_fixture_holds_the_provider_pickled_at_its_stable_path():
    deployment = json.loads(FIXTURE.read_text())["deployment"]
    [trigger] = [r for r in deployment["resources"] if r["type"].endswith(":OracleBackupTrigger")]
    assert b"pulumi_commvault.provider" in pickled_provider(trigger)
    assert trigger["outputs"]["job_ids"]


def test_a_state_of_the_previous_release_refreshes_with_reads_only(old_stack, emulator):
    before = old_stack.resource_outputs("snap")
    old_stack.run("refresh", "--yes", "--skip-preview")
    after = old_stack.resource_outputs("snap")
    assert after is not None
    assert before is not None
    assert after["job_ids"] == before["job_ids"]
    assert after["task_id"] == before["task_id"]
    endpoints = [r["endpoint"] for r in emulator.control.requests()]
    assert endpoints, "the new code's read ran and asked the CommServe"
    assert set(endpoints) <= {"Job", "Jobs"}


def test_a_state_of_the_previous_release_sees_no_change_and_makes_no_call(old_stack, emulator):
    done = old_stack.run("up", "--yes", "--skip-preview", "--expect-no-changes")
    assert done.returncode == 0
    assert emulator.control.requests() == []


def test_a_state_of_the_previous_release_destroys_without_a_call(old_stack, emulator):
    old_stack.run("destroy", "--yes", "--skip-preview")
    assert old_stack.resource_outputs("snap") is None
    assert emulator.control.requests() == []
