"""Waiting for jobs: find and status here, the waiting itself in ``watcher.JobWatcher``.

There is one waiter: ``wait_for_jobs`` waits through a ``JobWatcher`` of its own, the same
watcher the provider shares between its resources, so the CLI and a script using the client
poll, pace and time out exactly as ``pulumi up`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .client import CommvaultClient
from .errors import JobFailedError
from .job_status import classify, is_success
from .models import JobSummary
from .rman import failure_reason
from .watcher import JobWatcher, Pacing, ProgressCallback, client_ids_of_jobs, describe


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
    pacing: Pacing | None = None,
    on_progress: ProgressCallback | None = None,
    client_ids: dict[str, int | None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, JobSummary]:
    """Until every job has finished: their final summaries, by job id (``JobWatcher.wait``).

    Finishing is not succeeding: see ``raise_for_outcome``. Raises ``WaitTimeoutError`` with
    the last status of each unfinished job when ``timeout_s`` runs out, and ``NotFoundError``
    when a job stays invisible for several polls.
    """
    if client_ids is None and len(job_ids) > 1:
        client_ids = _client_ids(client, job_ids)
    watcher = JobWatcher(client, pacing=pacing, clock=clock)
    return watcher.wait(
        job_ids, timeout_s=timeout_s, client_ids=client_ids, on_progress=on_progress
    )


def _client_ids(client: CommvaultClient, job_ids: list[str]) -> dict[str, int | None]:
    """Each job's client id, so the watcher reads several jobs in one listing a round."""
    shown = job_statuses(client, job_ids)
    return client_ids_of_jobs(client, [(j, s.subclient.client_name) for j, s in shown.items()]) | {
        j: None for j in job_ids if j not in shown
    }


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
    raise JobFailedError(
        "; ".join([describe(str(s.job_id), s) for s in failed] + ([why] if why else [])),
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
    pacing: Pacing | None = None,
) -> JobSummary:
    """Wait for one job; its final summary, or ``JobFailedError`` if it gave no restore point."""
    summary = wait_for_jobs(
        client, [job_id], timeout_s=timeout_s, pacing=pacing, on_progress=on_progress
    )[job_id]
    raise_for_outcome(client, [summary], accept_completed_with_errors=accept_completed_with_errors)
    return summary
