"""Recognising a request's own jobs where the CommServe does not show their marker.

The duplicate guard's first way is the marker in each job's description (``backups``).
Whether a CommServe's job listings show ``jobDescription`` is UNCERTAIN
(docs/duplicate-guard.md), so the guard does not rest on it alone:

- A listed job whose summary shows no description is *unrecognised*: it may be ours. Those
  that could be the request's (its database, job type and backup level, started by the user
  this client acts as, adoptable) are its *candidates*.
- A candidate's ``POST JobDetails`` is read: a description there decides, either way.
- Where no description decides, the start time does: exactly one candidate started between
  just before the request was sent and its failure is adopted. Several, or any candidate
  with no such window to judge it by (a re-run after an interrupted run), stop with
  ``UnrecognisedJobsError`` naming them, unless the user decided (``JobDecisions``).
- ``MarkerVisibility`` reads back the first job a process starts on a CommServe, to learn
  where the marker shows, and warns once when it shows nowhere.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .client import CommvaultClient
from .errors import CommvaultError, UnrecognisedJobsError
from .marking import DatabaseKey, MarkedRequest, StartedJob, key_of_job
from .models import JobSummary

log = logging.getLogger("pulumi_commvault")

#: How much earlier (or later) than our clock the CommServe may stamp a job's start.
CLOCK_SKEW_S = 30
SCHEDULED = "scheduled"


class Visibility(enum.Enum):
    """Where a CommServe shows the marker of a job this process started."""

    UNKNOWN = "not known yet"
    LISTINGS = "in job listings"
    DETAILS = "in job details only"
    NOWHERE = "nowhere"


@dataclass(frozen=True)
class Window:
    """When a lost request may have started its job: from just before it was sent until its
    failure, epoch seconds of our clock."""

    sent_at: float
    failed_at: float

    def holds(self, summary: JobSummary) -> bool:
        started = summary.job_start_time
        if not started:  # not started yet (queued): it cannot be ruled out by time
            return True
        # Start times are whole seconds: the second the request was sent in counts.
        return int(self.sent_at) - CLOCK_SKEW_S <= started <= self.failed_at + CLOCK_SKEW_S


@dataclass(frozen=True)
class JobDecisions:
    """What the user decided where the guard could not: job ids to adopt, and markers of
    requests to start a new job for anyway."""

    adopt: frozenset[str] = frozenset()
    start_new: frozenset[str] = frozenset()


NO_DECISIONS = JobDecisions()


def could_be_ours(request: MarkedRequest, summary: JobSummary, user: str) -> bool:
    """Whether a job's summary fits the request: what every summary carries, matched; a field
    the summary (or the client) leaves empty rules nothing out."""
    return (
        key_of_job(summary) in {db.key for db in request.databases}
        and _same(summary.job_type, request.job_type)
        and (request.level is None or _same(summary.backup_level_name, request.level))
        and _same(summary.user.user_name, user)
    )


def _same(shown: str, wanted: str) -> bool:
    return not shown or not wanted or shown.casefold() == wanted.casefold()


def recognise(
    client: CommvaultClient,
    request: MarkedRequest,
    candidates: Iterable[JobSummary],
    *,
    adoptable: Callable[[JobSummary], bool],
    window: Window | None,
    decisions: JobDecisions,
) -> dict[DatabaseKey, StartedJob]:
    """The request's own jobs among ``candidates`` (newest first, fresh statuses), one per
    database; raises ``UnrecognisedJobsError`` rather than guess."""
    wanted = {db.key: db for db in request.databases}
    ours: dict[DatabaseKey, JobSummary] = {}
    undecided: dict[DatabaseKey, list[JobSummary]] = {}
    for summary in candidates:
        key = key_of_job(summary)
        if key not in wanted or key in ours or not adoptable(summary):
            continue
        details = client.job_general_info(summary.job_id)
        if details.job_started_from.casefold() == SCHEDULED:
            continue  # a schedule started it, not a request
        description = details.description
        if description is None:
            undecided.setdefault(key, []).append(summary)
        elif request.tag in description:
            ours[key] = summary
    for key, jobs in undecided.items():
        if key in ours or request.marker in decisions.start_new:
            continue
        chosen = [j for j in jobs if str(j.job_id) in decisions.adopt]
        if not chosen and window is not None:
            chosen = [j for j in jobs if window.holds(j)]
            if not chosen:
                continue
        if len(chosen) == 1:
            ours[key] = chosen[0]
            continue
        raise UnrecognisedJobsError(
            _unrecognised_detail(
                client.base_url, request, chosen or jobs, in_window=window is not None
            ),
            job_ids=[str(j.job_id) for j in chosen or jobs],
            marker=request.marker,
            commserve=client.base_url,
            operation="looking for a job this request may already have started",
        )
    return {
        key: StartedJob(str(summary.job_id), wanted[key], None, adopted=True)
        for key, summary in ours.items()
    }


def _unrecognised_detail(
    commserve: str, request: MarkedRequest, jobs: list[JobSummary], *, in_window: bool
) -> str:
    listed = ", ".join(_describe(j) for j in jobs)
    which = f"job {listed} is" if len(jobs) == 1 else f"one of the jobs {listed} is"
    why = (
        f"{len(jobs)} such jobs started while the request was being sent"
        if in_window
        else "this run cannot know when an earlier, interrupted run sent the request"
    )
    return (
        f"no job was started: the duplicate guard cannot tell whether {which} the one "
        f"this request (marker {request.tag}) already started, as {commserve} shows job "
        f"descriptions neither in its job listings nor in its job details, and {why}"
    )


def _describe(summary: JobSummary) -> str:
    entity = summary.subclient
    database = "/".join(
        part for part in (entity.client_name, entity.instance_name, entity.subclient_name) if part
    )
    started = (
        datetime.fromtimestamp(summary.job_start_time, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if summary.job_start_time
        else "not started yet"
    )
    level = f" {summary.backup_level_name}" if summary.backup_level_name else ""
    user = f" by {summary.user.user_name}" if summary.user.user_name else ""
    return (
        f"{summary.job_id} ({summary.job_type or 'job'}{level} of {database}, "
        f"started {started}{user}, {summary.status})"
    )


class MarkerVisibility:
    """Where one CommServe shows the markers of the jobs this process starts, learnt from the
    first job it starts there (``check``); ``notice`` hears it once when it shows nowhere.

    ``listings_trusted`` turns False when a listing showed a description for a job of ours
    without its marker: listed descriptions then decide nothing.
    """

    def __init__(self, notice: Callable[[str], None] | None = None) -> None:
        self.state = Visibility.UNKNOWN
        self.listings_trusted = True
        self._notice = notice or log.warning
        self._lock = threading.Lock()
        self._checking = False

    def check(self, client: CommvaultClient, request: MarkedRequest, job: StartedJob) -> None:
        """Read the job just started back: its summary (``GET Job``, the ``jobSummary`` the
        guard's listings show), then, when the marker is not there, its details. One check
        at a time, until the answer is known; a failed read leaves it unknown."""
        with self._lock:
            if self.state is not Visibility.UNKNOWN or self._checking:
                return
            self._checking = True
        try:
            self._learn(client, request, job)
        except CommvaultError as exc:
            log.debug("could not read back job %s to check its marker: %s", job.job_id, exc)
        finally:
            with self._lock:
                self._checking = False

    def _learn(self, client: CommvaultClient, request: MarkedRequest, job: StartedJob) -> None:
        summary = client.find_job(job.job_id)
        if summary is None:
            return
        if summary.job_description is not None and request.tag in summary.job_description:
            self.state = Visibility.LISTINGS
            return
        if summary.job_description is not None:
            self.listings_trusted = False
        details = client.job_general_info(job.job_id).description
        if details is not None and request.tag in details:
            self.state = Visibility.DETAILS
            # The guard is as sure as with listed markers, at a read per candidate: no warning.
            log.info(
                "%s does not show job descriptions in its job listings (job %s); the "
                "duplicate guard reads the job details of possible earlier jobs of a request",
                client.base_url,
                job.job_id,
            )
            return
        self.state = Visibility.NOWHERE
        self._notice(
            f"{client.base_url} shows the job description of job {job.job_id} neither in "
            "its job listings nor in its job details; after an interrupted or failed run the "
            "duplicate guard recognises a request's job by database, backup level, user and "
            "start time, and stops to ask when that does not single one out"
        )
