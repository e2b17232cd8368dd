"""One watcher per process: shared reads, each waiter on its own jobs, 429s and Ctrl-C."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from emulator_support import EMULATOR_TOKEN
from pulumi_commvault import CommvaultClient, WaitTimeoutError
from pulumi_commvault.commvault.backups import Database
from pulumi_commvault.commvault.models import CreateTaskRequest
from pulumi_commvault.commvault.transport import RetryPolicy
from pulumi_commvault.commvault.watcher import JobWatcher, Pacing, Progress, WaitCancelledError

QUICK = Pacing(first_delays_s=(0.1,), short_cap_s=0.2, min_round_gap_s=0.1)
ORADB01 = Database("oradb01", "ORCL")
ORADB02 = Database("oradb02", "SALES")


def start(client: CommvaultClient, database: Database = ORADB01) -> str:
    request = CreateTaskRequest.oracle_backup([database.association()], level="Full")
    [job_id] = client.create_task(request).job_ids
    return job_id


def client_ids(client: CommvaultClient, jobs: dict[str, Database]) -> dict[str, int | None]:
    known = client.client_ids()
    return {job_id: known[db.client_name] for job_id, db in jobs.items()}


def job_reads(emulator) -> int:
    return emulator.control.count("Jobs") + emulator.control.count("Job")


def test_many_waiters_share_one_listing_per_round_and_each_gets_its_own_jobs(client, emulator):
    emulator.control.job_defaults(seconds=1.0)
    jobs = {start(client, db): db for db in (ORADB01, ORADB02, ORADB01, ORADB02)}
    ids = client_ids(client, jobs)
    watcher = JobWatcher(client, pacing=QUICK)
    emulator.control.clear_requests()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        waits = {
            job_id: pool.submit(watcher.wait, [job_id], timeout_s=30, client_ids=ids)
            for job_id in jobs
        }
        finals = {job_id: wait.result() for job_id, wait in waits.items()}

    for job_id, final in finals.items():
        assert list(final) == [job_id]
        assert final[job_id].status == "Completed"
    assert watcher.stats.reads == job_reads(emulator)
    # One read per round while several jobs are waited for: never one per waiter.
    assert watcher.stats.listings <= watcher.stats.rounds
    assert watcher.stats.reads <= watcher.stats.rounds + len(jobs)


def test_a_failed_job_ends_only_its_own_wait_and_the_others_finish(client, emulator):
    emulator.control.next_jobs(seconds=0.3, outcome="Failed")
    failing = start(client, ORADB02)
    emulator.control.next_jobs(seconds=1.2)
    good = start(client, ORADB01)
    ids = client_ids(client, {failing: ORADB02, good: ORADB01})
    watcher = JobWatcher(client, pacing=QUICK)

    with ThreadPoolExecutor(max_workers=2) as pool:
        bad_wait = pool.submit(watcher.wait, [failing], timeout_s=30, client_ids=ids)
        good_wait = pool.submit(watcher.wait, [good], timeout_s=30, client_ids=ids)
        assert bad_wait.result()[failing].status == "Failed"
        assert good_wait.result()[good].status == "Completed"


def test_progress_names_the_waiters_own_jobs_only(client, emulator):
    emulator.control.job_defaults(seconds=1.0)
    mine, other = start(client, ORADB01), start(client, ORADB02)
    ids = client_ids(client, {mine: ORADB01, other: ORADB02})
    watcher = JobWatcher(client, pacing=QUICK)
    seen: list[int] = []

    with ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(watcher.wait, [other], timeout_s=30, client_ids=ids)
        watcher.wait(
            [mine], timeout_s=30, client_ids=ids, on_progress=lambda s: seen.append(s.job_id)
        )
    assert seen
    assert set(seen) == {int(mine)}


def test_a_429_slows_the_watcher_down_and_never_fails_the_wait(emulator):
    no_retries = RetryPolicy(attempts=0, backoff_factor_s=0.0, jitter_s=0.0)
    with CommvaultClient(emulator.url, token=EMULATOR_TOKEN, retry=no_retries) as client:
        emulator.control.job_defaults(seconds=1.0)
        job_id = start(client)
        emulator.control.inject("Job/*", "status", count=3, status=429, retry_after=0.2)
        watcher = JobWatcher(client, pacing=QUICK)
        final = watcher.wait([job_id], timeout_s=30)
    assert final[job_id].status == "Completed"
    assert watcher.stats.rate_limited == 3


def test_only_the_timeout_ends_a_wait_that_meets_429s(emulator):
    no_retries = RetryPolicy(attempts=0, backoff_factor_s=0.0, jitter_s=0.0)
    with CommvaultClient(emulator.url, token=EMULATOR_TOKEN, retry=no_retries) as client:
        emulator.control.job_defaults(seconds=30.0)
        job_id = start(client)
        emulator.control.inject("Job/*", "status", count=1000, status=429, retry_after=0.1)
        watcher = JobWatcher(client, pacing=QUICK)
        with pytest.raises(WaitTimeoutError) as caught:
            watcher.wait([job_id], timeout_s=1.0)
    assert caught.value.job_ids == [job_id]
    assert watcher.stats.rate_limited >= 1


def test_a_cancel_ends_the_wait_while_the_job_runs_on(client, emulator):
    emulator.control.job_defaults(seconds=30.0)
    job_id = start(client)
    cancelled = threading.Event()
    watcher = JobWatcher(client, pacing=QUICK)
    threading.Timer(0.5, cancelled.set).start()

    with pytest.raises(WaitCancelledError) as caught:
        watcher.wait([job_id], timeout_s=60, cancelled=cancelled)
    assert caught.value.job_ids == [job_id]
    [job] = emulator.control.jobs()
    assert job["endedAt"] is None


def test_a_read_budget_spaces_the_rounds(client, emulator):
    emulator.control.job_defaults(seconds=2.0)
    job_id = start(client)
    emulator.control.clear_requests()
    budget = Pacing(
        first_delays_s=(0.05,), short_cap_s=0.05, min_round_gap_s=0.05, max_reads_per_hour=7200
    )  # one read per 0.5 s
    JobWatcher(client, pacing=budget).wait([job_id], timeout_s=30)
    times = [r["time"] for r in emulator.control.requests() if r["endpoint"] == "Job"]
    assert len(times) >= 2
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.45


def test_a_job_the_listing_does_not_show_is_read_alone(client, emulator):
    emulator.control.job_defaults(seconds=0.5)
    first, second = start(client, ORADB01), start(client, ORADB02)
    watcher = JobWatcher(client, pacing=QUICK)
    # No client ids: neither job can be found in a listing of their clients.
    finals = watcher.wait([first, second], timeout_s=30)
    assert {finals[first].status, finals[second].status} == {"Completed"}
    assert watcher.stats.listings == 0
    assert watcher.stats.job_reads >= 2


@pytest.mark.parametrize(
    ("reads_done", "elapsed_s", "interval_s"),
    [
        (0, 0.0, 1.0),
        (1, 1.0, 2.0),
        (2, 3.0, 3.0),
        (3, 6.0, 4.5),
        (40, 590.0, 4.5),
        (200, 1200.0, 24.0),
        (900, 36000.0, 300.0),
    ],
)
def test_polls_are_quick_at_first_then_grow_with_the_jobs_elapsed_time(
    reads_done, elapsed_s, interval_s
):
    assert Pacing().interval(reads_done, elapsed_s) == pytest.approx(interval_s)


def test_a_read_budget_sets_the_least_gap_between_rounds():
    assert Pacing().gap_after(1) == 3.0
    assert Pacing(max_reads_per_hour=600).gap_after(1) == pytest.approx(6.0)
    assert Pacing(max_reads_per_hour=600).gap_after(2) == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("first", "latest", "expected"),
    [
        ((0.0, 0.0), (1.0, 20.0), 1.0 + 4.0 * 1.05 + 0.1),  # 20 %/s: 4 s left
        ((1.0, 20.0), (3.0, 60.0), 3.0 + 2.0 * 1.05 + 0.1),  # the pace between two reads
        ((1.0, 20.0), (3.0, 20.0), None),  # no progress seen: no prediction
        ((0.0, 0.0), (1.0, 100.0), None),  # ended: nothing to predict
        ((1.0, 20.0), (1.0, 30.0), None),  # one moment only
    ],
)
def test_a_predicted_end_is_the_pace_seen_and_a_margin(first, latest, expected):
    predicted = Progress(first, latest).predicted_end()
    assert predicted == (pytest.approx(expected) if expected is not None else None)


def test_a_watcher_that_predicts_reads_soon_after_the_job_ends_with_fewer_reads(client, emulator):
    # The default pacing reads a 4 s job at 1, 4 and 7 s (rounds 3 s apart): its end is seen
    # 3 s late. Predicting from its progress, the read comes just after its end.
    emulator.control.job_defaults(seconds=4.0)
    job_id = start(client)
    predicting = JobWatcher(client, pacing=Pacing(predict_end=True, min_round_gap_s=1.0))
    emulator.control.clear_requests()
    [final] = predicting.wait([job_id], timeout_s=30).values()
    [job] = [j for j in emulator.control.jobs() if str(j["jobId"]) == job_id]
    [seen] = [r["time"] for r in emulator.control.requests() if r["time"] >= job["endedAt"]]
    assert final.status == "Completed"
    assert seen - job["endedAt"] < 0.8
    assert job_reads(emulator) <= 3
