"""``commvault-oracle logs`` and ``points`` run as users run them (the console script, a
subprocess) against the emulator, with and without ``--json``; an SCN or point in time no
backup covers is refused before any CreateTask, naming the nearest covered point."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN, start_backup, wait_for
from pulumi_commvault.cli.dba_commands import since
from test_cli_oracle import document, run_cli

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def env(emulator: EmulatorProcess) -> dict[str, str]:
    emulator.control.job_defaults(seconds=0.3)
    return {
        "COMMVAULT_URL": emulator.url,
        "COMMVAULT_AUTHTOKEN": EMULATOR_TOKEN,
        "COMMVAULT_STATE_DIR": os.environ["COMMVAULT_STATE_DIR"],
    }


def _finished(emulator: EmulatorProcess, *statuses: str) -> str:
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, *(statuses or ("Completed",)), timeout_s=10)
    return job_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("24h", NOW - timedelta(hours=24)),
        ("7d", NOW - timedelta(days=7)),
        ("2026-02-01T00:00:00Z", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01T01:00:00+01:00", datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01 00:00", datetime(2026, 2, 1, tzinfo=UTC)),
    ],
)
def test_since_reads_a_time_or_a_duration(text: str, expected: datetime) -> None:
    assert since(text, NOW) == expected


def test_logs_prints_a_failed_jobs_log_and_names_its_error(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    emulator.control.next_jobs(outcome="Failed", error="ORA-27072: File I/O error")
    job_id = _finished(emulator, "Failed")
    done = run_cli(env, "logs", job_id)
    assert done.returncode == 0, done.stderr
    assert "Recovery Manager: Release 19.0.0.0.0" in done.stdout
    last = done.stdout.rstrip().splitlines()[-1]
    assert last.startswith(f"job {job_id} failed on: RMAN-03009: failure of backup command")
    assert last.endswith("; ORA-27072: File I/O error")
    as_json = document(run_cli(env, "logs", job_id, "--json"))
    assert as_json["errors"][1] == "ORA-27072: File I/O error"
    assert "RMAN>" in as_json["log"]
    assert as_json["exit_code"] == 0


def test_logs_of_an_unknown_job_exits_7_like_status_naming_it(env: dict[str, str]) -> None:
    done = run_cli(env, "logs", "12", "--json")
    assert done.returncode == 7, done.stderr
    assert done.stderr.startswith(
        "commvault-oracle: error: job 12: unknown to the CommServe, no RMAN log "
        "(Job [12] not found.); a job the CommServe does not show was pruned, never existed, "
        "or is another CommServe's: check the id against COMMVAULT_URL"
    )
    assert (document(done)["exit_code"], document(done)["job_ids"]) == (7, ["12"])
    assert run_cli(env, "logs", "x1").returncode == 2


def test_points_lists_restorable_backups_oldest_first_with_and_without_json(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    first = _finished(emulator)
    emulator.control.next_jobs(outcome="Failed")
    _finished(emulator, "Failed")
    second = _finished(emulator)
    done = run_cli(env, "points", "oradb01/ORCL")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[1] for line in lines] == [first, second]
    assert all("SCN " in line and "GiB" in line for line in lines)
    as_json = document(run_cli(env, "points", "oradb01/orcl", "--json"))
    assert [p["job_id"] for p in as_json["points"]] == [first, second]
    assert as_json["points"][0]["first_scn"] <= as_json["points"][0]["next_scn"]
    later = document(run_cli(env, "points", "oradb01/ORCL", "--since", "2999-01-01", "--json"))
    assert later["points"] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("points", "oradb01"), "CLIENT/INSTANCE: 'oradb01' is not client/instance"),
        (("points", "oradb01/ORCL", "--since", "yesterday"), "--since: 'yesterday' is neither"),
    ],
)
def test_points_bad_input_exits_2_with_one_line(
    env: dict[str, str], args: tuple[str, ...], words: str
) -> None:
    done = run_cli(env, *args)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"commvault-oracle: error: {words}")


def test_points_of_an_unknown_instance_exits_2(env: dict[str, str]) -> None:
    done = run_cli(env, "points", "oradb01/NOPE")
    assert done.returncode == 2
    assert "no Oracle instance 'NOPE' on client 'oradb01'" in done.stderr


def test_an_scn_before_every_backup_is_refused_before_createtask_naming_the_nearest_point(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    job_id = _finished(emulator)
    emulator.control.clear_requests()
    done = run_cli(env, "restore", "oradb01/ORCL", "--scn", "5", "--to", "oradb02/SALES")
    assert done.returncode == 2, done.stderr
    assert "--scn: SCN 5 is before the first restorable backup of oradb01/ORCL" in done.stderr
    assert "the nearest covered point is " in done.stderr
    assert f"(job {job_id}, SCN " in done.stderr
    assert emulator.control.count("CreateTask") == 0


def test_a_point_in_time_before_every_backup_names_the_nearest_covered_point(
    emulator: EmulatorProcess, env: dict[str, str]
) -> None:
    job_id = _finished(emulator)
    emulator.control.clear_requests()
    args = ("--point-in-time", "2001-01-01T00:00:00Z", "--to", "oradb02/SALES")
    done = run_cli(env, "restore", "oradb01/ORCL", *args)
    assert done.returncode == 2
    assert "the nearest covered point is " in done.stderr
    assert f"(job {job_id}, SCN " in done.stderr
    assert emulator.control.count("CreateTask") == 0
