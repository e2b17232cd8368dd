"""The client's Oracle reads over real sockets (RMAN logs, backup pieces, the instance id),
the deciding lines of an RMAN log as a table, and a failed job's reason carrying them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from pulumi_commvault import JobFailedError
from pulumi_commvault.commvault.backups import Database
from pulumi_commvault.commvault.models import CreateTaskRequest
from pulumi_commvault.commvault.restore_models import RestorePoint
from pulumi_commvault.commvault.restores import (
    Instance,
    RestoreCheckError,
    RestoreRequest,
    check_restore,
)
from pulumi_commvault.commvault.rman import deciding_lines, failure_reason, without_passwords
from pulumi_commvault.commvault.waiting import wait_for_job
from pulumi_commvault.commvault.watcher import Pacing

QUICK = Pacing(first_delays_s=(0.1,), short_cap_s=0.3, min_round_gap_s=0.1)
BANNER = "RMAN-00571: ====\nRMAN-00569: === ERROR MESSAGE STACK FOLLOWS ===\nRMAN-00571: ====\n"


def _backup(client) -> str:
    request = CreateTaskRequest.oracle_backup(
        [Database("oradb01", "ORCL").association()], level="Full"
    )
    return client.create_task(request).job_ids[0]


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("Recovery Manager complete.\n", []),
        (
            BANNER
            + "RMAN-03009: failure of backup command on ch1 channel\nORA-19502: write error\n",
            ["RMAN-03009: failure of backup command on ch1 channel", "ORA-19502: write error"],
        ),
        (
            BANNER + "ORA-01013: user requested cancel\nORA-00001: later\n",
            ["ORA-01013: user requested cancel"],
        ),
        (
            "RMAN-06054: media recovery requesting unknown archived log\n",
            ["RMAN-06054: media recovery requesting unknown archived log"],
        ),
        (
            "RMAN-04006: error from auxiliary database: sys/Secr3tPw@ORCL refused\n",
            ["RMAN-04006: error from auxiliary database: sys/[REDACTED]@ORCL refused"],
        ),
        ("ORA-12345: " + "x" * 500 + "\n", ["ORA-12345: " + "x" * 186 + "..."]),
    ],
    ids=["complete", "stack", "ora-only", "rman-only", "connect-password", "long-line"],
)
def test_deciding_lines(log: str, expected: list[str]) -> None:
    assert deciding_lines(log) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("connect target sys/Pw1@ORCL", "connect target sys/[REDACTED]@ORCL"),
        ("connect target /", "connect target /"),
        ("a/b@c and d/e@f", "a/[REDACTED]@c and d/[REDACTED]@f"),
        ("path /u01/app/oracle@host", "path /u01/app/oracle@host"),
    ],
)
def test_without_passwords(text: str, expected: str) -> None:
    assert without_passwords(text) == expected


def test_rman_log_and_pieces_of_a_completed_backup(client, emulator) -> None:
    emulator.control.job_defaults(seconds=0.3)
    job_id = _backup(client)
    summary = wait_for_job(client, job_id, timeout_s=20, pacing=QUICK)
    assert "Recovery Manager complete." in client.rman_log(job_id).log_content
    assert failure_reason(client, job_id) is None
    instance_id = client.oracle_instance_id("oradb01", "orcl")
    assert instance_id is not None
    pieces = client.backup_pieces(instance_id)
    assert [p.job_id for p in pieces] == [int(job_id)]
    assert pieces[0].end_time == summary.job_end_time
    assert pieces[0].start_scn is not None
    assert pieces[0].end_scn is not None
    assert pieces[0].start_scn <= pieces[0].end_scn
    assert client.backup_pieces(instance_id, from_time=summary.job_end_time + 1) == []
    assert client.oracle_instance_id("oradb01", "NOPE") is None


def test_a_failed_backup_names_the_rman_error_the_fault_control_chose(client, emulator) -> None:
    emulator.control.next_jobs(
        seconds=0.3, outcome="Failed", error="ORA-19502: write error on file"
    )
    job_id = _backup(client)
    with pytest.raises(JobFailedError) as failed:
        wait_for_job(client, job_id, timeout_s=20, pacing=QUICK)
    assert failed.value.reason.startswith("Error Code: ")
    assert f"; RMAN log of job {job_id}: RMAN-03009: failure of backup" in failed.value.reason
    assert failed.value.reason.endswith("ORA-19502: write error on file")
    assert "ORA-19502: write error on file" in str(failed.value)
    assert emulator.control.count("RMANLogs") == 1


def test_failure_reason_of_an_unknown_job_is_none(client) -> None:
    assert failure_reason(client, 1) is None


def test_check_restore_refuses_an_scn_before_every_backup_naming_the_nearest_point(
    client, emulator
) -> None:
    emulator.control.job_defaults(seconds=0.3)
    job_id = _backup(client)
    wait_for_job(client, job_id, timeout_s=20, pacing=QUICK)
    emulator.control.clear_requests()
    early = RestoreRequest(
        Instance("oradb01", "ORCL"),
        Instance("oradb02", "SALES"),
        RestorePoint(kind="scn", scn=5),
        marker="early-scn",
    )
    with pytest.raises(RestoreCheckError) as caught:
        check_restore(client, early)
    assert caught.value.failures[0][0] == "scn"
    assert "the nearest covered point is " in str(caught.value)
    assert f"(job {job_id}, SCN " in str(caught.value)
    later = dataclasses.replace(early, point=RestorePoint(kind="scn", scn=10**12))
    check_restore(client, later)
    assert emulator.control.count("CreateTask") == 0


def test_without_backup_pieces_a_point_in_time_is_judged_from_the_job_listing(
    client, emulator
) -> None:
    emulator.control.job_defaults(seconds=0.3)
    wait_for_job(client, _backup(client), timeout_s=20, pacing=QUICK)
    emulator.control.inject("oracle/instance/*", "status", count=5, status=404)
    early = RestoreRequest(
        Instance("oradb01", "ORCL"),
        Instance("oradb02", "SALES"),
        RestorePoint(kind="time", time=datetime.now(UTC) - timedelta(days=3)),
        marker="early-time",
    )
    emulator.control.clear_requests()
    with pytest.raises(RestoreCheckError, match="is before the first restorable backup") as caught:
        check_restore(client, early)
    assert "nearest covered point" not in str(caught.value)
    assert emulator.control.count("BackupPieces") == 1
    assert emulator.control.count("Jobs") == 1
