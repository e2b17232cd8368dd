"""OracleBackupTrigger under the real Pulumi engine: preview, up, update, refresh, destroy."""

from __future__ import annotations

import pulumi
import pytest
from pulumi import automation as auto

from engine_support import BackupProgram
from pulumi_commvault import OracleBackupTrigger

pytestmark = pytest.mark.engine


def endpoints(emulator) -> list[str]:
    return [r["endpoint"] for r in emulator.control.requests()]


def test_preview_calls_no_api(deployer, emulator):
    deployment = deployer(BackupProgram())
    deployment.preview()
    assert endpoints(emulator) == []


def test_up_starts_one_backup_and_records_the_emulators_job_ids(deployer, emulator):
    deployment = deployer(BackupProgram())
    result = deployment.up()
    assert endpoints(emulator).count("CreateTask") == 1
    jobs = emulator.control.jobs()
    assert result.outputs["job_ids"].value == [str(j["jobId"]) for j in jobs]
    assert result.outputs["task_id"].value == str(jobs[0]["taskId"])
    state = deployment.outputs_of("snap")
    assert state["jobs"][0]["status"] == "Completed"


def test_state_holds_only_the_inputs_set_and_the_users_line_as_source(deployer, emulator):
    def program() -> None:
        snap = OracleBackupTrigger("snap", client_name="oradb01", instance_name="ORCL")
        # Left unset, so not registered; an output all the same, resolving to None.
        pulumi.export("level_unset", snap.backup_level.apply(lambda level: level is None))
        pulumi.export("job_ids", snap.job_ids)

    deployment = deployer(program)
    result = deployment.up()
    assert result.outputs["level_unset"].value is True
    assert result.outputs["job_ids"].value == [str(j["jobId"]) for j in emulator.control.jobs()]
    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    assert set(snap["inputs"]) == {"__provider", "client_name", "instance_name", "request_name"}
    assert "test_engine_lifecycle.py" in snap["sourcePosition"]


def test_second_up_changes_nothing_and_calls_no_api(deployer, emulator):
    deployment = deployer(BackupProgram())
    deployment.up()
    emulator.control.clear_requests()
    result = deployment.up(expect_no_changes=True)
    assert result.summary.resource_changes == {"same": 2}
    assert endpoints(emulator) == []


def test_changing_a_trigger_takes_exactly_one_new_backup_and_keeps_history(deployer, emulator):
    program = BackupProgram()
    deployment = deployer(program)
    first = deployment.up().outputs["job_ids"].value
    emulator.control.clear_requests()
    program.inputs["triggers"] = ["v2"]
    second = deployment.up().outputs["job_ids"].value
    assert endpoints(emulator).count("CreateTask") == 1
    assert second != first
    assert second == [str(emulator.control.jobs()[-1]["jobId"])]
    history = deployment.outputs_of("snap")["history"]
    assert history[0]["job_ids"] == first


def test_changing_only_the_timeout_updates_without_a_backup(deployer, emulator):
    program = BackupProgram()
    deployment = deployer(program)
    first = deployment.up().outputs["job_ids"].value
    emulator.control.clear_requests()
    program.inputs["timeout_minutes"] = 30
    result = deployment.up()
    assert result.summary.resource_changes.get("update") == 1
    assert endpoints(emulator) == []
    assert result.outputs["job_ids"].value == first
    assert deployment.outputs_of("snap")["timeout_minutes"] == 30


def test_refresh_only_reads_jobs(deployer, emulator):
    deployment = deployer(BackupProgram())
    deployment.up()
    emulator.control.clear_requests()
    deployment.refresh()
    calls = set(endpoints(emulator))
    assert calls
    assert calls <= {"Login", "Job", "Jobs"}
    assert deployment.outputs_of("snap")["jobs"][0]["status"] == "Completed"


def test_destroy_neither_kills_nor_backs_up(deployer, emulator):
    deployment = deployer(BackupProgram())
    deployment.up()
    emulator.control.clear_requests()
    deployment.destroy()
    assert endpoints(emulator) == []
    assert deployment.resources() == []


def test_failing_backup_fails_up_and_its_dependent_is_not_created(deployer, emulator):
    def program() -> None:
        snap = OracleBackupTrigger(
            "snap", client_name="oradb01", instance_name="ORCL", timeout_minutes=5
        )
        OracleBackupTrigger(
            "after",
            client_name="oradb02",
            instance_name="SALES",
            opts=pulumi.ResourceOptions(depends_on=[snap]),
        )

    emulator.control.subclient_jobs("oradb01", "ORCL", "default", seconds=0.5, outcome="Failed")
    deployment = deployer(program)
    with pytest.raises(auto.CommandError) as caught:
        deployment.up()
    [failed] = emulator.control.jobs()
    assert str(failed["jobId"]) in str(caught.value)
    assert "Failed" in str(caught.value)
    assert [j["jobSummary"]["subclient"]["clientName"] for j in emulator.control.jobs()] == [
        "oradb01"
    ]
    names = [r["urn"].rsplit("::", 1)[-1] for r in deployment.resources()]
    assert "after" not in names
    assert "snap" not in names


def test_token_and_password_stay_out_of_state_export_and_cli_output(
    deployer, emulator, api_token, demo_user
):
    config = {
        "commvault:url": auto.ConfigValue(emulator.url),
        "commvault:authToken": auto.ConfigValue(api_token, secret=True),
    }
    deployment = deployer(BackupProgram(), config=config)
    deployment.up()
    password_run = deployer(BackupProgram(triggers=["other"]), stack_name="pw")
    password_run.up()
    texts = [
        deployment.state_text(),
        deployment.exported_text(),
        "\n".join(deployment.output),
        password_run.state_text(),
        password_run.exported_text(),
        "\n".join(password_run.output),
    ]
    for text in texts:
        assert api_token not in text
        assert demo_user[1] not in text
    config_file = deployment.stack.workspace.get_all_config(deployment.stack.name)
    assert config_file["commvault:authToken"].secret
