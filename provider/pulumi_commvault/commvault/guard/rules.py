"""The duplicate guard's rules over plain values: which jobs a request adopts, and when it
stops, naming the jobs it cannot tell apart. No I/O, no clock, no lock (``search`` reads what
they need). docs/duplicate-guard.md states each rule; tests/test_guard_rules.py has one row
each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import UnknownDecisionError
from ..job_status import JobOutcome, classify
from ..journal import OtherSend, Send
from ..marking import DatabaseKey, MarkedRequest, key_of_job
from ..models import JobSummary
from ..restorability import restorable

#: How much earlier (or later) than our clock the CommServe may stamp a job's start.
CLOCK_SKEW_S = 30
SCHEDULED = "scheduled"

Adoptable = Callable[[JobSummary], bool]


@dataclass(frozen=True)
class Window:
    """When a send of the request may have started its job: from just before it was sent
    until its failure (or answer), epoch seconds of our clock."""

    sent_at: float
    failed_at: float

    @classmethod
    def spanning(cls, sends: Sequence[Send]) -> Window:
        """From the first of an earlier run's unanswered sends to the last one's end."""
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
    #: Every job in ``adopt`` is this request's (the CLI's ``--adopt-job``).
    insist: bool = False

    def check_adopted(self, commserve: str, adopted: Iterable[str]) -> None:
        missed = sorted(self.adopt - set(adopted)) if self.insist else []
        if missed:
            raise self.not_candidates(commserve, missed, {})

    def not_candidates(
        self,
        commserve: str,
        job_ids: list[str],
        candidates: dict[DatabaseKey, list[JobSummary]],
    ) -> UnknownDecisionError:
        jobs = [describe(j) for group in candidates.values() for j in group]
        which = f"; the jobs that may be this request's are {'; '.join(jobs)}" if jobs else ""
        return UnknownDecisionError(
            f"job {', '.join(job_ids)} cannot be adopted: it is no job of this request's "
            "database, type, level and user that is running or finished well (check the id "
            f"with `commvault-oracle status {job_ids[0]}`). Nothing was started{which}",
            commserve=commserve,
            operation="adopting the jobs named to adopt",
        )


NO_DECISIONS = JobDecisions()


@dataclass(frozen=True)
class OwnJob:
    """A job that is the request's by its own evidence: it carries the marker (``sent_at``
    None), or this machine recorded it as the answer to a send of the request at
    ``sent_at``. ``summary`` is as read now (None: the CommServe no longer shows it)."""

    job_id: str
    summary: JobSummary | None
    sent_at: float | None = None


@dataclass(frozen=True)
class UnmarkedJob:
    """A listed job that shows no description, with its details where ``needs_details``."""

    summary: JobSummary
    started_from: str = ""
    description: str | None = None


@dataclass(frozen=True)
class Stop:
    """The guard cannot tell which job is the request's: nothing is sent. Of the ids the
    user named: ``named_twice`` named two jobs of one database, ``named`` settle one, and
    ``not_candidates`` are none of ``jobs``; ``twins``: other requests of this machine that
    sent for the database then; ``suggested``: what the advice names, one job each."""

    jobs: dict[DatabaseKey, list[JobSummary]]
    named_twice: list[str]
    named: list[str]
    not_candidates: list[str]
    twins: int = 0
    suggested: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NotReused:
    """An earlier job of the request that is no restore point (``database`` None: pruned)."""

    job_id: str
    database: DatabaseKey | None
    why: str


@dataclass(frozen=True)
class Verdict:
    """Adopt these jobs (one per database at most) and send for the rest, unless ``stop`` or
    ``refused`` (ids the user insisted on that are none of ``candidates``); ``passed_over``:
    finished jobs that fit, taken for other requests' for want of a record."""

    adopt: dict[DatabaseKey, JobSummary]
    not_reused: list[NotReused] = field(default_factory=list)
    stop: Stop | None = None
    refused: list[str] = field(default_factory=list)
    candidates: dict[DatabaseKey, list[JobSummary]] = field(default_factory=dict)
    passed_over: list[JobSummary] = field(default_factory=list)


