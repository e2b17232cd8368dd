"""Faults during `pulumi up` of an OracleBackupTrigger, through the real CLI and the emulator.

Each test is one row of docs/reliability.md: the fault, what the user sees, what the state
holds, the user's recovery, and that in the end the emulator started exactly one job for
each backup that was asked for (the CreateTask log and the job list are counted).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto

from commvault_emulator.process import EmulatorProcess
from commvault_emulator.state import FIRST_JOB_ID
from emulator_support import kill_job, wait_until_ended
from engine_fixtures import BOTH_LISTINGS
from engine_support import BackupProgram, CliProject, Deployment, first_diagnostic
from fault_scenarios import (
    FAULTS,
    closed_port_url,
    session_token,
    start_job_outside_pulumi,
)
from harness.processes import command_line, process_tree, still_running, stop_processes
from pulumi_commvault import AuthenticationError, CommvaultClient, CommvaultError
from pulumi_commvault.commvault.transport import RetryPolicy

pytestmark = pytest.mark.engine

TOKEN_ONLY_EXPIRY = "token expires while waiting, token-only auth"
NO_RETRIES = RetryPolicy(attempts=0, backoff_factor_s=0.0, jitter_s=0.0)


# --- Helpers -----------------------------------------------------------------------------


def failed_up(deployment: Deployment) -> str:
    """Run `pulumi up`, which must fail; everything the CLI printed."""
    with pytest.raises(auto.CommandError) as caught:
        deployment.up()
    return deployment.text + "\n" + str(caught.value)


def error_message(text: str) -> str:
    """The provider's error as the user reads it first: the first line under the resource
    in the CLI's Diagnostics, which must be the sentence itself (no traceback before it),
    starting with what failed."""
    message = first_diagnostic(text, "snap")
    assert message.startswith("Oracle backup of oradb01/ORCL/default: "), message
    return message


def arrange(name: str, emulator: EmulatorProcess, deployment: Deployment) -> None:
    FAULTS[name].arrange(emulator, deployment)


def up_failing_with(
    fault: str, deployer: Callable[..., Deployment], emulator: EmulatorProcess
) -> tuple[Deployment, str]:
    """A stack of the backup program, ``fault`` arranged, its `pulumi up` failed: the stack
    and the error as the user reads it first."""
    deployment = deployer(BackupProgram())
    arrange(fault, emulator, deployment)
    return deployment, error_message(failed_up(deployment))


def new_jobs(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """The jobs made since the emulator started: all of them, less a busy CommServe's
    history (``COMMVAULT_TEST_HISTORY_JOBS``), whose ids are below the first one handed out."""
    return [j for j in emulator.control.jobs() if int(j["jobId"]) >= FIRST_JOB_ID]


def marked_jobs(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """The jobs this project asked for (they carry the request marker in their description)."""
    return [j for j in emulator.control.jobs() if "[pulumi-commvault:" in j["jobDescription"]]


def job_ids(emulator: EmulatorProcess) -> list[str]:
    return [str(j["jobId"]) for j in marked_jobs(emulator)]


def endpoints(emulator: EmulatorProcess) -> list[tuple[str, int, str | None]]:
    return [(r["endpoint"], r["status"], r["fault"]) for r in emulator.control.requests()]


def assert_nothing_recorded(deployment: Deployment) -> None:
    """A failed create leaves no resource and no pending operation in the state."""
    assert "snap" not in deployment.names()
    assert deployment.pending_operations() == []


def assert_recorded(deployment: Deployment, job_id: str, *, adopted: bool) -> dict[str, Any]:
    """The state holds exactly this job, as started or as adopted; its record."""
    outputs = deployment.outputs_of("snap")
    assert outputs["job_ids"] == [job_id]
    [job] = outputs["jobs"]
    assert (job["job_id"], job["adopted"]) == (job_id, adopted)
    return dict(job)


def one_backup_recorded(
    deployment: Deployment, emulator: EmulatorProcess, *, sends: int
) -> dict[str, Any]:
    """The project's one job, started (not adopted) after ``sends`` CreateTasks in all, is
    what the state records; its record."""
    [job_id] = job_ids(emulator)
    assert emulator.control.count("CreateTask") == sends
    return assert_recorded(deployment, job_id, adopted=False)


# --- The CommServe cannot be reached, or answers badly ----------------------------------


def test_commserve_down_fails_naming_the_url_and_a_rerun_once_it_is_up_takes_one_backup(
    deployer, emulator
):
    deployment = deployer(BackupProgram())
    arrange("commserve down", emulator, deployment)
    down_url = deployment.stack.get_config("commvault:url").value

    message = error_message(failed_up(deployment))

    assert "could not connect" in message
    assert "Connection refused" in message
    assert down_url in message
    assert "check that commvault:url (or COMMVAULT_URL) is the CommServe's API address" in message
    assert_nothing_recorded(deployment)
    assert emulator.control.requests() == []

    deployment.stack.set_config("commvault:url", auto.ConfigValue(emulator.url))
    deployment.up()
    assert one_backup_recorded(deployment, emulator, sends=1)["status"] == "Completed"


def test_commserve_down_is_reported_as_unreachable_not_as_a_failed_login(demo_user):
    # The row above shows the client's message through the engine; its wording is checked
    # here on the client, without starting the engine.
    client = CommvaultClient(
        closed_port_url(), username=demo_user[0], password=demo_user[1], retry=NO_RETRIES
    )
    with pytest.raises(CommvaultError) as caught:
        client.who_am_i()

    assert "could not connect" in str(caught.value)
    # The password is not the problem: "login failed" sends users to reset it.
    assert "login as 'admin' failed" not in str(caught.value)
    assert not isinstance(caught.value, AuthenticationError)


def test_a_503_burst_on_reads_is_absorbed_by_retries_and_takes_one_backup(deployer, emulator):
    deployment = deployer(BackupProgram())
    arrange("503 burst on reads", emulator, deployment)

    deployment.up()

    statuses = endpoints(emulator)
    for endpoint in ("Jobs", "Job"):
        assert statuses.count((endpoint, 503, "status")) == 2
    assert one_backup_recorded(deployment, emulator, sends=1)["status"] == "Completed"


@pytest.mark.parametrize(
    "name",
    [
        "proxy HTML page on CreateTask once",
        "503 on CreateTask",
    ],
)
@BOTH_LISTINGS
def test_a_create_task_that_got_no_usable_answer_is_resent_only_after_finding_no_job(
    deployer, emulator, name, descriptions
):
    deployment = deployer(BackupProgram())
    arrange(name, emulator, deployment)

    deployment.up()

    calls = [endpoint for endpoint, _, _ in endpoints(emulator)]
    first, second = [i for i, endpoint in enumerate(calls) if endpoint == "CreateTask"]
    assert "Jobs" in calls[first + 1 : second]  # looked for the job before sending again
    [job_id] = job_ids(emulator)
    assert len(new_jobs(emulator)) == 1
    assert assert_recorded(deployment, job_id, adopted=False)["status"] == "Completed"


def test_a_proxy_html_page_on_every_create_task_fails_naming_the_proxy_and_a_rerun_takes_one(
    deployer, emulator
):
    deployment, message = up_failing_with("proxy HTML page on every CreateTask", deployer, emulator)

    assert "HTML page (title '502 Bad Gateway')" in message
    assert "proxy or load balancer" in message
    assert "no job marked [pulumi-commvault:" in message
    assert "a re-run will look again before starting one" in message
    assert "check what answers at commvault:url" in message
    assert new_jobs(emulator) == []
    assert emulator.control.count("CreateTask") == 3
    assert_nothing_recorded(deployment)

    deployment.up()
    one_backup_recorded(deployment, emulator, sends=4)


def test_a_429_on_create_task_waits_for_retry_after_and_takes_one_backup(deployer, emulator):
    deployment = deployer(BackupProgram())
    arrange("429 on CreateTask", emulator, deployment)

    deployment.up()

    creates = [(s, f) for e, s, f in endpoints(emulator) if e == "CreateTask"]
    assert creates == [(429, "status"), (200, None)]
    [job_id] = job_ids(emulator)
    assert_recorded(deployment, job_id, adopted=False)


@BOTH_LISTINGS
def test_a_lost_create_task_answer_adopts_the_job_it_started_and_a_rerun_changes_nothing(
    deployer, emulator, descriptions
):
    deployment = deployer(BackupProgram())
    arrange("lost CreateTask answer", emulator, deployment)

    deployment.up()

    [job_id] = job_ids(emulator)
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in deployment.text
    assert emulator.control.count("CreateTask") == 1
    job = assert_recorded(deployment, job_id, adopted=True)
    assert job["status"] == "Completed"
    # The task id was in the lost answer.
    assert deployment.outputs_of("snap").get("task_id") is None

    emulator.control.clear_requests()
    deployment.up(expect_no_changes=True)
    assert emulator.control.requests() == []
    assert job_ids(emulator) == [job_id]


def test_an_empty_create_task_answer_fails_without_resending_and_a_rerun_takes_one_backup(
    deployer, emulator
):
    deployment, message = up_failing_with("empty CreateTask answer", deployer, emulator)

    assert "the CommServe sent an empty answer" in message
    assert "a re-run will look again before starting one" in message
    assert message.endswith("; re-run `pulumi up` once the CommServe answers again")
    assert emulator.control.count("CreateTask") == 1
    assert new_jobs(emulator) == []
    assert_nothing_recorded(deployment)

    deployment.up()
    one_backup_recorded(deployment, emulator, sends=2)


# --- Tokens ------------------------------------------------------------------------------


def test_a_token_expiring_during_the_wait_with_password_auth_logs_in_again_and_finishes(
    deployer, emulator
):
    deployment = deployer(BackupProgram())
    arrange("token expires while waiting, password auth", emulator, deployment)

    deployment.up()

    calls = endpoints(emulator)
    assert ("Job", 401, None) in calls
    assert [c for c in calls if c[0] == "Login"] == [("Login", 200, None)] * 2
    assert one_backup_recorded(deployment, emulator, sends=1)["status"] == "Completed"


def test_a_token_expiring_during_the_wait_with_token_only_auth_fails_and_a_rerun_adopts_the_job(
    deployer, emulator, demo_user
):
    deployment, message = up_failing_with(TOKEN_ONLY_EXPIRY, deployer, emulator)

    [job_id] = job_ids(emulator)
    assert f"GET Job/{job_id}: the CommServe refused the token" in message
    assert "(HTTP 401)" in message
    assert_nothing_recorded(deployment)
    [job] = new_jobs(emulator)
    assert job["status"] == "Running"

    # The user gets a new token and runs `pulumi up` again.
    deployment.stack.set_config(
        "commvault:authToken", auto.ConfigValue(session_token(emulator, demo_user), secret=True)
    )
    deployment.up()
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in deployment.text
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1
    assert assert_recorded(deployment, job_id, adopted=True)["status"] == "Completed"


def test_a_token_refused_during_the_wait_names_the_setting_to_renew(deployer, emulator):
    _, message = up_failing_with(TOKEN_ONLY_EXPIRY, deployer, emulator)

    assert "commvault:authToken" in message
    assert "re-run" in message  # the job goes on; a re-run with a new token adopts it


# --- How the job ends --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("job fails", "Failed", "ORA-19511"),
        ("job is killed", "Killed", "killed"),
        ("job completes with errors", "Completed w/ one or more errors", "archive logs"),
    ],
)
@BOTH_LISTINGS
def test_a_job_without_a_restore_point_fails_up_naming_it_and_a_rerun_takes_a_new_backup(
    deployer, emulator, name, status, reason, descriptions
):
    deployment = deployer(BackupProgram())
    arrange(name, emulator, deployment)

    message = error_message(failed_up(deployment))

    [bad_job] = job_ids(emulator)
    assert f"backup job {bad_job}: job {bad_job}: {status}, " in message
    assert reason in message
    assert "re-run `pulumi up` to take a new backup" in message
    if status.startswith("Completed"):
        assert "set accept_completed_with_errors=True to accept this one" in message
    assert_nothing_recorded(deployment)

    deployment.up()
    # The job that gave no restore point is not adopted: exactly one new backup is taken.
    first, second = job_ids(emulator)
    assert first == bad_job
    assert emulator.control.count("CreateTask") == 2
    assert assert_recorded(deployment, second, adopted=False)["status"] == "Completed"


def test_a_job_completed_with_errors_passes_when_accept_completed_with_errors_is_set(
    deployer, emulator
):
    fault = FAULTS["job completes with errors, accepted"]
    deployment = deployer(BackupProgram(**fault.inputs))
    fault.arrange(emulator, deployment)

    deployment.up()

    [job_id] = job_ids(emulator)
    job = assert_recorded(deployment, job_id, adopted=False)
    assert job["status"] == "Completed w/ one or more errors"


def test_accepting_errors_after_a_failed_up_adopts_the_same_job_instead_of_backing_up_again(
    deployer, emulator
):
    program = BackupProgram()
    deployment = deployer(program)
    arrange("job completes with errors", emulator, deployment)
    failed_up(deployment)
    [job_id] = job_ids(emulator)

    program.inputs["accept_completed_with_errors"] = True
    deployment.up()

    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in deployment.text
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1
    job = assert_recorded(deployment, job_id, adopted=True)
    assert job["status"] == "Completed w/ one or more errors"


# --- Waiting -----------------------------------------------------------------------------


def test_a_wait_that_times_out_fails_naming_the_job_and_a_rerun_with_more_time_adopts_it(
    deployer, emulator
):
    fault = FAULTS["wait times out"]
    program = BackupProgram(**fault.inputs)
    deployment = deployer(program)
    fault.arrange(emulator, deployment)

    message = error_message(failed_up(deployment))

    [job_id] = job_ids(emulator)
    assert f"1 of 1 jobs still unfinished after 2 s: job {job_id}: Running, " in message
    assert_nothing_recorded(deployment)

    program.inputs["timeout_minutes"] = 1
    deployment.up()
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in deployment.text
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1
    assert assert_recorded(deployment, job_id, adopted=True)["status"] == "Completed"


def test_a_wait_that_times_out_names_the_input_to_raise_and_that_a_rerun_adopts_the_job(
    deployer, emulator
):
    fault = FAULTS["wait times out"]
    deployment = deployer(BackupProgram(**fault.inputs))
    fault.arrange(emulator, deployment)

    message = error_message(failed_up(deployment))

    assert "timeout_minutes" in message
    assert "re-run" in message  # the job goes on; a re-run adopts it


def test_a_backup_refused_because_the_subclient_is_busy_fails_naming_the_running_job(
    deployer, emulator
):
    deployment = deployer(BackupProgram())
    arrange("subclient busy, backup refused", emulator, deployment)
    [other] = [str(j["jobId"]) for j in new_jobs(emulator)]

    message = error_message(failed_up(deployment))

    assert f"A backup job [{other}] is already running for subclient [default]" in message
    assert message.endswith("; wait for that job to end, then re-run `pulumi up`")
    assert job_ids(emulator) == []
    assert_nothing_recorded(deployment)

    kill_job(emulator, other)  # the running job ends (its user gave up on it)
    wait_until_ended(emulator, other)
    deployment.up()
    # CreateTasks: the other job's, the refused, ours
    one_backup_recorded(deployment, emulator, sends=3)


def test_a_backup_queued_behind_a_running_job_shows_why_it_waits_and_then_finishes(
    deployer, emulator
):
    deployment = deployer(BackupProgram())
    other = start_job_outside_pulumi(emulator, seconds=3600)  # runs until it is killed
    # Killed once the wait has said why it waits, however long the CLI took to start (a
    # job of a fixed length could end before ours was queued behind it).
    deployment.when_output("The job is queued", lambda: kill_job(emulator, other))

    deployment.up()

    [job_id] = job_ids(emulator)
    assert f"job {job_id} Pending 0% - The job is queued: job [{other}]" in deployment.text
    assert assert_recorded(deployment, job_id, adopted=False)["status"] == "Completed"


# --- The `pulumi up` process is interrupted while it waits --------------------------------


@pytest.fixture
def cli_project(tmp_path, emulator, api_token) -> CliProject:
    """A project on disk whose program backs up oradb01/ORCL, token auth, stack `dev`."""
    project = CliProject(tmp_path)
    project.init({"commvault:url": emulator.url}, {"commvault:authToken": api_token})
    return project


def start_up_and_wait_for_the_job(project: CliProject, emulator: EmulatorProcess, seconds: float):
    emulator.control.next_jobs(seconds=seconds)
    run = project.start("up", "--yes", "--skip-preview")
    run.wait_for_output(" Running ")
    return run


def pending_creates(project: CliProject) -> list[str]:
    return [
        op["resource"]["urn"].rsplit("::", 1)[-1]
        for op in project.export().get("pending_operations") or []
        if op["type"] == "creating"
    ]


def job_polls_after(emulator: EmulatorProcess, seq: int) -> list[str]:
    """The job reads (``Job``/``Jobs``) the emulator answered after request number ``seq``."""
    return [
        r["endpoint"]
        for r in emulator.control.requests()
        if r["seq"] > seq and r["endpoint"] in ("Job", "Jobs")
    ]


@BOTH_LISTINGS
def test_ctrl_c_ends_the_wait_saying_the_job_runs_on_and_a_rerun_adopts_it(
    cli_project, emulator, descriptions
):
    run = start_up_and_wait_for_the_job(cli_project, emulator, seconds=12)
    tree = process_tree(run.process.pid)
    try:
        seen = max(r["seq"] for r in emulator.control.requests())
        os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
        code = run.wait()
        [job] = marked_jobs(emulator)
        running_at_exit = job["endedAt"] is None
    finally:
        stop_processes(tree)

    output = run.output()
    job_id = str(job["jobId"])
    assert code != 0
    assert "^C received; cancelling" in output
    assert (
        f"stopped waiting because the update was cancelled (Ctrl-C); job {job_id} keeps "
        "running in Commvault and nothing was lost: run `pulumi up` again, which adopts"
    ) in output
    assert running_at_exit, "the wait should end before the job does"
    assert len(job_polls_after(emulator, seen)) <= 1  # at most the round already under way
    assert cli_project.lock_files() == []
    assert pending_creates(cli_project) == []
    assert cli_project.resource_outputs("snap") is None

    rerun = cli_project.run("up", "--yes", "--skip-preview")
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in rerun.stdout
    assert (cli_project.resource_outputs("snap") or {})["job_ids"] == [job_id]
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1


FLEET_PROGRAM = """\
import pulumi

