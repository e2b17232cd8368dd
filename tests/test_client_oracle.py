"""The client's Oracle reads over real sockets (RMAN logs, backup pieces, the instance id),
the deciding lines of an RMAN log as a table, and a failed job's reason carrying them."""

from __future__ import annotations

import pytest

from pulumi_commvault import JobFailedError
from pulumi_commvault.commvault.backups import Database
from pulumi_commvault.commvault.models import CreateTaskRequest
from pulumi_commvault.commvault.rman import deciding_lines, failure_reason
from pulumi_commvault.commvault.waiting import PollSchedule, wait_for_job

QUICK = PollSchedule(first_delay_s=0.1, factor=1.5, max_interval_s=0.3)
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


def test_rman_log_and_pieces_of_a_completed_backup(client, emulator) -> None:
    emulator.control.job_defaults(seconds=0.3)
    job_id = _backup(client)
    summary = wait_for_job(client, job_id, timeout_s=20, schedule=QUICK)
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
        wait_for_job(client, job_id, timeout_s=20, schedule=QUICK)
    assert failed.value.reason.startswith("Error Code: ")
    assert f"; RMAN log of job {job_id}: RMAN-03009: failure of backup" in failed.value.reason
    assert failed.value.reason.endswith("ORA-19502: write error on file")
    assert "ORA-19502: write error on file" in str(failed.value)
    assert emulator.control.count("RMANLogs") == 1


def test_failure_reason_of_an_unknown_job_is_none(client) -> None:
    assert failure_reason(client, 1) is None