def fits(request: MarkedRequest, summary: JobSummary, user: str) -> bool:
    """Whether what every summary carries matches; a field left empty rules nothing out."""
    return (
        key_of_job(summary) in {db.key for db in request.databases}
        and _same(summary.job_type, request.job_type)
        and (request.level is None or _same(summary.backup_level_name, request.level))
        and _same(summary.user.user_name, user)
    )


def _same(shown: str, wanted: str) -> bool:
    return not shown or not wanted or shown.casefold() == wanted.casefold()


def stands_for_a_request(summary: JobSummary, adoptable: Adoptable) -> bool:
    """Only a live restore point is adopted: ``adoptable``, and never aged out of retention."""
    return not summary.is_aged and adoptable(summary)


def why_not_adopted(summary: JobSummary | None) -> str:
    """Why an earlier job of the request is no restore point, in words a user reads."""
    if summary is None or summary.is_aged or classify(summary.status) is JobOutcome.FAILED:
        return restorable(summary)[1]
    return f"{summary.status}, which this request does not accept"


def sent_by_its_send(job: OwnJob) -> bool:
    """A recorded job started no earlier than its send (a rebuilt CommServe reuses ids)."""
    started = job.summary.job_start_time if job.summary else 0
    if job.sent_at is None or not started:
        return True
    return started >= int(job.sent_at) - CLOCK_SKEW_S


def own_jobs(
    request: MarkedRequest, own: Sequence[OwnJob], adoptable: Adoptable
) -> dict[DatabaseKey, JobSummary]:
    """The request's own jobs to adopt: the first (newest) adoptable one per database."""
    wanted = {db.key for db in request.databases}
    found: dict[DatabaseKey, JobSummary] = {}
    for job in own:
        summary = job.summary
        if summary is None or not sent_by_its_send(job):
            continue
        key = key_of_job(summary)
        if key in wanted and key not in found and stands_for_a_request(summary, adoptable):
            found[key] = summary
    return found


def not_reused(
    request: MarkedRequest,
    own: Sequence[OwnJob],
    adopted: Iterable[DatabaseKey],
    adoptable: Adoptable,
) -> list[NotReused]:
    """The request's own earlier jobs, of databases that adopt none, that are dead."""
    wanted = {db.key for db in request.databases} - set(adopted)
    dead: list[NotReused] = []
    for job in own:
        summary = job.summary
        if summary is not None and not sent_by_its_send(job):
            continue  # another job under a reused id: not this request's
        key = key_of_job(summary) if summary is not None else None
        if key is not None and key not in wanted:
            continue
        if summary is None or not stands_for_a_request(summary, adoptable):
            dead.append(NotReused(job.job_id, key, why_not_adopted(summary)))
    return dead


def needs_details(
    summary: JobSummary, *, window: Window | None, decisions: JobDecisions, adoptable: Adoptable
) -> bool:
    """Whether an unmarked job that fits is worth reading the details of: adoptable, and with
    no send known (no window), running or named by the user (finished: another's)."""
    if not stands_for_a_request(summary, adoptable):
        return False
    finished = classify(summary.status) is not JobOutcome.ACTIVE
    return window is not None or not finished or str(summary.job_id) in decisions.adopt


def passed_over(
    unmarked: Sequence[UnmarkedJob], *, window: Window | None, adoptable: Adoptable
) -> list[JobSummary]:
    """With no send known, the finished jobs that fit, named in a warning."""
    if window is not None:
        return []
    return [
        u.summary
        for u in unmarked
        if classify(u.summary.status) is not JobOutcome.ACTIVE
        and stands_for_a_request(u.summary, adoptable)
    ]


def by_send_order(
    marker: str, window: Window, twins: Sequence[OtherSend], jobs: Sequence[JobSummary]
) -> JobSummary | None:
    """Twins: when this machine's unanswered sends for one database (this request's and
    others') are as many as ``jobs``, the k-th send has the k-th job by id (the CommServe
    numbers jobs as it creates them); every twin computes the same pairing."""
    overlapping = _overlapping(window, twins)
    sends = sorted([(window.sent_at, marker), *((t.send.sent_at, t.marker) for t in overlapping)])
    if len(sends) == 1 or len(sends) != len(jobs):
        return None
    ordered = sorted(jobs, key=lambda job: job.job_id)
    return ordered[sends.index((window.sent_at, marker))]


