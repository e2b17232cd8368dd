"""OracleRestore and restore-point freshness under the real Pulumi engine, against the
emulator, counted in its request log."""

from __future__ import annotations

import signal
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from emulator_support import start_backup, wait_for
from engine_fixtures import BOTH_LISTINGS
from engine_support import CliProject
from harness.processes import process_tree, stop_processes
from pulumi_commvault import OracleBackupTrigger, OracleRestore

pytestmark = pytest.mark.engine


class RestoreProgram:
    """A backup of oradb01/ORCL (``snap``) and a restore of it (``restore``): out of place
    onto oradb02/SALES unless the inputs say otherwise."""

    def __init__(self, **inputs: Any) -> None:
        self.inputs: dict[str, Any] = {
            "client_name": "oradb01",
            "instance_name": "ORCL",
            "destination_client_name": "oradb02",
            "destination_instance_name": "SALES",
            "triggers": ["w1"],
            "timeout_minutes": 2,
            **inputs,
        }

    def __call__(self) -> None:
        snap = OracleBackupTrigger(
            "snap", client_name="oradb01", instance_name="ORCL", triggers=["v1"], timeout_minutes=2
        )
        inputs = dict(self.inputs)
        if not any(k in inputs for k in ("latest", "backup_job_ids", "scn", "point_in_time")):
            inputs["from_backup"] = snap
        after_backup = pulumi.ResourceOptions(depends_on=[snap])
        restore = OracleRestore("restore", opts=after_backup, **inputs)
        pulumi.export("backup_job_ids", snap.job_ids)
        pulumi.export("restore_job", restore.job_id)
        pulumi.export("restore_point", restore.restore_point)


def endpoints(emulator) -> list[str]:
    return [r["endpoint"] for r in emulator.control.requests()]


def restore_jobs(emulator) -> list[dict[str, Any]]:
    return [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]


def test_restore_lifecycle_runs_one_restore_per_request_and_nothing_else(deployer, emulator):
    program = RestoreProgram()
    deployment = deployer(program)

    deployment.preview()
    assert endpoints(emulator) == []

    result = deployment.up()
    assert endpoints(emulator).count("CreateTask") == 2  # the backup, then the restore
    (restore,) = restore_jobs(emulator)
    backup_ids = result.outputs["backup_job_ids"].value
    body = restore["request"]["taskInfo"]["subTasks"][0]["options"]["restoreOptions"]
    assert body["jobIds"] == backup_ids
    assert body["fileOption"]["sourceItem"] == [f"2:{j}" for j in backup_ids]
    assert result.outputs["restore_job"].value == str(restore["jobId"])
    assert result.outputs["restore_point"].value["backup_job_ids"] == backup_ids
    assert deployment.outputs_of("restore")["jobs"][0]["status"] == "Completed"

    emulator.control.clear_requests()
    deployment.up(expect_no_changes=True)
    assert endpoints(emulator) == []

    program.inputs["triggers"] = ["w2"]
    deployment.up()
    assert endpoints(emulator).count("CreateTask") == 1
    assert len(restore_jobs(emulator)) == 2
    assert deployment.outputs_of("restore")["history"][0]["job_ids"] == [str(restore["jobId"])]

    emulator.control.clear_requests()
    deployment.refresh()
    assert "CreateTask" not in endpoints(emulator)
    assert endpoints(emulator)  # it read the jobs
    assert set(endpoints(emulator)) <= {"Login", "Jobs", "Job", "Client"}

    emulator.control.clear_requests()
    deployment.destroy()
    assert endpoints(emulator) == []
    assert "forgetting restore job" in deployment.text
    assert len(restore_jobs(emulator)) == 2


def test_in_place_without_the_right_confirmation_fails_in_preview_and_sends_nothing(
    deployer, emulator
):
    program = RestoreProgram(
        destination_client_name=None,
        destination_instance_name=None,
        latest=True,
        confirm_overwrite="oradb02/SALES",
    )
    program.inputs = {k: v for k, v in program.inputs.items() if v is not None}
    deployment = deployer(program)
    with pytest.raises(auto.errors.CommandError):
        deployment.preview()
    message = deployment.text
    assert "confirm_overwrite" in message
    assert "an in-place restore overwrites oradb01/ORCL" in message
    assert endpoints(emulator) == []


