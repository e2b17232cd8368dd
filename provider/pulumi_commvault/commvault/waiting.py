"""Waiting for backup jobs: find, status, wait.

A waiter polls quickly at first and backs off to a cap, so a long backup costs few calls yet
its end is noticed within ``max_interval_s``. Several jobs are read with one ``POST Jobs``
listing per round instead of one call each. The clock and sleep are injectable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .client import CommvaultClient
from .errors import JobFailedError, NotFoundError, WaitTimeoutError
from .job_status import JobOutcome, classify, is_success
from .models import JobSummary
from .rman import failure_reason

ProgressCallback = Callable[[JobSummary], None]
NOT_VISIBLE_POLLS = 5


@dataclass(frozen=True)
class PollSchedule:
    """The first poll is immediate; then ``first_delay_s``, growing by ``factor`` to the cap."""

    first_delay_s: float = 1.0
    factor: float = 1.5
    max_interval_s: float = 5.0

    def intervals(self) -> Iterator[float]:
        interval = self.first_delay_s
        while True:
            yield interval
            interval = min(interval * self.factor, self.max_interval_s)


def job_statuses(
    client: CommvaultClient, job_ids: Iterable[str], *, client_ids: list[int] | None = None
) -> dict[str, JobSummary]:
    """The current summary of each job the CommServe shows; one listing call for several."""
    wanted = list(job_ids)
    found: dict[str, JobSummary] = {}
    if len(wanted) > 1:
        limit = max(100, 4 * len(wanted))
        for summary in client.list_jobs(client_ids=client_ids, limit=limit):
            if str(summary.job_id) in wanted:
                found[str(summary.job_id)] = summary
    for job_id in wanted:
        if job_id not in found:
            single = client.find_job(job_id)
            if single is not None:
                found[job_id] = single
    return found


def wait_for_jobs(
    client: CommvaultClient,
    job_ids: list[str],
    *,
    timeout_s: float,
    schedule: PollSchedule | None = None,
    on_progress: ProgressCallback | None = None,
    client_ids: list[int] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, JobSummary]:
    """Poll until every job has finished; their final summaries, by job id.

    Finishing is not succeeding: see ``raise_for_outcome``. Raises ``WaitTimeoutError`` with
    the last status of each unfinished job when ``timeout_s`` runs out, and ``NotFoundError``
    when a job stays invisible for several polls.
    """
    started = clock()
    deadline = started + timeout_s
    latest: dict[str, JobSummary] = {}
    unseen_polls = dict.fromkeys(job_ids, 0)
    pending = list(job_ids)
    intervals = (schedule or PollSchedule()).intervals()
    while True:
        for job_id, summary in job_statuses(client, pending, client_ids=client_ids).items():
            if on_progress and _changed(latest.get(job_id), summary):
                on_progress(summary)
            latest[job_id] = summary
        for job_id in pending:
            if job_id not in latest:
                unseen_polls[job_id] += 1
                if unseen_polls[job_id] >= NOT_VISIBLE_POLLS:
                    raise NotFoundError(
                        f"job {job_id} is not shown by the CommServe after "
                        f"{NOT_VISIBLE_POLLS} polls",
                        commserve=client.base_url,
                        operation=f"waiting for job {job_id}",
                    )
        pending = [j for j in pending if j not in latest or not _finished(latest[j])]
        if not pending:
            return latest
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeoutError(
                f"{len(pending)} of {len(job_ids)} jobs still unfinished after {timeout_s:.0f} s: "
                + ", ".join(_describe(j, latest.get(j)) for j in pending),
                job_ids=pending,
                elapsed_s=clock() - started,
                commserve=client.base_url,
                operation="waiting for jobs " + ", ".join(job_ids),
            )
        sleep(min(next(intervals), remaining))


def raise_for_outcome(
    client: CommvaultClient,
    summaries: Iterable[JobSummary],
    *,
    accept_completed_with_errors: bool = False,
) -> None:
    """Raise ``JobFailedError`` naming every job that did not give a restore point."""
    failed = [
        s
        for s in summaries
        if not is_success(
            classify(s.status), accept_completed_with_errors=accept_completed_with_errors
        )
    ]
    if not failed:
        return
    first = failed[0]
    why = failure_reason(client, first.job_id)
    described = [_describe(str(s.job_id), s) for s in failed]
    raise JobFailedError(
        "; ".join(described + ([why] if why else [])),
        job_id=str(first.job_id),
        status=first.status,
        reason="; ".join(part for part in (first.pending_reason, why) if part),
        commserve=client.base_url,
        operation=f"backup job {first.job_id}",
    )


def wait_for_job(
    client: CommvaultClient,
    job_id: str,
    *,
    timeout_s: float,
    on_progress: ProgressCallback | None = None,
    accept_completed_with_errors: bool = False,
    schedule: PollSchedule | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> JobSummary:
    """Wait for one job; its final summary, or ``JobFailedError`` if it gave no restore point."""
    summary = wait_for_jobs(
        client,
        [job_id],
        timeout_s=timeout_s,
        schedule=schedule,
        on_progress=on_progress,
        clock=clock,
        sleep=sleep,
    )[job_id]
    raise_for_outcome(client, [summary], accept_completed_with_errors=accept_completed_with_errors)
    return summary


def _finished(summary: JobSummary) -> bool:
    return classify(summary.status) is not JobOutcome.ACTIVE


def _changed(before: JobSummary | None, now: JobSummary) -> bool:
    return before is None or (before.status, int(before.percent_complete)) != (
        now.status,
        int(now.percent_complete),
    )


def _describe(job_id: str, summary: JobSummary | None) -> str:
    if summary is None:
        return f"job {job_id}: not shown yet"
    reason = f" ({summary.pending_reason})" if summary.pending_reason else ""
    return f"job {job_id}: {summary.status}, {summary.percent_complete:.0f}%{reason}"
