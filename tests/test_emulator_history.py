"""``--history-jobs`` / ``--history-clients``: a busy CommServe's past, listed from indexes."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import (
    api_session,
    cvpysdk_jobs_body,
    jobs_query,
    own_emulator,
    refused_flags,
    start_backup,
    summary,
)

HISTORY_JOBS = 3000
HISTORY_CLIENTS = 20
TERMINAL = {
    "Completed",
    "Completed w/ one or more errors",
    "Completed w/ one or more warnings",
    "Failed",
    "Killed",
    "Failed to Start",
    "Committed",
}


@pytest.fixture(scope="module")
def busy() -> Iterator[EmulatorProcess]:
    flags = ("--history-jobs", str(HISTORY_JOBS), "--history-clients", str(HISTORY_CLIENTS))
    yield from own_emulator(*flags)


@pytest.fixture
def emulator(busy: EmulatorProcess) -> EmulatorProcess:
    busy.control.reset()
    return busy


def _everything(lookup_s: int = 0, **kwargs: Any) -> dict[str, Any]:
    body = cvpysdk_jobs_body(limit=0, lookup_s=lookup_s, **kwargs)
    body["jobFilter"]["showAgedJobs"] = True
    return body


def test_history_holds_every_terminal_status_and_running_jobs(emulator: EmulatorProcess) -> None:
    answer = jobs_query(emulator, _everything())
    statuses = collections.Counter(j["jobSummary"]["status"] for j in answer["jobs"])

    assert answer["totalRecordsWithoutPaging"] == HISTORY_JOBS
    assert set(statuses) >= TERMINAL
    assert statuses["Running"] > 0
    assert statuses["Completed"] > HISTORY_JOBS / 2


def test_history_clients_run_four_kinds_of_application(emulator: EmulatorProcess) -> None:
    answer = jobs_query(emulator, _everything())
    apps = {j["jobSummary"]["appTypeName"] for j in answer["jobs"]}
    clients = api_session().get(f"{emulator.url}/Client", timeout=10).json()

    assert apps == {"File System", "SQL Server", "Virtual Server", "Oracle"}
    assert len(clients["clientProperties"]) == 3 + HISTORY_CLIENTS


def test_history_spans_days_and_ages_the_oldest_jobs(emulator: EmulatorProcess) -> None:
    jobs = emulator.control.jobs()
    now = time.time()
    oldest = min(j["created"] for j in jobs)
    aged = [j for j in jobs if j["aged"]]

    assert now - oldest > 6 * 86400
    assert aged
    assert all(now - j["endedAt"] > 5 * 86400 for j in aged)
    listed = jobs_query(emulator, cvpysdk_jobs_body(limit=1, lookup_s=0))
    assert listed["totalRecordsWithoutPaging"] == HISTORY_JOBS - len(aged)


def _naive_total(jobs: list[dict[str, Any]], now: float, body: dict[str, Any]) -> int:
    """What a listing must count, from the control plane's full job list."""
    job_filter, category = body["jobFilter"], body["category"]
    lookup = job_filter["completedJobLookupTime"]
    clients = {c["clientId"] for c in job_filter["clientList"]}
    count = 0
    for job in jobs:
        ended = job["endedAt"]
        if (category == 1 and ended is not None) or (category == 2 and ended is None):
            continue
        if ended is not None and lookup and ended < now - lookup:
            continue
        if job["aged"] and not job_filter.get("showAgedJobs"):
            continue
        if clients and job["jobSummary"]["subclient"]["clientId"] not in clients:
            continue
        count += 1
    return count


@pytest.mark.parametrize("category", [0, 1, 2])
def test_indexed_counts_match_a_scan_of_every_job(busy: EmulatorProcess, category: int) -> None:
    before, at_before = busy.control.jobs(), time.time()
    client_id = before[0]["jobSummary"]["subclient"]["clientId"]
    bodies = []
    for lookup_s in (0, 5 * 3600, 48 * 3600):
        for clients in (None, [{"clientId": client_id}]):
            for show_aged in (False, True):
                body = cvpysdk_jobs_body(
                    category=category, limit=50, lookup_s=lookup_s, clients=clients
                )
                body["jobFilter"]["showAgedJobs"] = show_aged
                bodies.append(body)

    answers = [jobs_query(busy, body) for body in bodies]
    after, at_after = busy.control.jobs(), time.time()

    for body, answer in zip(bodies, answers, strict=True):
        # A history job may end, or leave the look-up window, while the queries run.
        expected = {_naive_total(before, at_before, body), _naive_total(after, at_after, body)}
        assert answer["totalRecordsWithoutPaging"] in expected, body
        ids = [j["jobSummary"]["jobId"] for j in answer.get("jobs", [])]
        assert ids == sorted(ids, reverse=True)
        assert len(ids) == min(50, answer["totalRecordsWithoutPaging"])


def test_pages_follow_each_other_without_gaps(emulator: EmulatorProcess) -> None:
    pages = [
        [j["jobSummary"]["jobId"] for j in jobs_query(emulator, body)["jobs"]]
        for body in (cvpysdk_jobs_body(limit=100, offset=o, lookup_s=0) for o in (0, 100))
    ]
    both = [
        j["jobSummary"]["jobId"]
        for j in jobs_query(emulator, cvpysdk_jobs_body(limit=200, lookup_s=0))["jobs"]
    ]

    assert pages[0] + pages[1] == both


def test_new_backups_take_ids_above_the_history_and_are_not_queued(
    emulator: EmulatorProcess,
) -> None:
    job_id = start_backup(emulator)

    assert summary(emulator, job_id)["status"] != "Pending"
    assert int(job_id) == max(j["jobId"] for j in emulator.control.jobs())


def test_a_history_job_is_found_by_id(emulator: EmulatorProcess) -> None:
    oldest = min(j["jobId"] for j in emulator.control.jobs())

    job = summary(emulator, str(oldest))

    assert job["status"] in TERMINAL
    assert job["jobEndTime"] > 0


def test_reset_brings_the_history_back(emulator: EmulatorProcess) -> None:
    emulator.control.forget_job(min(j["jobId"] for j in emulator.control.jobs()))
    emulator.control.reset()

    assert len(emulator.control.jobs()) == HISTORY_JOBS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history-jobs", "-1"], "--history-jobs must be between 0"),
        (["--history-jobs", "10", "--history-clients", "0"], "--history-clients must be"),
        (["--history-jobs", "10", "--first-job-id", "10"], "--first-job-id must be above"),
        (["--first-task-id", "0"], "--first-task-id >= 1"),
    ],
)
def test_bad_history_flags_are_refused_naming_the_flag(args: list[str], message: str) -> None:
    assert message in refused_flags(*args)


def test_the_query_form_of_the_listing_hides_aged_jobs_unless_asked(
    emulator: EmulatorProcess,
) -> None:
    aged = sum(1 for j in emulator.control.jobs() if j["aged"])

    def total(query: str) -> int:
        answer = api_session().get(f"{emulator.url}/Job?jobCategory=All&limit=1{query}", timeout=10)
        count: int = answer.json()["totalRecordsWithoutPaging"]
        return count

    assert total("") == HISTORY_JOBS - aged
    assert total("&showAgedJobs=true") == HISTORY_JOBS