def test_refresh_marks_aged_and_pruned_backups_not_restorable_with_a_warning(deployer, emulator):
    def program() -> None:
        snap = OracleBackupTrigger(
            "snap",
            databases=[
                {"client_name": "oradb01", "instance_name": "ORCL"},
                {"client_name": "oradb02", "instance_name": "SALES"},
            ],
            timeout_minutes=2,
        )
        pulumi.export("job_ids", snap.job_ids)

    deployment = deployer(program)
    aged, pruned = deployment.up().outputs["job_ids"].value
    emulator.control.age_job(aged)
    deployment.refresh()
    jobs = deployment.outputs_of("snap")["jobs"]
    assert [(j["restorable"], j["restorable_reason"]) for j in jobs] == [
        (False, "aged out of retention"),
        (True, "finished well"),
    ]
    assert f"backup job {aged} of oradb01/ORCL is no longer restorable: aged" in deployment.text

    emulator.control.prune_job(pruned)
    emulator.control.clear_requests()
    deployment.refresh()
    jobs = deployment.outputs_of("snap")["jobs"]
    assert (jobs[1]["restorable"], jobs[1]["restorable_reason"]) == (
        False,
        "unknown to the CommServe (pruned or never existed)",
    )
    assert "CreateTask" not in endpoints(emulator)
    assert deployment.names().count("snap") == 1


@BOTH_LISTINGS
def test_an_interrupted_restore_rerun_as_documented_ends_with_one_restore_job(
    deployer, emulator, descriptions
):
    program = RestoreProgram(latest=True, timeout_minutes=0.05)
    deployment = deployer(program)
    emulator.control.clear_requests()
    # The backup takes its 1 s; the restore after it takes 10 s, well past the 3 s wait.
    emulator.control.next_jobs(seconds=1)
    emulator.control.next_jobs(seconds=10)
    with pytest.raises(auto.errors.CommandError):
        deployment.up()
    assert "re-run `pulumi up`, which adopts it instead of starting another" in deployment.text
    (running,) = restore_jobs(emulator)

    program.inputs["timeout_minutes"] = 2  # the documented recovery: a longer wait, then up
    deployment.up()
    assert len(restore_jobs(emulator)) == 1
    outputs = deployment.outputs_of("restore")
    assert outputs["job_id"] == str(running["jobId"])
    assert outputs["jobs"][0]["adopted"] is True
    assert outputs["jobs"][0]["status"] == "Completed"


RESTORE_PROGRAM = """\
import pulumi

from pulumi_commvault import OracleRestore

restore = OracleRestore(
    "restore",
    client_name="oradb01",
    instance_name="ORCL",
    latest=True,
    destination_client_name="oradb02",
    destination_instance_name="SALES",
    timeout_minutes=5,
)
pulumi.export("restore_job", restore.job_id)
"""


@BOTH_LISTINGS
def test_a_restore_abandoned_by_two_ctrl_c_is_adopted_after_the_documented_recovery(
    tmp_path, emulator, api_token, descriptions
):
    emulator.control.job_defaults(seconds=0.3)
    backup = start_backup(emulator)
    wait_for(emulator, backup, "Completed", timeout_s=10)
    project = CliProject(tmp_path)
    (project.dir / "__main__.py").write_text(RESTORE_PROGRAM)
    project.init({"commvault:url": emulator.url}, {"commvault:authToken": api_token})
    emulator.control.next_jobs(seconds=8)
    run = project.start("up", "--yes", "--skip-preview")
    run.wait_for_output(" Running ")
    tree = process_tree(run.process.pid)
    try:
        run.process.send_signal(signal.SIGINT)
        run.wait_for_output("^C received")
        run.process.send_signal(signal.SIGINT)
        assert run.wait() != 0
    finally:
        stop_processes(tree)
    (running,) = restore_jobs(emulator)

    # docs/reliability.md: clear the pending create, then `pulumi up` adopts the job.
    project.run("refresh", "--yes", "--clear-pending-creates")
    rerun = project.run("up", "--yes", "--skip-preview")
    assert f"restore job {running['jobId']} started, adopted" in rerun.stdout
    assert len(restore_jobs(emulator)) == 1
    assert (project.resource_outputs("restore") or {})["job_id"] == str(running["jobId"])
