"""``commvault-oracle`` run as users run it (the console script, a subprocess) against the
emulator over real sockets: every subcommand, every exit code, ``--json``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
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
from emulator_support import start_backup, wait_for


@pytest.fixture
def env(emulator: EmulatorProcess) -> dict[str, str]:
    return quick_jobs_environment(emulator)


@pytest.fixture
def backup_job(emulator: EmulatorProcess, env: dict[str, str]) -> str:
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Completed", timeout_s=10)
    emulator.control.clear_requests()
    return job_id


def restore_jobs(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    return [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]


def test_help_teaches_the_commands_exit_codes_and_variables() -> None:
    done = run_cli({}, "--help")
    assert done.returncode == 0
    for words in ("backup", "restore", "--confirm-overwrite", "exit codes:", "COMMVAULT_URL"):
        assert words in done.stdout
    assert "4    the CommServe could not be reached" in done.stdout


def test_backup_with_wait_succeeds_and_prints_json(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    done = run_cli(env, "backup", "oradb01/ORCL", "oradb02/SALES", "--wait", "--json")
    assert done.returncode == 0, done.stderr
    answer = document(done)
    assert answer["exit_code"] == 0
    assert [j["status"] for j in answer["jobs"]] == ["Completed", "Completed"]
    assert emulator.control.count("CreateTask") == 1


def test_the_same_backup_command_again_adopts_instead_of_starting_another(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    emulator.control.next_jobs(seconds=30)
    args = ("backup", "oradb01/ORCL", "--json", "--no-wait")
    first = document(run_cli(env, *args, "--request-id", "r1"))
    again = document(run_cli(env, *args, "--request-id", "r1"))
    assert again["adopted"] == first["job_ids"]
    assert emulator.control.count("CreateTask") == 1
    other = document(run_cli(env, *args, "--request-id", "r2"))
    assert other["job_ids"] != first["job_ids"]


def test_backup_of_a_failing_job_exits_1_with_the_reason(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    emulator.control.next_jobs(outcome="Failed")
    done = run_cli(env, "backup", "oradb01/ORCL", "--wait")
    assert done.returncode == 1
    assert "ended Failed: Error Code" in done.stderr


def test_status_shows_restorability_and_exits_7_for_an_unknown_job(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    ok = run_cli(env, "status", backup_job, "--json")
    assert ok.returncode == 0
    (job,) = document(ok)["jobs"]
    assert (job["restorable"], job["restorable_reason"]) == (True, "finished well")
    emulator.control.age_job(backup_job)
    aged = run_cli(env, "status", backup_job)
    assert "restorable: aged out of retention" in aged.stdout
    missing = run_cli(env, "status", backup_job, "999999", "--json")
    assert missing.returncode == 7
    assert document(missing)["jobs"][1] == {
        "job_id": "999999",
        "known": False,
        **{
            "restorable": False,
            "restorable_reason": "unknown to the CommServe (pruned or never existed)",
        },
    }


def test_wait_succeeds_for_a_finished_job_and_times_out_with_exit_3(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    assert run_cli(env, "wait", backup_job).returncode == 0
    emulator.control.next_jobs(seconds=60)
    slow = start_backup(emulator)
    done = run_cli(env, "wait", slow, "--timeout-minutes", "0.02", "--json")
    assert done.returncode == 3
    answer = document(done)
    assert answer["job_ids_unfinished"] == [slow]
    assert f"commvault-oracle wait {slow}" in answer["error"]


def test_wait_for_a_failed_job_exits_1(emulator: EmulatorProcess, env: dict[str, str]) -> None:
    emulator.control.next_jobs(outcome="Killed")
    job = start_backup(emulator)
    assert run_cli(env, "wait", job).returncode == 1


def test_restore_from_the_stack_output_restores_that_backup_in_place(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    stack_output = json.dumps([backup_job])  # what `pulumi stack output job_ids --json` prints
    done = run_cli(
        env,
        "restore",
        "oradb01/ORCL",
        "--backup-job-ids",
        stack_output,
        "--confirm-overwrite",
        "oradb01/ORCL",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    (job,) = restore_jobs(emulator)
    assert job["restoredFrom"] == [backup_job]
    assert document(done)["restore_point"]["in_place"] is True
    assert emulator.control.count("CreateTask") == 1


def test_restore_out_of_place_from_the_latest_backup(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    done = run_cli(env, "restore", "oradb01/ORCL", "--latest", "--to", "oradb02/SALES")
    assert done.returncode == 0, done.stderr
    assert "onto oradb02/SALES from the latest backup" in done.stdout
    (job,) = restore_jobs(emulator)
    assert job["jobSummary"]["destinationClient"]["clientName"] == "oradb02"


def test_a_rerun_of_the_same_restore_adopts_the_first_job(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    args = ("restore", "oradb01/ORCL", "--latest", "--to", "oradb02/SALES", "--no-wait", "--json")
    first = document(run_cli(env, *args))
    again = document(run_cli(env, *args))
    assert again["adopted"] == first["job_ids"]
    assert len(restore_jobs(emulator)) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--latest",), "--confirm-overwrite: an in-place restore overwrites oradb01/ORCL"),
        (("--latest", "--confirm-overwrite", "oradb02/SALES"), "got 'oradb02/SALES'"),
        (("--scn", "12a", "--to", "oradb02/SALES"), "--scn: '12a' is not an SCN"),
        (("--point-in-time", "last tuesday", "--to", "oradb02/SALES"), "not an ISO 8601"),
        (
            ("--point-in-time", "2001-01-01T00:00:00Z", "--to", "oradb02/SALES"),
            "--point-in-time: 2001-01-01T00:00:00+00:00 is before the first restorable backup",
        ),
        (("--backup-job-ids", "777777", "--to", "oradb02/SALES"), "job 777777 is no restore"),
        (
            ("--latest", "--to", "filesrv01/DefaultInstanceName"),
            "--to: the destination filesrv01/DefaultInstanceName is a File System instance",
        ),
    ],
)
def test_a_bad_restore_exits_2_naming_the_argument_and_sends_nothing(
    emulator: EmulatorProcess,
    env: dict[str, str],
    backup_job: str,
    args: tuple[str, ...],
    words: str,
) -> None:
    done = run_cli(env, "restore", "oradb01/ORCL", *args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert emulator.control.count("CreateTask") == 0


@pytest.mark.parametrize(
    ("database", "words"),
    [
        ("oradb02/SALE", "nothing was sent: DATABASE: no instance 'SALE' on client 'oradb02'"),
        ("oradb09/ORCL", "nothing was sent: DATABASE: client 'oradb09' is not known"),
    ],
)
def test_a_backup_of_a_mistyped_database_exits_2_naming_it_and_sends_nothing(
    emulator: EmulatorProcess, env: dict[str, str], database: str, words: str
) -> None:
    done = run_cli(env, "backup", "oradb01/ORCL", database, "--json")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"commvault-oracle: error: {words}")
    assert document(done)["error"].startswith(words)
    assert emulator.control.count("CreateTask") == 0


def test_both_point_in_time_and_scn_are_refused_by_the_parser(env: dict[str, str]) -> None:
    done = run_cli(env, "restore", "oradb01/ORCL", "--scn", "5", "--point-in-time", "2026-01-01")
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr


def test_a_failed_restore_exits_1(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    emulator.control.next_jobs(outcome="Failed")
    done = run_cli(env, "restore", "oradb01/ORCL", "--latest", "--to", "oradb02/SALES", "--json")
    assert done.returncode == 1
    assert document(done)["jobs"][0]["status"] == "Failed"


def test_an_unreachable_commserve_exits_4() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "COMMVAULT_URL": f"http://127.0.0.1:{port}/commandcenter/api",
        "COMMVAULT_AUTHTOKEN": "t0k3n",
    }
    done = run_cli(env, "status", "1")
    assert done.returncode == 4
    assert "cannot reach the CommServe" in done.stderr


def test_missing_settings_exit_2_naming_the_variable() -> None:
    done = run_cli({}, "status", "1")
    assert done.returncode == 2
    assert "COMMVAULT_URL" in done.stderr


def test_refused_credentials_exit_4_and_the_password_is_never_printed(
    emulator: EmulatorProcess,
) -> None:
    env = {
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_USERNAME": "admin",
        "COMMVAULT_PASSWORD": "wrong-Secret-99",
    }
    done = run_cli(env, "status", "1", "--json")
    assert done.returncode == 4
    assert "wrong-Secret-99" not in done.stdout + done.stderr


def test_a_username_and_password_from_the_environment_log_in(
    emulator: EmulatorProcess, backup_job: str, demo_user: tuple[str, str]
) -> None:
    env = {
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_USERNAME": demo_user[0],
        "COMMVAULT_PASSWORD": demo_user[1],
    }
    assert run_cli(env, "status", backup_job).returncode == 0


def test_a_missing_password_is_asked_for_on_the_terminal_never_read_from_argv(
    emulator: EmulatorProcess, backup_job: str, demo_user: tuple[str, str]
) -> None:
    env = {
        **base_environment(),
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_USERNAME": demo_user[0],
    }
    exit_code, seen = on_a_terminal(env, ("status", backup_job), demo_user[1].encode() + b"\n")
    assert exit_code == 0, seen
    assert f"job {backup_job}: Backup Completed".encode() in seen
    assert demo_user[1].encode() not in seen  # not echoed


def test_an_interrupted_restore_run_again_waits_for_the_same_job(
    emulator: EmulatorProcess, env: dict[str, str], backup_job: str
) -> None:
    emulator.control.next_jobs(seconds=6)
    args = ("restore", "oradb01/ORCL", "--latest", "--to", "oradb02/SALES", "--quiet")
    base = {k: v for k, v in os.environ.items() if not k.startswith("COMMVAULT_")}
    first = subprocess.Popen(
        [str(SCRIPT), *args],
        env={**base, **env},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not restore_jobs(emulator) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGINT)
    assert first.wait(timeout=30) == 130
    assert first.stderr is not None
    assert "run the same command again" in first.stderr.read()
    (running,) = restore_jobs(emulator)
    assert running["jobSummary"]["status"] != "Completed"
    again = run_cli(env, *args, "--json")
    assert again.returncode == 0, again.stderr
    assert document(again)["adopted"] == [str(running["jobId"])]
    assert len(restore_jobs(emulator)) == 1


def test_where_no_description_shows_the_same_backup_again_adopts_the_job_this_machine_sent(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    emulator.control.job_defaults(omit_job_description=True, omit_details_description=True)
    first = run_cli(env, "backup", "oradb01/ORCL", "--json")
    [job_id] = document(first)["job_ids"]
    assert (
        "shows no job descriptions, in job listings or job details" in first.stderr
    )  # warned once, when it started

    again = run_cli(env, "backup", "oradb01/ORCL", "--json")

    assert again.returncode == 0, again.stderr
    assert document(again)["adopted"] == [job_id]
    assert len(emulator.control.jobs()) == 1


def test_where_no_description_shows_a_rerun_on_another_machine_exits_5_until_told_what_to_do(
    emulator: EmulatorProcess, env: dict[str, str], tmp_path: Path
) -> None:
    emulator.control.job_defaults(
        seconds=60, omit_job_description=True, omit_details_description=True
    )
    [job_id] = document(run_cli(env, "backup", "oradb01/ORCL", "--json", "--no-wait"))["job_ids"]
    elsewhere = {**env, "COMMVAULT_STATE_DIR": str(tmp_path / "another-machine")}

    again = run_cli(elsewhere, "backup", "oradb01/ORCL", "--json", "--no-wait")

    assert again.returncode == 5
    stopped = document(again)
    assert stopped["job_ids_undecided"] == [job_id]
    assert stopped["command"] == "backup"
    assert stopped["request_marker"].startswith("cli-")
    assert again.stderr.startswith(
        f"commvault-oracle: error: nothing was started, as job {job_id} may be the one an "
        f"earlier run of this command started: to adopt it, run it again with --adopt-job "
        f"{job_id}; to start a new job, with --new-job. Job {job_id}: Backup Full of "
        "oradb01/ORCL/default, "
    )
    assert len(emulator.control.jobs()) == 1

    wrong = run_cli(elsewhere, "backup", "oradb01/ORCL", "--no-wait", "--adopt-job", f"{job_id},99")
    assert wrong.returncode == 2
    assert "--adopt-job: job 99 cannot be adopted: it is no job of this request's" in wrong.stderr
    assert f"the jobs that may be this request's are job {job_id}: Backup Full of" in wrong.stderr
    assert len(emulator.control.jobs()) == 1

    adopted = run_cli(
        elsewhere, "backup", "oradb01/ORCL", "--json", "--no-wait", "--adopt-job", job_id
    )
    assert adopted.returncode == 0, adopted.stderr
    assert document(adopted)["adopted"] == [job_id]
    assert len(emulator.control.jobs()) == 1

    # The adoption is in that machine's record now: the same command adopts without asking.
    again_there = run_cli(elsewhere, "backup", "oradb01/ORCL", "--json", "--no-wait")
    assert again_there.returncode == 0, again_there.stderr
    assert document(again_there)["adopted"] == [job_id]

    anew = run_cli(
        {**env, "COMMVAULT_STATE_DIR": str(tmp_path / "a-third-machine")},
        "backup",
        "oradb01/ORCL",
        "--json",
        "--no-wait",
        "--new-job",
    )
    assert anew.returncode == 0, anew.stderr
    assert document(anew)["adopted"] == []
    assert len(emulator.control.jobs()) == 2


def test_help_names_the_exit_code_of_a_job_the_guard_cannot_tell() -> None:
    done = run_cli({}, "backup", "--help")
    assert (
        "5    nothing was started: a running or queued job may be the one an earlier" in done.stdout
    )
    assert "--adopt-job JOB" in done.stdout
    assert "--new-job" in done.stdout


def test_adopt_job_takes_job_ids_only(env: dict[str, str]) -> None:
    done = run_cli(env, "backup", "oradb01/ORCL", "--adopt-job", "latest")
    assert done.returncode == 2
    assert "--adopt-job: 'latest' is not a job id" in done.stderr
