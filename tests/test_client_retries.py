"""Reads retry what is safe to retry; a backup request is never sent twice blindly."""

from __future__ import annotations

import pytest

from pulumi_commvault import AmbiguousCreateError, CommvaultClient, ServerError
from pulumi_commvault.commvault.backups import BackupRequest, Database, start_backup
from pulumi_commvault.commvault.models import CreateTaskRequest
from pulumi_commvault.commvault.transport import RetryPolicy

ORCL = Database("oradb01", "ORCL", "default")


def no_sleep(_seconds: float) -> None:
    return None


def backup(marker: str, *databases: Database) -> BackupRequest:
    return BackupRequest(databases or (ORCL,), "Full", marker=marker)


def endpoint_statuses(emulator, endpoint: str) -> list[int]:
    return [r["status"] for r in emulator.control.requests() if r["endpoint"] == endpoint]


def test_reads_retry_a_burst_of_503(fast_client, emulator):
    emulator.control.inject("WhoAmI", "status", status=503, count=2)
    assert fast_client.who_am_i()
    assert endpoint_statuses(emulator, "WhoAmI") == [503, 503, 200]


def test_reads_honour_retry_after_on_429(fast_client, emulator):
    emulator.control.inject("WhoAmI", "status", status=429, retry_after=1, count=1)
    assert fast_client.who_am_i()
    assert endpoint_statuses(emulator, "WhoAmI") == [429, 200]


def test_reads_retry_a_dropped_connection(fast_client, emulator):
    emulator.control.inject("Client", "drop", count=1)
    assert "oradb01" in fast_client.client_ids()
    assert endpoint_statuses(emulator, "Client") == [0, 200]


def test_reads_give_up_after_the_retry_budget_with_a_server_error(fast_client, emulator):
    emulator.control.inject("WhoAmI", "status", status=503, count=50)
    with pytest.raises(ServerError, match="HTTP 503"):
        fast_client.who_am_i()
    assert len(endpoint_statuses(emulator, "WhoAmI")) == fast_client.retry.attempts + 1


def test_commserve_down_is_a_clear_connection_error(fast_client_to_closed_port):
    with pytest.raises(ServerError, match="could not connect"):
        fast_client_to_closed_port.who_am_i()


def test_transport_never_resends_create_task_after_a_503(fast_client, emulator):
    emulator.control.inject("CreateTask", "status", status=503, count=5)
    request = CreateTaskRequest.oracle_backup([ORCL.association()], level="Full")
    with pytest.raises(AmbiguousCreateError):
        fast_client.create_task(request)
    assert emulator.control.count("CreateTask") == 1


def test_lost_create_task_answer_adopts_the_job_it_started(fast_client, emulator):
    emulator.control.inject("CreateTask", "lose_answer")
    started = start_backup(
        fast_client, backup("lost-answer-1"), adoptable=lambda s: True, sleep=no_sleep
    )
    assert len(emulator.control.jobs()) == 1
    assert emulator.control.count("CreateTask") == 1
    assert started[0].adopted
    assert started[0].job_id == str(emulator.control.jobs()[0]["jobId"])


def test_lost_answer_for_several_databases_adopts_every_job(fast_client, emulator):
    sales = Database("oradb02", "SALES")
    emulator.control.inject("CreateTask", "lose_answer")
    started = start_backup(
        fast_client, backup("lost-answer-2", ORCL, sales), adoptable=lambda s: True, sleep=no_sleep
    )
    assert [job.database for job in started] == [ORCL, sales]
    assert len(emulator.control.jobs()) == 2


def test_dropped_create_task_that_started_nothing_is_sent_again_once(fast_client, emulator):
    emulator.control.inject("CreateTask", "drop")
    started = start_backup(
        fast_client, backup("dropped-1"), adoptable=lambda s: True, sleep=no_sleep
    )
    assert len(emulator.control.jobs()) == 1
    assert endpoint_statuses(emulator, "CreateTask") == [0, 200]
    assert not started[0].adopted


def test_rate_limited_create_task_waits_and_sends_again(fast_client, emulator):
    emulator.control.inject("CreateTask", "status", status=429, retry_after=2)
    waits: list[float] = []
    start_backup(
        fast_client, backup("rate-limited-1"), adoptable=lambda s: True, sleep=waits.append
    )
    assert waits == [2.0]
    assert endpoint_statuses(emulator, "CreateTask") == [429, 200]
    assert len(emulator.control.jobs()) == 1


def test_rerun_of_the_same_request_adopts_its_running_job(fast_client, emulator):
    emulator.control.job_defaults(seconds=30)
    first = start_backup(fast_client, backup("rerun-1"), adoptable=lambda s: True)
    again = start_backup(fast_client, backup("rerun-1"), adoptable=lambda s: True)
    assert again[0].job_id == first[0].job_id
    assert again[0].adopted
    assert emulator.control.count("CreateTask") == 1


def test_a_different_request_is_not_adopted(fast_client, emulator):
    emulator.control.job_defaults(seconds=30)
    start_backup(fast_client, backup("request-a"), adoptable=lambda s: True)
    start_backup(fast_client, backup("request-b"), adoptable=lambda s: True)
    assert emulator.control.count("CreateTask") == 2


def test_a_job_the_caller_refuses_to_adopt_is_backed_up_again(fast_client, emulator):
    emulator.control.job_defaults(seconds=30)
    start_backup(fast_client, backup("refused-1"), adoptable=lambda s: True)
    start_backup(fast_client, backup("refused-1"), adoptable=lambda s: False)
    assert emulator.control.count("CreateTask") == 2


def test_no_backup_is_sent_when_the_commserve_cannot_list_jobs_first(fast_client, emulator):
    emulator.control.inject("Jobs", "status", status=503, count=100)
    with pytest.raises(ServerError, match="POST Jobs"):
        start_backup(fast_client, backup("gone-1"), adoptable=lambda s: True, sleep=no_sleep)
    assert emulator.control.count("CreateTask") == 0


def test_reads_stop_retrying_when_the_time_budget_runs_out(emulator, api_token):
    policy = RetryPolicy(
        attempts=1000, backoff_factor_s=0.05, backoff_max_s=0.05, jitter_s=0.0, budget_s=0.5
    )
    client = CommvaultClient(emulator.url, token=api_token, retry=policy)
    emulator.control.inject("WhoAmI", "status", status=503, count=1000)
    with pytest.raises(ServerError, match="HTTP 503"):
        client.who_am_i()
    assert 3 < len(endpoint_statuses(emulator, "WhoAmI")) < 100


def test_a_job_action_is_not_resent_after_a_503(fast_client, emulator):
    emulator.control.job_defaults(seconds=30)
    [job] = start_backup(fast_client, backup("kill-once-1"), adoptable=lambda s: True)
    emulator.control.inject(f"Job/{job.job_id}/action/kill", "status", status=503, count=5)
    with pytest.raises(ServerError, match="HTTP 503"):
        fast_client.kill_job(job.job_id)
    assert endpoint_statuses(emulator, "JobAction") == [503]


def test_a_job_listing_post_is_retried_like_a_read(fast_client, emulator):
    emulator.control.inject("Jobs", "status", status=503, count=2)
    assert fast_client.list_jobs() == []
    assert endpoint_statuses(emulator, "Jobs") == [503, 503, 200]