def _overlapping(window: Window, twins: Sequence[OtherSend]) -> list[OtherSend]:
    skew = CLOCK_SKEW_S
    return [
        t
        for t in twins
        if t.send.sent_at - skew <= window.failed_at and t.send.until + skew >= window.sent_at
    ]


def judge(
    request: MarkedRequest,
    own: Sequence[OwnJob],
    unmarked: Sequence[UnmarkedJob],
    *,
    window: Window | None,
    decisions: JobDecisions,
    adoptable: Adoptable,
    twins: Mapping[DatabaseKey, Sequence[OtherSend]] | None = None,
) -> Verdict:
    """Its own jobs (marker, record) first; for databases still without one, the unmarked
    jobs that fit, by their details, the window or what the user named, twins paired by send
    order; several it cannot tell apart stop it rather than guess."""
    found = own_jobs(request, own, adoptable)
    ours, undecided = _by_details(request, unmarked, found, window, decisions, adoptable)
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
        if len(chosen) > 1 and window is not None:
            paired = by_send_order(request.marker, window, (twins or {}).get(key, ()), chosen)
            chosen = [paired] if paired is not None else chosen
        if len(chosen) == 1:
            ours[key] = chosen[0]
        else:
            unsettled[key] = chosen or jobs
    considered = {str(j.job_id) for jobs in undecided.values() for j in jobs}
    unknown = sorted(decisions.adopt - considered)
    over = passed_over(unmarked, window=window, adoptable=adoptable)
    if decisions.insist and unknown and (unsettled or undecided):
        return Verdict(found, refused=unknown, candidates=undecided)
    if unsettled:
        sharing = {
            key: len(_overlapping(window, (twins or {}).get(key, ()))) if window else 0
            for key in unsettled
        }
        return Verdict(found, stop=_stop(unsettled, decisions, named, unknown, sharing))
    adopt = {**ours, **found}
    dead = not_reused(request, own, adopt, adoptable)
    return Verdict(adopt, not_reused=dead, passed_over=over)


def _by_details(
    request: MarkedRequest,
    unmarked: Sequence[UnmarkedJob],
    found: dict[DatabaseKey, JobSummary],
    window: Window | None,
    decisions: JobDecisions,
    adoptable: Adoptable,
) -> tuple[dict[DatabaseKey, JobSummary], dict[DatabaseKey, list[JobSummary]]]:
    """Unmarked jobs of databases without a job yet: those whose details show the marker, and
    those whose details decide nothing (a schedule's or another description's are not ours)."""
    wanted = {db.key for db in request.databases} - set(found)
    ours: dict[DatabaseKey, JobSummary] = {}
    undecided: dict[DatabaseKey, list[JobSummary]] = {}
    for job in unmarked:
        key = key_of_job(job.summary)
        if key not in wanted or key in ours:
            continue
        if not needs_details(job.summary, window=window, decisions=decisions, adoptable=adoptable):
            continue
        if job.started_from.casefold() == SCHEDULED:
            continue
        if job.description is None:
            undecided.setdefault(key, []).append(job.summary)
        elif request.tag in job.description:
            ours[key] = job.summary
    return ours, undecided


def _stop(
    unsettled: dict[DatabaseKey, list[JobSummary]],
    decisions: JobDecisions,
    named: list[str],
    unknown: list[str],
    sharing: dict[DatabaseKey, int],
) -> Stop:
    jobs = [job for group in unsettled.values() for job in group]
    twice = [str(j.job_id) for j in jobs if str(j.job_id) in decisions.adopt]
    settled = [n for n in named if n not in twice]
    newest = [str(j.job_id) for key, group in unsettled.items() for j in group[: 1 + sharing[key]]]
    return Stop(
        jobs=unsettled,
        named_twice=twice,
        named=settled,
        not_candidates=unknown,
        twins=max(sharing.values(), default=0),
        suggested=[*settled, *newest],
    )


def describe(summary: JobSummary) -> str:
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
