"""``commvault-oracle``'s exit codes as a runbook relies on them: the pure rule per job as a
table, then each code of ``status`` and ``wait`` over real sockets, the password prompt
interrupted both ways, the two URL mistakes, and ``--json`` on every failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

import pytest

from cli_support import (
    SCRIPT,
    base_environment,
    document,
    on_a_terminal,
    quick_jobs_environment,
    run_cli,
)
from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, start_backup, wait_for
from pulumi_commvault.cli.exit_codes import Exit, worst
from pulumi_commvault.cli.verdicts import verdict
from pulumi_commvault.commvault.models import JobSummary


def summary(status: str, *, job_type: str = "Backup", aged: bool = False) -> JobSummary:
    return JobSummary.model_validate(
        {"jobId": 1, "status": status, "jobType": job_type, "isAged": aged}
    )


@pytest.mark.parametrize(
    ("job", "code"),
    [
        (summary("Completed"), Exit.SUCCESS),
        (summary("Completed w/ one or more warnings"), Exit.SUCCESS),
        (summary("Completed", aged=True), Exit.NOT_RESTORABLE),
        (summary("Completed", job_type="Restore", aged=True), Exit.SUCCESS),
        (summary("Completed w/ one or more errors"), Exit.JOB_FAILED),
        (summary("Failed"), Exit.JOB_FAILED),
        (summary("Killed"), Exit.JOB_FAILED),
        (summary("Failed", job_type="Restore"), Exit.JOB_FAILED),
        (summary("Running"), Exit.TIMED_OUT),
        (summary("Queued"), Exit.TIMED_OUT),
        (None, Exit.UNKNOWN_JOB),
    ],
)
def test_a_job_earns_the_exit_code_of_what_became_of_it(job: JobSummary | None, code: Exit):
    assert verdict(job).code is code


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], Exit.SUCCESS),
        ([Exit.SUCCESS, Exit.SUCCESS], Exit.SUCCESS),
        ([Exit.TIMED_OUT, Exit.NOT_RESTORABLE], Exit.NOT_RESTORABLE),
        ([Exit.NOT_RESTORABLE, Exit.JOB_FAILED], Exit.JOB_FAILED),
        ([Exit.JOB_FAILED, Exit.UNKNOWN_JOB, Exit.SUCCESS], Exit.UNKNOWN_JOB),
    ],
)
def test_several_jobs_exit_with_the_worst_code(codes: list[Exit], expected: Exit):
    assert worst(codes) is expected


@pytest.fixture
def env(emulator: EmulatorProcess) -> dict[str, str]:
    return quick_jobs_environment(emulator)


def finished_backup(emulator: EmulatorProcess, outcome: str = "Completed") -> str:
    emulator.control.next_jobs(seconds=0.3, outcome=outcome)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, outcome, timeout_s=10)
    return job_id


def in_its_own_session(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """The CLI started as a terminal's foreground job is, so a test can send it Ctrl-C
    (``os.killpg(pid, SIGINT)``); its stdout and stderr piped."""
    return subprocess.Popen(
        [str(SCRIPT), *args],
        env={**base_environment(), **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize(
    ("fate", "code", "reason"),
    [
        ("finished well", Exit.SUCCESS, "finished well"),
        ("Failed", Exit.JOB_FAILED, "failed (Failed)"),
        ("Killed", Exit.JOB_FAILED, "failed (Killed)"),
        ("aged", Exit.NOT_RESTORABLE, "aged out of retention"),
        ("pruned", Exit.UNKNOWN_JOB, "unknown to the CommServe (pruned or never existed)"),
        ("running", Exit.TIMED_OUT, "still running (Running)"),
    ],
)
def test_status_exits_with_the_code_of_what_became_of_the_backup(
    emulator: EmulatorProcess, env: dict[str, str], fate: str, code: Exit, reason: str
):
    if fate == "running":
        emulator.control.next_jobs(seconds=60)
        job_id = start_backup(emulator)
        wait_for(emulator, job_id, "Running", timeout_s=10)
    else:
        job_id = finished_backup(emulator, fate if fate in ("Failed", "Killed") else "Completed")
    if fate == "aged":
        emulator.control.age_job(job_id)
    if fate == "pruned":
        emulator.control.prune_job(job_id)

    done = run_cli(env, "status", job_id, "--json")

    assert done.returncode == code, done.stderr
    answer = document(done)
    assert answer["command"] == "status"
    assert answer["exit_code"] == code
    assert answer["jobs"][0]["restorable_reason"] == reason
    if code is not Exit.SUCCESS:  # one line saying why, first
        assert answer["error"].startswith(f"job {job_id}: ")
        assert done.stderr.startswith(f"commvault-oracle: error: job {job_id}: ")
    assert "Traceback" not in done.stderr


def test_status_of_a_restorable_and_an_aged_backup_exits_6(
    emulator: EmulatorProcess, env: dict[str, str]
):
    good, aged = finished_backup(emulator), finished_backup(emulator)
    emulator.control.age_job(aged)
    done = run_cli(env, "status", good, aged)
    assert done.returncode == Exit.NOT_RESTORABLE
    assert f"job {aged}: aged out of retention" in done.stderr


def test_wait_for_an_unknown_job_says_so_at_once_and_exits_7(
    emulator: EmulatorProcess, env: dict[str, str]
):
    emulator.control.clear_requests()
    done = run_cli(env, "wait", "999999", "--json")
    assert done.returncode == Exit.UNKNOWN_JOB
    assert "not waiting: a job the CommServe does not show" in done.stderr
    # One look, no polling rounds until the timeout.
    assert emulator.control.count("Job") == 1
    assert document(done)["jobs"] == [
        {
            "job_id": "999999",
            "known": False,
            "restorable": False,
            "restorable_reason": "unknown to the CommServe (pruned or never existed)",
        }
    ]


@pytest.mark.parametrize(
    ("outcome", "code"),
    [("Completed", Exit.SUCCESS), ("Failed", Exit.JOB_FAILED), ("Killed", Exit.JOB_FAILED)],
)
def test_wait_exits_with_the_code_of_how_the_job_ended(
    emulator: EmulatorProcess, env: dict[str, str], outcome: str, code: Exit
):
    emulator.control.next_jobs(seconds=1.5, outcome=outcome)
    job_id = start_backup(emulator)
    done = run_cli(env, "wait", job_id, "--json")
    assert done.returncode == code, done.stderr
    assert document(done)["jobs"][0]["status"] == outcome


def test_wait_for_a_backup_that_aged_exits_6(emulator: EmulatorProcess, env: dict[str, str]):
    job_id = finished_backup(emulator)
    emulator.control.age_job(job_id)
    assert run_cli(env, "wait", job_id).returncode == Exit.NOT_RESTORABLE


def test_an_interrupted_wait_lists_the_unfinished_jobs_in_its_json(
    emulator: EmulatorProcess, env: dict[str, str]
):
    done_job = finished_backup(emulator)
    emulator.control.next_jobs(seconds=60)
    running = start_backup(emulator)
    emulator.control.clear_requests()
    waiting = in_its_own_session(env, "wait", done_job, running, "--json")
    deadline = time.monotonic() + 60
    while emulator.control.count("Jobs") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the first listing was the unknown-job check; the second, a round
    os.killpg(waiting.pid, signal.SIGINT)
    out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == Exit.INTERRUPTED, err
    answer = json.loads(out)
    assert (answer["command"], answer["job_ids_unfinished"]) == ("wait", [running])
    assert "Traceback" not in err
    # wait starts no job: its jobs run on, and wait again picks them up (nothing to adopt)
    assert err.startswith(
        "commvault-oracle: error: interrupted; the jobs keep running in Commvault: run "
        f"`commvault-oracle wait {running}` again to wait"
    )
    assert "adopts" not in err


def test_an_interrupted_backup_json_carries_the_started_jobs(
    emulator: EmulatorProcess, env: dict[str, str]
):
    emulator.control.next_jobs(seconds=60)
    backing_up = in_its_own_session(env, "backup", "oradb01/ORCL", "--json")
    deadline = time.monotonic() + 60
    while emulator.control.count("Jobs") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the task was created; the watcher is polling
    os.killpg(backing_up.pid, signal.SIGINT)
    out, err = backing_up.communicate(timeout=30)
    assert backing_up.returncode == Exit.INTERRUPTED, err
    answer = json.loads(out)
    [job_id] = answer["job_ids"]
    assert answer["job_ids_unfinished"] == [job_id]
    assert answer["jobs"] == [{"job_id": job_id, "database": "oradb01/ORCL/default"}]
    assert "run the same command again" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("wait", "1", "--timeout-minutes", "ten"), "--timeout-minutes: 'ten' is not a number"),
        (("wait", "1", "--timeout-minutes", "0"), "--timeout-minutes: '0' is not a number"),
        (("backup", "oradb01/ORCL", "--timeout-minutes", "nan"), "--timeout-minutes: 'nan'"),
        (("backup", "oradb01/ORCL", "--level", "daily"), "--level: invalid choice: 'daily'"),
    ],
)
def test_a_refused_option_value_names_the_option_not_a_function(
    env: dict[str, str], args: tuple[str, ...], words: str
):
    done = run_cli(env, *args, "--json")
    assert done.returncode == Exit.BAD_INPUT
    assert document(done)["error"].startswith(words)
    assert done.stderr.startswith(f"commvault-oracle {args[0]}: error: {words}")
    assert "_minutes" not in done.stderr
    assert "argument " not in done.stderr


@pytest.mark.parametrize(
    "args", [("points", "oradb01/ORCL", "--json"), ("points", "oradb01/ORCL"), ("logs", "{job}")]
)
def test_output_into_a_pipe_the_reader_closed_ends_quietly_with_141(
    emulator: EmulatorProcess, env: dict[str, str], args: tuple[str, ...]
):
    job_id = finished_backup(emulator)
    reader, writer = os.pipe()
    os.close(reader)  # as `| head` does once it has its lines
    try:
        done = subprocess.run(
            [str(SCRIPT), *(a.format(job=job_id) for a in args)],
            env={**base_environment(), **env},
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == Exit.STDOUT_CLOSED == 128 + signal.SIGPIPE
    assert done.stderr == ""


def test_a_json_document_piped_into_head_ends_quietly(
    emulator: EmulatorProcess, env: dict[str, str]
):
    for _ in range(3):
        finished_backup(emulator)
    done = subprocess.run(
        ["sh", "-c", f"'{SCRIPT}' points oradb01/ORCL --json | head -3; exit 0"],
        env={**base_environment(), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert len(done.stdout.splitlines()) == 3
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr


@pytest.mark.parametrize(
    ("keys", "code", "words"),
    [
        (b"\x03", Exit.INTERRUPTED, b"interrupted at the password prompt (Ctrl-C); nothing"),
        (b"\x04", Exit.BAD_INPUT, b"no password typed (the prompt was closed with Ctrl-D)"),
    ],
)
def test_the_password_prompt_interrupted_ends_in_one_line_without_a_traceback(
    emulator: EmulatorProcess, keys: bytes, code: Exit, words: bytes
):
    emulator.control.clear_requests()
    env = {**base_environment(), "COMMVAULT_URL": emulator.url, "COMMVAULT_USERNAME": "admin"}
    exit_code, seen = on_a_terminal(env, ("status", "1"), keys)
    assert exit_code == code, seen
    assert words in seen
    assert b"Traceback" not in seen
    assert [line for line in seen.splitlines() if b"commvault-oracle: error" in line] != []
    assert emulator.control.requests() == []


def test_a_missing_password_without_a_terminal_names_the_variables_not_stack_config(
    emulator: EmulatorProcess,
):
    done = run_cli({"COMMVAULT_URL": emulator.url, "COMMVAULT_USERNAME": "admin"}, "status", "1")
    assert done.returncode == Exit.BAD_INPUT
    assert done.stderr.startswith(
        "commvault-oracle: error: no Commvault password for COMMVAULT_USERNAME (environment "
        "variable COMMVAULT_PASSWORD is missing)"
    )
    assert "pulumi config" not in done.stderr
    assert "commvault:" not in done.stderr


def test_a_url_without_the_api_path_says_it_must_end_in_commandcenter_api(
    emulator: EmulatorProcess, demo_user: tuple[str, str]
):
    site_root = emulator.url.removesuffix("/commandcenter/api")
    env = {
        "COMMVAULT_URL": site_root,
        "COMMVAULT_USERNAME": demo_user[0],
        "COMMVAULT_PASSWORD": demo_user[1],
    }
    done = run_cli(env, "status", "1")
    assert done.returncode == Exit.UNREACHABLE
    (line,) = done.stderr.splitlines()
    assert "POST Login" in line
    assert "check that COMMVAULT_URL is its API base URL, ending in /commandcenter/api" in line
    assert "pulumi config" not in line
    assert demo_user[1] not in line


def test_http_to_a_tls_port_says_to_use_https(tls_emulator: EmulatorProcess):
    plain = tls_emulator.url.replace("https://", "http://", 1)
    done = run_cli({"COMMVAULT_URL": plain, "COMMVAULT_AUTHTOKEN": EMULATOR_TOKEN}, "status", "1")
    assert done.returncode == Exit.UNREACHABLE
    (line,) = done.stderr.splitlines()
    assert "the port serves HTTPS, so it dropped the plain HTTP request from http://" in line
    assert line.endswith("use https:// in COMMVAULT_URL")


def test_level_is_read_in_any_case(emulator: EmulatorProcess, env: dict[str, str]):
    done = run_cli(env, "backup", "oradb01/ORCL", "--level", "INCREMENTAL", "--json")
    assert done.returncode == Exit.SUCCESS, done.stderr
    (job,) = emulator.control.jobs()
    assert job["jobSummary"]["backupLevelName"] == "Incremental"
    assert document(done)["jobs"][0]["status"] == "Completed"  # waited, by default


def test_backup_and_restore_wait_by_default_and_refuse_a_timeout_they_would_ignore(
    emulator: EmulatorProcess, env: dict[str, str]
):
    for command in (("backup", "oradb01/ORCL"), ("restore", "oradb01/ORCL", "--latest")):
        done = run_cli(env, *command, "--no-wait", "--timeout-minutes", "5", "--json")
        assert done.returncode == Exit.BAD_INPUT
        assert document(done)["error"] == (
            "--timeout-minutes: nothing is waited for with --no-wait; drop one of the two"
        )
    assert emulator.control.count("CreateTask") == 0


def test_a_second_rollback_with_the_same_request_id_says_nothing_was_restored_now(
    emulator: EmulatorProcess, env: dict[str, str]
):
    backup_job = finished_backup(emulator)
    rollback = (
        "restore",
        "oradb01/ORCL",
        "--backup-job-ids",
        backup_job,
        "--confirm-overwrite",
        "oradb01/ORCL",
        "--request-id",
        "rollback-1",
        "--json",
    )
    first = run_cli(env, *rollback)
    assert first.returncode == Exit.SUCCESS, first.stderr
    assert "nothing was restored now" not in first.stderr

    again = run_cli(env, *rollback)

    assert again.returncode == Exit.SUCCESS, again.stderr
    [restore_job] = document(first)["job_ids"]
    assert document(again)["restored_now"] is False
    assert (
        f"nothing was restored now: restore job {restore_job} of this request (--request-id "
        "rollback-1) already ended Completed; to restore again, run the same command with a "
        "new --request-id"
    ) in again.stderr
    assert emulator.control.count("CreateTask") == 2  # the backup and one restore


FAILURES: list[tuple[str, dict[str, str], tuple[str, ...], Exit]] = [
    ("no URL", {"COMMVAULT_URL": ""}, ("status", "1"), Exit.BAD_INPUT),
    ("not a job id", {}, ("wait", "abc"), Exit.BAD_INPUT),
    ("unknown job", {}, ("status", "999999"), Exit.UNKNOWN_JOB),
    ("unknown job waited for", {}, ("wait", "999999"), Exit.UNKNOWN_JOB),
    ("bad database", {}, ("backup", "oradb01"), Exit.BAD_INPUT),
    ("bad restore", {}, ("restore", "oradb01/ORCL", "--latest"), Exit.BAD_INPUT),
    ("ignored timeout", {}, ("backup", "oradb01/ORCL", "--no-wait", "--timeout-minutes", "1"), 2),
    ("refused token", {"COMMVAULT_AUTHTOKEN": "wrong"}, ("status", "1"), Exit.UNREACHABLE),
    ("no restore point", {}, ("restore", "oradb01/ORCL"), Exit.BAD_INPUT),
    ("two restore points", {}, ("restore", "oradb01/ORCL", "--scn", "5", "--latest"), 2),
    ("no such instance", {}, ("backup", "oradb02/SALE"), Exit.BAD_INPUT),
    ("not minutes", {}, ("wait", "1", "--timeout-minutes", "ten"), Exit.BAD_INPUT),
    ("unknown job's log", {}, ("logs", "999999"), Exit.UNKNOWN_JOB),
    ("no job's log", {}, ("logs", "x"), Exit.BAD_INPUT),
    ("bad points", {}, ("points", "oradb01"), Exit.BAD_INPUT),
]


@pytest.mark.parametrize(
    ("overrides", "args", "code"),
    [case[1:] for case in FAILURES],
    ids=[case[0] for case in FAILURES],
)
def test_every_json_failure_carries_the_command_the_code_and_the_error(
    env: dict[str, str], overrides: dict[str, str], args: tuple[str, ...], code: Exit
):
    done = run_cli({**env, **overrides}, *args, "--json")
    assert done.returncode == code, done.stderr
    answer: dict[str, Any] = document(done)
    assert (answer["command"], answer["exit_code"]) == (args[0], code)
    assert answer["error"]
    assert isinstance(answer["job_ids"], list)
    assert isinstance(answer["jobs"], list)
    first_line = done.stderr.splitlines()[0]
    assert first_line.startswith("commvault-oracle")
    assert first_line.endswith(f": error: {answer['error']}")
    assert "Traceback" not in done.stderr


def _job_ids_of(answer: dict[str, Any]) -> list[str]:
    return [str(job["job_id"]) for job in answer["jobs"]]


#: Each command's successes: the arguments (``{job}``: a finished backup's id) and the job ids
#: its document names.
SUCCESSES: list[tuple[str, tuple[str, ...]]] = [
    ("status", ("status", "{job}")),
    ("wait", ("wait", "{job}")),
    ("backup, waited for", ("backup", "oradb01/ORCL")),
    ("backup, not waited for", ("backup", "oradb01/ORCL", "--no-wait")),
    ("restore", ("restore", "oradb01/ORCL", "--latest", "--to", "oradb02/SALES")),
    ("logs", ("logs", "{job}")),
    ("points", ("points", "oradb01/ORCL")),
]


@pytest.mark.parametrize("args", [case[1] for case in SUCCESSES], ids=[c[0] for c in SUCCESSES])
def test_every_json_success_carries_the_command_the_code_and_the_jobs(
    emulator: EmulatorProcess, env: dict[str, str], args: tuple[str, ...]
):
    job_id = finished_backup(emulator)
    done = run_cli(env, *(a.format(job=job_id) for a in args), "--json")
    assert done.returncode == Exit.SUCCESS, done.stderr
    answer = document(done)
    assert (answer["command"], answer["exit_code"]) == (args[0], 0)
    if args[0] in ("logs", "points"):  # a job read, or none: no job's state in `jobs`
        assert answer["job_ids"] == ([job_id] if args[0] == "logs" else [])
        assert answer["jobs"] == []
    else:
        assert answer["job_ids"] == _job_ids_of(answer) != []
    if args[0] in ("status", "wait"):
        assert answer["job_ids"] == [job_id]
