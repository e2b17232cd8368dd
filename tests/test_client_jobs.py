"""Waiting for jobs: completion, failure, timeouts, progress, and few reads."""

from __future__ import annotations

import pytest

from pulumi_commvault import JobFailedError, WaitTimeoutError
from pulumi_commvault.commvault.backups import Database
from pulumi_commvault.commvault.job_status import JobOutcome, classify
from pulumi_commvault.commvault.models import CreateTaskRequest
from pulumi_commvault.commvault.waiting import wait_for_job, wait_for_jobs
from pulumi_commvault.commvault.watcher import Pacing

QUICK = Pacing(first_delays_s=(0.1,), short_cap_s=0.3, min_round_gap_s=0.1)


def start(client, *databases: Database) -> list[str]:
    dbs = databases or (Database("oradb01", "ORCL"),)
    request = CreateTaskRequest.oracle_backup([db.association() for db in dbs], level="Full")
    return client.create_task(request).job_ids


def test_wait_for_job_returns_the_completed_summary(client, emulator):
    emulator.control.job_defaults(seconds=0.5)
    [job_id] = start(client)
    summary = wait_for_job(client, job_id, timeout_s=20, pacing=QUICK)
    assert summary.status == "Completed"
    assert summary.percent_complete == 100
    assert summary.job_end_time >= summary.job_start_time > 0
    assert summary.backup_level_name == "Full"


def test_progress_is_reported_as_the_job_moves(client, emulator):
    emulator.control.job_defaults(seconds=1.0)
    [job_id] = start(client)
    seen: list[str] = []
    wait_for_job(
        client, job_id, timeout_s=20, pacing=QUICK, on_progress=lambda s: seen.append(s.status)
    )
    assert seen[0] in ("Waiting", "Running")
    assert seen[-1] == "Completed"
    assert "Running" in seen


@pytest.mark.parametrize("outcome", ["Failed", "Killed", "Completed w/ one or more errors"])
def test_a_job_that_gives_no_restore_point_raises_job_failed_with_its_id_and_status(
    client, emulator, outcome
):
    emulator.control.next_jobs(seconds=0.3, outcome=outcome)
    [job_id] = start(client)
    with pytest.raises(JobFailedError) as caught:
        wait_for_job(client, job_id, timeout_s=20, pacing=QUICK)
    assert caught.value.job_id == job_id
    assert caught.value.status == outcome
    assert job_id in str(caught.value)
    assert outcome in str(caught.value)


def test_completed_with_errors_counts_when_the_caller_accepts_it(client, emulator):
    emulator.control.next_jobs(seconds=0.3, outcome="Completed w/ one or more errors")
    [job_id] = start(client)
    summary = wait_for_job(
        client, job_id, timeout_s=20, pacing=QUICK, accept_completed_with_errors=True
    )
    assert summary.status == "Completed w/ one or more errors"


def test_a_wait_that_times_out_names_the_job_and_its_last_status(client, emulator):
    emulator.control.job_defaults(seconds=60)
    [job_id] = start(client)
    with pytest.raises(WaitTimeoutError) as caught:
        wait_for_job(client, job_id, timeout_s=0.5, pacing=QUICK)
    assert caught.value.job_ids == [job_id]
    assert job_id in str(caught.value)
    assert "Running" in str(caught.value) or "Waiting" in str(caught.value)


def test_several_jobs_are_read_with_one_listing_per_poll(client, emulator):
    emulator.control.job_defaults(seconds=0.5)
    job_ids = start(
        client,
        Database("oradb01", "ORCL"),
        Database("oradb02", "SALES"),
        Database("oradb01", "ORCL", "archivelog"),
    )
    emulator.control.clear_requests()
    finals = wait_for_jobs(client, job_ids, timeout_s=20, pacing=QUICK)
    assert {s.status for s in finals.values()} == {"Completed"}
    assert emulator.control.count("Job") == 0
    assert emulator.control.count("Jobs") >= 1


def test_a_queued_second_backup_of_a_busy_subclient_waits_then_completes(client, emulator):
    emulator.control.job_defaults(seconds=0.5)
    [first] = start(client)
    [second] = start(client)
    assert client.get_job(second).status in ("Pending", "Waiting", "Queued")
    finals = wait_for_jobs(client, [first, second], timeout_s=20, pacing=QUICK)
    assert finals[second].job_start_time >= finals[first].job_end_time


def test_kill_job_ends_a_running_job_as_killed(client, emulator):
    emulator.control.job_defaults(seconds=60)
    [job_id] = start(client)
    client.kill_job(job_id)
    assert client.get_job(job_id).status == "Killed"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("Running", JobOutcome.ACTIVE),
        ("Pending", JobOutcome.ACTIVE),
        ("Kill Pending", JobOutcome.ACTIVE),
        ("Completed", JobOutcome.SUCCEEDED),
        ("COMPLETED", JobOutcome.SUCCEEDED),
        ("Completed w/ one or more warnings", JobOutcome.SUCCEEDED),
        ("Completed w/ one or more errors", JobOutcome.COMPLETED_WITH_ERRORS),
        ("Failed to Start", JobOutcome.FAILED),
        ("Killed", JobOutcome.FAILED),
        ("Committed", JobOutcome.FAILED),
        ("Some Future Status", JobOutcome.ACTIVE),
    ],
)
def test_job_statuses_are_classified_as_commvault_defines_them(status, outcome):
    assert classify(status) is outcome