from pulumi_commvault import OracleBackupTrigger

for i in range(1, 7):
    OracleBackupTrigger(f"snap{i}", client_name=f"ora{i}", instance_name="ORCL")
"""


def test_ctrl_c_ends_the_waits_of_more_resources_than_the_sdk_serves_at_once(cli_project, emulator):
    # pulumi.dynamic serves 4 calls at once; a 5th, the engine's Cancel, would queue behind
    # 6 waiting creates unless the provider widened its pool.
    emulator.control.set_inventory(
        {
            "clients": [
                {
                    "name": f"ora{i}",
                    "instances": [{"name": "ORCL", "subclients": [{"name": "default"}]}],
                }
                for i in range(1, 7)
            ]
        }
    )
    (cli_project.dir / "__main__.py").write_text(FLEET_PROGRAM)
    # Long jobs: under CI's load the six start seconds apart, and the CLI's exit is slower.
    emulator.control.next_jobs(seconds=60, count=6)
    run = cli_project.start("up", "--yes", "--skip-preview", "--parallel", "8")
    deadline = time.monotonic() + 60
    while len(marked_jobs(emulator)) < 6:
        assert time.monotonic() < deadline, "the six jobs did not start"
        time.sleep(0.2)
    tree = process_tree(run.process.pid)
    try:
        interrupted = time.monotonic()
        os.killpg(run.process.pid, signal.SIGINT)
        code = run.wait()
        exit_s = time.monotonic() - interrupted
        still_running = [j for j in marked_jobs(emulator) if j["endedAt"] is None]
    finally:
        stop_processes(tree)

    output = run.output()
    assert code != 0
    assert len(still_running) == 6, f"every wait should end before its job does ({exit_s:.1f} s)"
    for job in marked_jobs(emulator):
        assert f"job {job['jobId']} keeps running in Commvault and nothing was lost" in output
    assert pending_creates(cli_project) == []


def test_a_second_sigint_abandons_the_wait_and_refresh_then_up_adopts_the_job(
    cli_project, emulator
):
    run = start_up_and_wait_for_the_job(cli_project, emulator, seconds=4)
    tree = process_tree(run.process.pid)
    try:
        run.process.send_signal(signal.SIGINT)
        run.wait_for_output("^C received")
        run.process.send_signal(signal.SIGINT)
        code = run.wait()
    finally:
        stop_processes(tree)

    output = run.output()
    [job_id] = job_ids(emulator)
    assert code == 8  # what 3.274.1 exits with after a forced cancel
    assert "^C received; terminating" in output
    assert "snap creating (interrupted)" in output
    assert cli_project.lock_files() == []
    assert pending_creates(cli_project) == ["snap"]
    assert cli_project.resource_outputs("snap") is None

    cli_project.run("refresh", "--yes", "--clear-pending-creates")
    assert pending_creates(cli_project) == []
    rerun = cli_project.run("up", "--yes", "--skip-preview")
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in rerun.stdout
    assert (cli_project.resource_outputs("snap") or {})["job_ids"] == [job_id]
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1


@BOTH_LISTINGS
def test_sigkill_while_waiting_leaves_a_lock_and_cancel_refresh_up_adopt_the_job(
    cli_project, emulator, descriptions
):
    run = start_up_and_wait_for_the_job(cli_project, emulator, seconds=4)
    tree = process_tree(run.process.pid)
    try:
        run.process.kill()
        run.wait()
    finally:
        stop_processes(tree)

    [job_id] = job_ids(emulator)
    assert len(cli_project.lock_files()) == 1
    locked = cli_project.run("up", "--yes", "--skip-preview", check=False)
    assert locked.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in locked.stdout + locked.stderr
    assert "pulumi cancel" in locked.stdout + locked.stderr

    cli_project.run("cancel", "--yes")
    assert cli_project.lock_files() == []
    assert pending_creates(cli_project) == ["snap"]
    cli_project.run("refresh", "--yes", "--clear-pending-creates")
    assert pending_creates(cli_project) == []
    rerun = cli_project.run("up", "--yes", "--skip-preview")
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in rerun.stdout
    assert (cli_project.resource_outputs("snap") or {})["job_ids"] == [job_id]
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1


def interrupt_a_nowhere_mode_backup(cli_project, emulator) -> str:
    """A ``pulumi up`` where no description shows, stopped with Ctrl-C while its job runs."""
    emulator.control.job_defaults(omit_job_description=True, omit_details_description=True)
    run = start_up_and_wait_for_the_job(cli_project, emulator, seconds=12)
    tree = process_tree(run.process.pid)
    try:
        os.killpg(run.process.pid, signal.SIGINT)
        run.wait()
    finally:
        stop_processes(tree)
    assert (
        "shows no job descriptions, in job listings or job details" in run.output()
    )  # said once, when it started
    [job_id] = job_ids(emulator)
    return job_id


def test_where_no_description_shows_a_rerun_after_ctrl_c_adopts_the_job_this_machine_sent(
    cli_project, emulator
):
    job_id = interrupt_a_nowhere_mode_backup(cli_project, emulator)

    rerun = cli_project.run("up", "--yes", "--skip-preview")

    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in rerun.stdout
    assert (cli_project.resource_outputs("snap") or {})["job_ids"] == [job_id]
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1


def test_where_no_description_shows_a_rerun_on_another_machine_stops_naming_the_job_then_adopts_it(
    cli_project, emulator, tmp_path
):
    job_id = interrupt_a_nowhere_mode_backup(cli_project, emulator)
    elsewhere = {"COMMVAULT_STATE_DIR": str(tmp_path / "another-machine")}

    stopped = cli_project.run("up", "--yes", "--skip-preview", check=False, extra_env=elsewhere)

    message = first_diagnostic(stopped.stdout, "snap")
    assert stopped.returncode != 0
    assert message.startswith(
        f"Oracle backup of oradb01/ORCL/default: nothing was started, as job {job_id} may be "
        f"this request's own: to adopt it, run `COMMVAULT_ADOPT_JOBS={job_id} pulumi up`; to "
        "take a new job, run `COMMVAULT_START_NEW_FOR="
    )
    assert f"Job {job_id}: Backup Full of oradb01/ORCL/default, " in message
    assert "this machine has no record of an earlier run sending this request" in message
    assert job_ids(emulator) == [job_id]

    rerun = cli_project.run(
        "up", "--yes", "--skip-preview", extra_env={**elsewhere, "COMMVAULT_ADOPT_JOBS": job_id}
    )
    assert f"started job {job_id} (oradb01/ORCL/default, adopted)" in rerun.stdout
    assert (cli_project.resource_outputs("snap") or {})["job_ids"] == [job_id]
    assert job_ids(emulator) == [job_id]
    assert emulator.control.count("CreateTask") == 1


def test_sigkill_while_waiting_leaves_no_provider_process_behind(cli_project, emulator):
    run = start_up_and_wait_for_the_job(cli_project, emulator, seconds=1.5)
    tree = process_tree(run.process.pid)
    try:
        run.process.kill()
        run.wait()
        [job_id] = job_ids(emulator)
        wait_until_ended(emulator, job_id)
        # The engine is gone and the job it waited for has ended: nothing is left to do.
        deadline = time.monotonic() + 3
        while still_running(tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = {pid: " ".join(command_line(pid)) for pid in still_running(tree)}
    finally:
        stop_processes(tree)
    assert survivors == {}, "processes left running after `pulumi up` was killed"
