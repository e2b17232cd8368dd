"""The duplicate guard's rules over plain values, no I/O: which jobs a request adopts, and when it
stops (docs/duplicate-guard.md states each rule; tests/test_guard_rules.py has one row each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import UnknownDecisionError, UnrecognisedJobsError
from ..job_status import JobOutcome, classify
from ..journal import OtherSend, Send
from ..marking import DatabaseKey, MarkedRequest, key_of_job
from ..models import JobSummary
from ..restorability import restorable

#: How much earlier (or later) than our clock the CommServe may stamp a job's start.
CLOCK_SKEW_S = 30

Adoptable = Callable[[JobSummary], bool]
Jobs = dict[DatabaseKey, list[JobSummary]]
Adopted = dict[DatabaseKey, JobSummary]


@dataclass(frozen=True)
class Window:
    """When a send may have started its job: from its send to its failure (or answer)."""

    sent_at: float
    failed_at: float

    @classmethod
    def spanning(cls, sends: Sequence[Send]) -> Window:
        return cls(min(s.sent_at for s in sends), max(s.until for s in sends))

    def overlaps(self, send: Send) -> bool:
        """Whether another send may have started a job in this window."""
        skew = CLOCK_SKEW_S
        return send.sent_at - skew <= self.failed_at and send.until + skew >= self.sent_at

    def holds(self, summary: JobSummary) -> bool:
        """Start times are whole seconds; a job not started yet (queued) is not ruled out."""
        earliest, latest = int(self.sent_at) - CLOCK_SKEW_S, self.failed_at + CLOCK_SKEW_S
        return not summary.job_start_time or earliest <= summary.job_start_time <= latest


@dataclass(frozen=True)
class JobDecisions:
    """What the user decided where the guard could not: job ids to adopt, markers of requests
    to start a new job for; ``insist``: every id is this request's (``--adopt-job``)."""

    adopt: frozenset[str] = frozenset()
    start_new: frozenset[str] = frozenset()
    insist: bool = False

    def check_adopted(self, commserve: str, adopted: Iterable[str]) -> None:
        if self.insist and (missed := sorted(self.adopt - set(adopted))):
            raise self.not_candidates(commserve, missed, {})

    def not_candidates(
        self, commserve: str, job_ids: list[str], candidates: Jobs
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
    """A job that is the request's by its own evidence: its marker (``sent_at`` None), or
    this machine's record of a send at ``sent_at``; ``summary`` None: no longer shown."""

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
    """The guard cannot tell which of ``jobs`` is the request's: nothing is sent. ``twins``:
    other requests of this machine that sent then; ``suggested``: one job each."""

    jobs: Jobs
    named_twice: list[str]
    not_candidates: list[str]
    twins: int = 0
    suggested: list[str] = field(default_factory=list)

    def error(self, commserve: str, marker: str, window: Window | None) -> UnrecognisedJobsError:
        """The stop as the user reads it: why the guard cannot tell, the jobs, one id each."""
        jobs = [job for group in self.jobs.values() for job in group]
        if twice := ", ".join(self.named_twice):
            why = f"more than one job was named to adopt for the same database ({twice})"
        elif window:
            why = f"{commserve} shows no job descriptions, and more than one such job started "
            why += "while the request was being sent"
        else:
            why = f"{commserve} shows no job descriptions, and this machine has no record of an "
            why += "earlier run sending this request"
        if self.not_candidates and not self.named_twice:
            why += f"; job {', '.join(self.not_candidates)}, named to adopt, is none of them"
        if self.twins:
            why += f"; {self.twins + 1} requests of this machine sent for this database then: "
            why += "the ids named to adopt give each of them its own job"
        return UnrecognisedJobsError(
            why,
            job_ids=[str(j.job_id) for j in jobs],
            jobs=[describe(j) for j in jobs],
            databases=len(self.jobs),
            suggested=self.suggested,
            marker=marker,
            commserve=commserve,
            operation="looking for a job this request may already have started",
        )


@dataclass(frozen=True)
class NotReused:
    """An earlier job of the request that is no restore point (``database`` None: pruned)."""

    job_id: str
    database: DatabaseKey | None
    why: str


@dataclass(frozen=True)
class Verdict:
    """Adopt these jobs and send for the rest, unless ``stop`` or ``refused`` (insisted ids,
    none of ``candidates``); ``passed_over``: finished jobs that fit, taken for others'."""

    adopt: Adopted
    not_reused: list[NotReused] = field(default_factory=list)
    stop: Stop | None = None
    refused: list[str] = field(default_factory=list)
    candidates: Jobs = field(default_factory=dict)
    passed_over: list[JobSummary] = field(default_factory=list)


def fits(request: MarkedRequest, summary: JobSummary, user: str) -> bool:
    """Whether what every summary carries matches; a field left empty rules nothing out."""

    def same(shown: str, wanted: str) -> bool:
        return not shown or not wanted or shown.casefold() == wanted.casefold()

    return (
        key_of_job(summary) in {db.key for db in request.databases}
        and same(summary.job_type, request.job_type)
        and (request.level is None or same(summary.backup_level_name, request.level))
        and same(summary.user.user_name, user)
    )


def live(summary: JobSummary, adoptable: Adoptable) -> bool:
    """Only a live restore point is adopted: ``adoptable``, and never aged out of retention."""
    return not summary.is_aged and adoptable(summary)


def finished(summary: JobSummary) -> bool:
    return classify(summary.status) is not JobOutcome.ACTIVE


def sent_by_its_send(job: OwnJob) -> bool:
    """A recorded job started no earlier than its send (a rebuilt CommServe reuses ids)."""
    started = job.summary.job_start_time if job.summary else 0
    return job.sent_at is None or not started or started >= int(job.sent_at) - CLOCK_SKEW_S


def own_jobs(
    request: MarkedRequest, own: Sequence[OwnJob], adoptable: Adoptable
) -> tuple[Adopted, list[NotReused]]:
    """The request's own jobs to adopt, the first (newest) adoptable one per database, and
    the dead ones (failed, killed, aged, pruned, or finished as the request does not accept)."""
    found: Adopted = {}
    dead: list[NotReused] = []
    for job in own:
        if (s := job.summary) and not (sent_by_its_send(job) and key_of_job(s) in _keys(request)):
            continue  # another job under a reused id, or another database's
        if s and live(s, adoptable):
            found.setdefault(key_of_job(s), s)
            continue
        failed = s is None or s.is_aged or classify(s.status) is JobOutcome.FAILED
        why = f"{s.status}, which this request does not accept" if s and not failed else ""
        dead.append(NotReused(job.job_id, key_of_job(s) if s else None, why or restorable(s)[1]))
    return found, dead


def needs_details(
    summary: JobSummary, window: Window | None, decisions: JobDecisions, adoptable: Adoptable
) -> bool:
    """Whether an unmarked job that fits is worth reading the details of: adoptable, and with
    no send known (no window), running or named by the user (finished: another's)."""
    named = str(summary.job_id) in decisions.adopt
    return live(summary, adoptable) and (window is not None or not finished(summary) or named)


def by_send_order(
    marker: str, window: Window, twins: Sequence[OtherSend], jobs: Sequence[JobSummary]
) -> JobSummary | None:
    """Twins: when this machine's unanswered sends for the database are as many as ``jobs``,
    the k-th send has the k-th job by id (as the CommServe numbers them); each twin agrees."""
    sends = sorted([(window.sent_at, marker), *((t.send.sent_at, t.marker) for t in twins)])
    if len(sends) == 1 or len(sends) != len(jobs):
        return None
    return sorted(jobs, key=lambda job: job.job_id)[sends.index((window.sent_at, marker))]


def judge(
    request: MarkedRequest,
    own: Sequence[OwnJob],
    unmarked: Sequence[UnmarkedJob],
    window: Window | None,
    decisions: JobDecisions,
    adoptable: Adoptable,
    twins: Mapping[DatabaseKey, Sequence[OtherSend]] | None = None,
) -> Verdict:
    """Its own jobs first; for databases without one, unmarked jobs that fit, by details, the
    window or what the user named, twins paired by send order; several stop it."""
    found, dead = own_jobs(request, own, adoptable)
    ours, undecided = _by_details(request, unmarked, found, window, decisions, adoptable)
    if request.marker in decisions.start_new:
        undecided = {}
    sharing = {
        key: [t for t in (twins or {}).get(key, ()) if window and window.overlaps(t.send)]
        for key in undecided
    }
    unsettled: Jobs = {}
    named: list[str] = []
    for key, jobs in undecided.items():
        if key in ours:
            continue
        chosen = [j for j in jobs if str(j.job_id) in decisions.adopt]
        named.extend(str(j.job_id) for j in chosen)
        if not chosen and window is not None:
            chosen = [j for j in jobs if window.holds(j)]
            if not chosen:
                continue
        if len(chosen) > 1 and window is not None:
            paired = by_send_order(request.marker, window, sharing[key], chosen)
            chosen = [paired] if paired else chosen
        if len(chosen) == 1:
            ours[key] = chosen[0]
        else:
            unsettled[key] = chosen or jobs
    considered = {str(j.job_id) for jobs in undecided.values() for j in jobs}
    unknown = sorted(decisions.adopt - considered)
    if decisions.insist and unknown and (unsettled or undecided):
        return Verdict(found, refused=unknown, candidates=undecided)
    if unsettled:  # the advice names the newest job each, one more for each twin
        listed = [str(j.job_id) for group in unsettled.values() for j in group]
        twice = [job_id for job_id in listed if job_id in decisions.adopt]
        ids = [str(j.job_id) for k, jobs in unsettled.items() for j in jobs[: 1 + len(sharing[k])]]
        ids = [*(n for n in named if n not in twice), *ids]
        most = max(len(sharing[k]) for k in unsettled)
        return Verdict(found, stop=Stop(unsettled, twice, unknown, most, ids))
    adopt = {**ours, **found}
    over = [u.summary for u in unmarked if finished(u.summary) and live(u.summary, adoptable)]
    return Verdict(
        adopt, [d for d in dead if d.database not in adopt], passed_over=[] if window else over
    )


def _keys(request: MarkedRequest) -> set[DatabaseKey]:
    return {db.key for db in request.databases}


def _by_details(
    request: MarkedRequest,
    unmarked: Sequence[UnmarkedJob],
    found: Adopted,
    window: Window | None,
    decisions: JobDecisions,
    adoptable: Adoptable,
) -> tuple[Adopted, Jobs]:
    """Unmarked jobs of databases without one: those whose details show the marker, and those
    whose details decide nothing (a schedule's or another description's are not ours)."""
    ours: Adopted = {}
    undecided: Jobs = {}
    for job in unmarked:
        key, worth = (
            key_of_job(job.summary),
            needs_details(job.summary, window, decisions, adoptable),
        )
        if key not in _keys(request) - set(found) or key in ours or not worth:
            continue
        if job.started_from.casefold() == "scheduled":
            continue
        if job.description is None:
            undecided.setdefault(key, []).append(job.summary)
        elif request.tag in job.description:
            ours[key] = job.summary
    return ours, undecided


def describe(summary: JobSummary) -> str:
    """One job as a stop names it: id, type, level, database, status, start, user."""
    entity = summary.subclient
    names = (entity.client_name, entity.instance_name, entity.subclient_name)
    start = summary.job_start_time
    when = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if start else ""
    started = f"started {when}" if when else "not started yet"
    level = f" {summary.backup_level_name}" if summary.backup_level_name else ""
    user = f", by {summary.user.user_name}" if summary.user.user_name else ""
    return (
        f"job {summary.job_id}: {summary.job_type or 'job'}{level} of "
        f"{'/'.join(n for n in names if n)}, {summary.status or 'status unknown'}, {started}{user}"
    )
