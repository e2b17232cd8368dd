"""`pulumi refresh` after a change of `commvault:url`, through the real CLI.

A plain refresh configures the provider with the settings stored in the state at the last
`pulumi up`, so it still reads the old CommServe; `refresh --run-program` (CLI >= 3.160)
runs the program and takes the current config. A refresh that cannot connect says both
what to check and this. (README "Failures", docs/reliability.md "Refresh and failed
updates".)
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from engine_support import BackupProgram, first_diagnostic
from fault_scenarios import closed_port_url

pytestmark = pytest.mark.engine


def test_a_plain_refresh_uses_the_url_in_the_state_and_run_program_the_new_one(deployer, emulator):
    deployment = deployer(BackupProgram())
    deployment.up()
    new_url = closed_port_url()
    deployment.stack.set_config("commvault:url", auto.ConfigValue(new_url))
    emulator.control.clear_requests()

    deployment.refresh()

    assert [r["endpoint"] for r in emulator.control.requests()] == ["Login", "Job"]

    emulator.control.clear_requests()
    deployment.output.clear()
    with pytest.raises(auto.CommandError):
        deployment.refresh(run_program=True)

    message = first_diagnostic(deployment.text, "snap")
    assert new_url in message
    assert "could not connect" in message
    assert "commvault:url" in message
    assert "`pulumi refresh --run-program`" in message
    assert emulator.control.requests() == []
