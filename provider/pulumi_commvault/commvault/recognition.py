"""Recognising a request's own jobs where the CommServe does not show their marker.

The duplicate guard's first way is the marker in each job's description (``backups``).
Whether a CommServe's job listings show ``jobDescription`` is UNCERTAIN
(docs/duplicate-guard.md), so the guard does not rest on it alone:

- A listed job whose summary shows no description is *unrecognised*: it may be ours. Those
  that could be the request's (its database, job type and backup level, started by the user
  this client acts as, adoptable) are its *candidates*.
- A candidate's ``POST JobDetails`` is read: a description there decides, either way.
- Where no description decides, the start time does: exactly one candidate started between
  just before the request was sent and its failure (or, on a re-run, a send this machine
  recorded: ``journal``) is adopted. Several stop with ``UnrecognisedJobsError`` naming
  them, unless the user decided (``JobDecisions``). With no send known, only candidates
  still running can be an interrupted run's: any stops the run; finished ones do not.
- ``MarkerVisibility`` reads back the first job a process starts on a CommServe, to learn
  where the marker shows, and warns once when it shows nowhere.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .client import CommvaultClient
from .errors import CommvaultError, UnknownDecisionError, UnrecognisedJobsError
from .job_status import JobOutcome, classify
from .journal import Send
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

    @classmethod
    def spanning(cls, sends: Sequence[Send]) -> Window:
        """From the first of ``sends`` to the last one's end: this machine's record of the
        sends an earlier run made that got no answer (``journal``)."""
        return cls(min(s.sent_at for s in sends), max(s.until for s in sends))

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
    #: Every job in ``adopt`` is this request's: one that is not is an error (the CLI's
    #: ``--adopt-job``; the provider's ``COMMVAULT_ADOPT_JOBS`` serves many resources).
    insist: bool = False

    def check_adopted(self, commserve: str, adopted: Iterable[str]) -> None:
        """Raise ``UnknownDecisionError`` for a job named to adopt that was not adopted."""
        missed = sorted(self.adopt - set(adopted)) if self.insist else []
        if missed:
            raise self.not_candidates(commserve, missed, {})

    def not_candidates(
        self,
        commserve: str,
        job_ids: list[str],
        candidates: dict[DatabaseKey, list[JobSummary]],
    ) -> UnknownDecisionError:
        """The error for jobs named to adopt that cannot be the request's own."""
        jobs = [_describe(j) for group in candidates.values() for j in group]
        which = f"; the jobs that may be this request's are {'; '.join(jobs)}" if jobs else ""
        return UnknownDecisionError(
            f"job {', '.join(job_ids)} cannot be adopted: it is no job of this request's "
            "database, type, level and user that is running or finished well (check the id "
            f"with `commvault-oracle status {job_ids[0]}`). Nothing was started{which}",
            commserve=commserve,
            operation="adopting the jobs named to adopt",
        )


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
    database; raises ``UnrecognisedJobsError`` rather than guess.

    ``window`` is when a send of the request may have started a job. Without one (no send
    is known: a first run, or a re-run on another machine) only a job still running (or one
    the user named to adopt) can be an interrupted run's; finished ones are taken for other
    requests'.
    """
    wanted = {db.key: db for db in request.databases}
    ours: dict[DatabaseKey, JobSummary] = {}
    undecided: dict[DatabaseKey, list[JobSummary]] = {}
    for summary in candidates:
        key = key_of_job(summary)
        if key not in wanted or key in ours or not adoptable(summary):
            continue
        finished = classify(summary.status) is not JobOutcome.ACTIVE
        if window is None and finished and str(summary.job_id) not in decisions.adopt:
            continue
        details = client.job_general_info(summary.job_id)
        if details.job_started_from.casefold() == SCHEDULED:
            continue  # a schedule started it, not a request
        description = details.description
        if description is None:
            undecided.setdefault(key, []).append(summary)
        elif request.tag in description:
            ours[key] = summary
    if request.marker in decisions.start_new:
        undecided = {}
    unsettled: dict[DatabaseKey, list[JobSummary]] = {}
    named: list[str] = []
    for key, jobs in undecided.items():
        if key in ours:
            continue
        chosen = [j for j in jobs if str(j.job_id) in decisions.adopt]
        if chosen:
            named.extend(str(j.job_id) for j in chosen)
        elif window is not None:
            chosen = [j for j in jobs if window.holds(j)]
            if not chosen:
                continue
        if len(chosen) == 1:
            ours[key] = chosen[0]
        else:
            unsettled[key] = chosen or jobs
    considered = {str(j.job_id) for jobs in undecided.values() for j in jobs}
    unknown = sorted(decisions.adopt - considered)
    if decisions.insist and unknown and (unsettled or undecided):
        raise decisions.not_candidates(client.base_url, unknown, undecided)
    if unsettled:
        raise _unrecognised(
            client.base_url, request, unsettled, window, decisions, named=named, unknown=unknown
        )
    return {
        key: StartedJob(str(summary.job_id), wanted[key], None, adopted=True)
        for key, summary in ours.items()
    }


def _unrecognised(
    commserve: str,
    request: MarkedRequest,
    unsettled: dict[DatabaseKey, list[JobSummary]],
    window: Window | None,
    decisions: JobDecisions,
    *,
    named: list[str],
    unknown: list[str],
) -> UnrecognisedJobsError:
    jobs = [job for group in unsettled.values() for job in group]
    twice = [j for j in jobs if str(j.job_id) in decisions.adopt]
    if twice:
        why = f"more than one job was named to adopt for the same database ({_ids(twice)})"
    elif window is not None:
        why = (
            f"{commserve} shows no job descriptions, and more than one such job started "
            "while the request was being sent"
        )
    else:
        why = (
            f"{commserve} shows no job descriptions, and this machine has no record of an "
            "earlier run sending this request"
        )
    if unknown and not twice:
        why += f"; job {', '.join(unknown)}, named to adopt, is none of them"
    settled = [n for n in named if n not in {str(j.job_id) for j in twice}]
    return UnrecognisedJobsError(
        why,
        job_ids=[str(j.job_id) for j in jobs],
        jobs=[_describe(j) for j in jobs],
        databases=len(unsettled),
        suggested=[*settled, *(str(group[0].job_id) for group in unsettled.values())],
        marker=request.marker,
        commserve=commserve,
        operation="looking for a job this request may already have started",
    )


def _ids(jobs: list[JobSummary]) -> str:
    return ", ".join(str(j.job_id) for j in jobs)


def _describe(summary: JobSummary) -> str:
    entity = summary.subclient
    database = "/".join(
        part for part in (entity.client_name, entity.instance_name, entity.subclient_name) if part
    )
    when = (
        datetime.fromtimestamp(summary.job_start_time, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if summary.job_start_time
        else ""
    )
    started = f"started {when}" if when else "not started yet"
    level = f" {summary.backup_level_name}" if summary.backup_level_name else ""
    user = f", by {summary.user.user_name}" if summary.user.user_name else ""
    return (
        f"job {summary.job_id}: {summary.job_type or 'job'}{level} of {database}, "
        f"{summary.status or 'status unknown'}, {started}{user}"
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
            f"{client.base_url} shows no job descriptions, in job listings or job details "
            f"(job {job.job_id}): the duplicate guard goes by this machine's record of what "
            "it sent (COMMVAULT_STATE_DIR; keep it between CI runs)"
        )
