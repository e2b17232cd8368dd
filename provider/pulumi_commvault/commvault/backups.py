"""Starting an Oracle backup so that one request makes one job per database, never two.

Commvault has no idempotency key, so each request carries a marker in its job description.
Before sending, the marker is looked up among the clients' recent jobs; a job found there is
adopted instead of starting another. Where the CommServe shows no description, the job is
recognised by what every job summary carries (``recognition``). When a send fails,
``CreateTaskResends`` decides, from what the failure proves, whether to wait and send again,
or to look for the job first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .client import CommvaultClient
from .errors import (
    AmbiguousCreateError,
    CommvaultError,
    RateLimitedError,
    UnexpectedAnswerError,
    UnrecognisedJobsError,
)
from .guard.rules import (
    NO_DECISIONS,
    JobDecisions,
    NotReused,
    OwnJob,
    Verdict,
    Window,
    fits,
    judge,
    not_reused,
    own_jobs,
)
from .journal import NO_JOURNAL, RequestRecord, SendJournal
from .marking import (
    MARKED,
    MARKER_TAG,
    Database,
    DatabaseKey,
    MarkedRequest,
    StartedJob,
    database_name,
    key_of_job,
    tags_in,
)
from .models import ORACLE_APPLICATION_ID, BackupLevel, CreateTaskRequest, JobSummary
from .recognition import MarkerVisibility, Visibility, stop_error, with_details
from .waiting import job_statuses

__all__ = [
    "MARKED",
    "MARKER_TAG",
    "NO_DECISIONS",
    "BackupRequest",
    "Database",
    "DatabaseKey",
    "GuardIncompleteError",
    "GuardScope",
    "JobDecisions",
    "MarkedJobIndex",
    "MarkedRequest",
    "StartedJob",
    "key_of_job",
    "start_backup",
]

log = logging.getLogger("pulumi_commvault")

LOOKUP_WINDOW_S = 24 * 3600
LOOKS_AFTER_AMBIGUOUS_FAILURE = 3
INDEX_PAGE_SIZE = 1000
#: The first look-up of several clients: one page this size of every client's jobs.
PROBE_PAGE_SIZE = 200
#: Pages the guard reads at most; past them it stops and says so (``GuardIncompleteError``).
INDEX_MAX_PAGES = 100
#: The job types the guard asks for: none, i.e. all of the clients' Oracle jobs. Restores
#: share the guard (``MarkedRequest``), and a filter on backups would hide a restore's job on
#: a CommServe that honours ``jobTypeList``; what the guard pages through still does not grow
#: with other clients' or other applications' jobs.
GUARD_JOB_TYPES: list[int] = []
BACKUP_JOB_TYPE = "Backup"
#: How many finished jobs a start beside them names (``_passed_over``).
PASSED_OVER_SHOWN = 5


@dataclass(frozen=True)
class BackupRequest:
    """A backup of one or more databases, tagged with ``marker`` (unique per request)."""

    databases: tuple[Database, ...]
    level: BackupLevel
    marker: str
    cumulative: bool = False
    notify_on_completion: bool = False
    description: str | None = None

    @property
    def tag(self) -> str:
        return f"[{MARKER_TAG}:{self.marker}]"

    @property
    def job_type(self) -> str:
        return BACKUP_JOB_TYPE

    def job_description(self) -> str:
        return f"{self.description} {self.tag}" if self.description else self.tag

    def create_task_request(self, databases: list[Database]) -> CreateTaskRequest:
        return CreateTaskRequest.oracle_backup(
            [db.association() for db in databases],
            level=self.level,
            cumulative=self.cumulative,
            notify_on_completion=self.notify_on_completion,
            job_description=self.job_description(),
        )


class GuardIncompleteError(CommvaultError):
    """The duplicate guard could not look through every job it must see, so it cannot rule
    out that the request already started one; nothing was started."""


@dataclass(frozen=True)
class GuardScope:
    """Which jobs the guard looks among: the request's clients' Oracle backups, recent ones.

    Commvault filters the listing (``clientList``, ``jobTypeList``, ``entity.applicationId``),
    so what the guard pages through does not grow with the CommServe's other jobs.
    """

    lookup_s: int = LOOKUP_WINDOW_S
    page_size: int = INDEX_PAGE_SIZE
    max_pages: int = INDEX_MAX_PAGES


@dataclass
class _Listed:
    """What one listing found: marked job ids by tag, the jobs that carry a marker and those
    that carry none, and whether any job showed a ``jobDescription`` (then the CommServe
    lists descriptions, and one left out means the job has none)."""

    by_tag: dict[str, list[str]]
    marked: list[JobSummary]
    unmarked: list[JobSummary]
    shows_descriptions: bool = False

    @classmethod
    def of(cls, summaries: Iterable[JobSummary]) -> _Listed:
        listed = cls({}, [], [])
        for summary in summaries:
            listed.shows_descriptions |= summary.job_description is not None
            tags = tags_in(summary)
            (listed.marked if tags else listed.unmarked).append(summary)
            for tag in tags:
                listed.by_tag.setdefault(tag, []).append(str(summary.job_id))
        return listed


class MarkedJobIndex:
    """Which marked jobs the request's clients ran lately: listed once per client, then kept.

    Adoption is for jobs that earlier runs started, and those are on the CommServe before a
    ``pulumi up`` first asks, so one listing serves every resource that backs up the same
    clients (a fleet of 500 triggers on one client costs one listing, not 500). Clients
    announced with ``expect`` (the provider's check sees every resource before the engine
    creates it) are listed with the first request's, and requests for clients not listed
    yet that arrive while a listing runs are listed together in the next one. When more
    than one client is involved, the first look-up is one small page of every client's
    recent Oracle backups: if that is all of them (a quiet CommServe), it serves every
    client of the process, so a fleet of 500 triggers on 500 clients costs one listing; if
    not, the clients are listed as above. Jobs started in this process are added as they
    start. A tag's candidates are read afresh before they are adopted.

    Listed jobs that show no description are kept too (``unrecognised``), and
    ``visibility`` learns from the first job started where this CommServe shows markers.
    """

    def __init__(
        self, scope: GuardScope | None = None, *, notice: Callable[[str], None] | None = None
    ) -> None:
        self.scope = scope or GuardScope()
        self.visibility = MarkerVisibility(notice)
        self.notice = notice or log.warning
        self.listings = 0
        self._job_ids: dict[str, list[str]] = {}
        self._unmarked: list[JobSummary] = []
        self._descriptions_listed = False
        self._listed: set[int] = set()
        self._wanted: set[int] = set()
        self._expected: set[str] = set()
        self._all_listed = False
        self._probed = False
        self._listing = False
        self._changed = threading.Condition()

    def candidates(self, client: CommvaultClient, tag: str, client_ids: list[int]) -> list[str]:
        """Ids of the jobs marked with ``tag`` on ``client_ids``, newest first."""
        wanted = set(client_ids)
        with self._changed:
            expected = set(self._expected)
        known = client.client_ids() if expected else {}
        with self._changed:
            self._wanted |= {known[name] for name in expected if name in known}
            self._wanted |= wanted - self._listed
            while not (self._all_listed or wanted <= self._listed):
                if self._listing:
                    self._changed.wait()
                    continue
                batch = sorted(self._wanted - self._listed)
                probe = not self._probed and len(self._wanted | self._listed) > 1
                self._probed = self._probed or probe
                self._listing = True
                self._changed.release()
                try:
                    found = self._probe(client) if probe else None
                    if found is None:
                        found = self._list(client, batch)
                    else:
                        self._all_listed = True
                finally:
                    self._changed.acquire()
                    self._listing = False
                    self._changed.notify_all()
                for marked, ids in found.by_tag.items():
                    self._job_ids[marked] = [*self._job_ids.get(marked, []), *ids]
                self._unmarked.extend(found.unmarked)
                self._descriptions_listed |= found.shows_descriptions
                self._listed |= set(batch)
            return list(self._job_ids.get(tag, []))

    def unrecognised(self) -> list[JobSummary]:
        """Listed jobs without a marker that may still be a request's, newest first: none
        where the listings show descriptions (a job of ours would show its marker); else
        those not started by this process."""
        with self._changed:
            if not self.doubts(shows_descriptions=self._descriptions_listed):
                return []
            ours = {job_id for ids in self._job_ids.values() for job_id in ids}
            return [s for s in self._unmarked if str(s.job_id) not in ours]

    def doubts(self, *, shows_descriptions: bool) -> bool:
        """Whether a listing's unmarked jobs may still be a request's: the listing shows no
        description (or the CommServe is known to leave our marker out)."""
        if not self.visibility.listings_trusted:
            return True
        return not (shows_descriptions or self.visibility.state is Visibility.LISTINGS)

    def expect(self, client_names: Iterable[str]) -> None:
        """Clients that requests of this process will back up soon: list them early."""
        with self._changed:
            self._expected |= {name.lower() for name in client_names}

    def remember(self, tag: str, job_ids: list[str]) -> None:
        with self._changed:
            self._job_ids[tag] = [*job_ids, *self._job_ids.get(tag, [])]

    def _list(self, client: CommvaultClient, client_ids: list[int]) -> _Listed:
        return _Listed.of(recent_jobs(client, client_ids, self.scope, on_page=self._count))

    def _count(self) -> None:
        self.listings += 1

    def _probe(self, client: CommvaultClient) -> _Listed | None:
        """Every client's marked jobs, if one small page holds all recent Oracle backups."""
        self._count()
        page = client.list_jobs(
            lookup_s=self.scope.lookup_s,
            limit=PROBE_PAGE_SIZE,
            job_types=GUARD_JOB_TYPES,
            application_id=ORACLE_APPLICATION_ID,
        )
        if len(page) >= PROBE_PAGE_SIZE:
            return None
        return _Listed.of(page)


def recent_jobs(
    client: CommvaultClient,
    client_ids: list[int],
    scope: GuardScope,
    *,
    on_page: Callable[[], None] | None = None,
) -> list[JobSummary]:
    """Every Oracle job of ``client_ids`` in the scope's window, newest first.

    Pages through the filtered listing to its end; raises ``GuardIncompleteError`` rather
    than stop early, so a job the request started is never missed silently.
    """
    listed: list[JobSummary] = []
    for page_number in range(scope.max_pages):
        if on_page is not None:
            on_page()
        page = client.list_jobs(
            client_ids=client_ids,
            lookup_s=scope.lookup_s,
            limit=scope.page_size,
            offset=page_number * scope.page_size,
            job_types=GUARD_JOB_TYPES,
            application_id=ORACLE_APPLICATION_ID,
        )
        listed.extend(page)
        if len(page) < scope.page_size:
            return listed
    raise GuardIncompleteError(
        f"the duplicate guard looked through {scope.max_pages * scope.page_size} Oracle "
        f"backup jobs of client ids {client_ids} from the last {scope.lookup_s // 3600} h "
        "and there are more, so it cannot rule out that this request already started a "
        "job; no backup was started. Look in Commvault for a running or finished job "
        "whose description carries this resource's marker before taking a new one",
        commserve=client.base_url,
        operation="looking for jobs this request may already have started",
    )


def start_backup(
    client: CommvaultClient,
    request: MarkedRequest,
    *,
    adoptable: Callable[[JobSummary], bool],
    index: MarkedJobIndex | None = None,
    exclude: Iterable[str] = (),
    decisions: JobDecisions = NO_DECISIONS,
    journal: SendJournal | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[StartedJob]:
    """One job per database of ``request``: adopted where one is already marked, else started.

    ``adoptable`` says whether a job found on the CommServe may stand for this request
    (typically: it is still running, or it finished successfully). With an ``index``, the
    first look uses it instead of listing the clients' jobs, and the first job started
    checks where the CommServe shows markers. ``exclude`` names jobs known to be other
    requests' (a resource's earlier backups); ``decisions`` are the user's, for jobs the
    guard cannot tell (``recognition``). A ``journal`` records each send on this machine, and
    its records of earlier sends are what a re-run recognises their jobs by where the
    CommServe shows no marker. Sends follow ``CreateTaskResends``.
    """
    looks = _Looks(
        client, request, adoptable, index or MarkedJobIndex(), exclude, decisions, journal
    )
    first_look = looks.first()
    decisions.check_adopted(client.base_url, [j.job_id for j in first_look.values()])
    for job in first_look.values():
        log.info(
            "adopting job %s for %s: already started for this request", job.job_id, job.database
        )
    resends = CreateTaskResends(client, request, looks, sleep)
    jobs = resends.start_missing(first_look)
    started = [j for j in jobs.values() if not j.adopted]
    looks.index.remember(request.tag, [j.job_id for j in started])
    if started and looks.passed_over:
        looks.index.notice(_passed_over(request, looks.passed_over, started))
    replaced = {j.database.key for j in started}
    dead = [d for d in looks.not_reused if d.database is None or d.database in replaced]
    if started and dead:
        looks.index.notice(_not_reused(dead, started))
    if index is not None and started:
        index.visibility.check(client, request, started[0])
    return [jobs[db.key] for db in request.databases]


class _Looks:
    """How one request looks for the jobs it may already have started: by marker, then,
    among jobs that show no description, by what every summary carries."""

    def __init__(
        self,
        client: CommvaultClient,
        request: MarkedRequest,
        adoptable: Callable[[JobSummary], bool],
        index: MarkedJobIndex,
        exclude: Iterable[str],
        decisions: JobDecisions,
        journal: SendJournal | None,
    ) -> None:
        self.client = client
        self.request = request
        self.adoptable = adoptable
        self.index = index
        self.exclude = frozenset(exclude)
        self.decisions = decisions
        self.record = RequestRecord(
            journal or NO_JOURNAL,
            client.base_url,
            request.marker,
            [database_name(db.key) for db in request.databases],
        )
        #: Finished jobs that fit the request, taken for other requests' for want of a record.
        self.passed_over: list[JobSummary] = []
        #: The request's own earlier jobs that are no restore point (failed, killed, aged...).
        self.not_reused: list[NotReused] = []

    def first(self) -> dict[DatabaseKey, StartedJob]:
        """Before the first send: from the index and this machine's record of earlier sends,
        with fresh statuses of the jobs they name."""
        client_ids = _client_ids_of(self.client, self.request)
        if not client_ids:
            return {}
        earlier = self.record.sends()
        sent_at: dict[str, float] = {}
        for send in earlier:  # oldest first: a job's earliest send
            for job_id in send.job_ids:
                if job_id not in self.exclude:
                    sent_at.setdefault(job_id, send.sent_at)
        marked = self.index.candidates(self.client, self.request.tag, client_ids)
        own_ids = list(dict.fromkeys([*sent_at, *marked]))
        unrecognised = self._could_be_ours(self.index.unrecognised())
        wanted = own_ids + [str(s.job_id) for s in unrecognised]
        if not wanted:
            return {}
        fresh = job_statuses(self.client, wanted, client_ids=client_ids)
        own = [OwnJob(j, fresh.get(j), sent_at.get(j)) for j in own_ids]
        found = own_jobs(self.request, own, self.adoptable)
        if len(found) == len(self.request.databases) or not unrecognised:
            self.not_reused = not_reused(self.request, own, found, self.adoptable)
            return self._as_started(found)
        unanswered = [s for s in earlier if not s.answered]
        window = Window.spanning(unanswered) if unanswered else None
        candidates = [fresh[str(s.job_id)] for s in unrecognised if str(s.job_id) in fresh]
        verdict = self._judge(own, found, candidates, window, self.decisions)
        self.passed_over = verdict.passed_over
        self.not_reused = verdict.not_reused
        return self._as_started(verdict.adopt)

    def after(self, window: Window) -> dict[DatabaseKey, StartedJob]:
        """After a send that may have started a job: a fresh listing of the clients' jobs."""
        client_ids = _client_ids_of(self.client, self.request)
        if not client_ids:
            return {}
        # A twin's send still in flight may start a job this listing must show, and its
        # answer may say which job is not this request's: wait for it first.
        self.record.wait_for_twins(self.client.timeouts.connect_s + self.client.timeouts.read_s)
        listed = _Listed.of(recent_jobs(self.client, client_ids, GuardScope()))
        ours = set(listed.by_tag.get(self.request.tag, []))
        own = [OwnJob(str(s.job_id), s) for s in listed.marked if str(s.job_id) in ours]
        found = own_jobs(self.request, own, self.adoptable)
        if len(found) == len(self.request.databases) or not self.index.doubts(
            shows_descriptions=listed.shows_descriptions
        ):
            return self._as_started(found)
        candidates = self._could_be_ours(listed.unmarked)
        # The user's decisions were about jobs before this send; its own job is judged anew.
        verdict = self._judge(own, found, candidates, window, NO_DECISIONS, at=window.sent_at)
        return self._as_started(verdict.adopt)

    def _could_be_ours(self, summaries: list[JobSummary]) -> list[JobSummary]:
        if not summaries:
            return []
        user = self.client.user_name()
        others = self.exclude | self.record.others()
        return [s for s in summaries if str(s.job_id) not in others and fits(self.request, s, user)]

    def _judge(
        self,
        own: list[OwnJob],
        found: dict[DatabaseKey, JobSummary],
        candidates: list[JobSummary],
        window: Window | None,
        decisions: JobDecisions,
        *,
        at: float | None = None,
    ) -> Verdict:
        """The rules' verdict. The jobs it recognises are claimed in this machine's record as
        this request's (answering the send at ``at``; else from when they started), so a
        re-run adopts them without asking and no other request takes them: a job another
        request claimed first is dropped, and the rest judged again."""
        while True:
            verdict = self._judge_once(own, found, candidates, window, decisions)
            recognised = [s for key, s in verdict.adopt.items() if key not in found]
            if not recognised:
                return verdict
            starts = [s.job_start_time for s in recognised if s.job_start_time]
            when = at if at is not None else min(starts, default=time.time())
            taken = self.record.claim(when, [str(s.job_id) for s in recognised])
            if not taken:
                return verdict
            candidates = [s for s in candidates if str(s.job_id) not in taken]

    def _judge_once(
        self,
        own: list[OwnJob],
        found: dict[DatabaseKey, JobSummary],
        candidates: list[JobSummary],
        window: Window | None,
        decisions: JobDecisions,
    ) -> Verdict:
        """The rules' verdict, with the details of the candidates they look at read first;
        raises the stop (or the refusal of ids the user insisted on) rather than guess."""
        # Twins first, then what they hold: a twin answered in between is among the held.
        twins = {
            db.key: self.record.twin_sends(database_name(db.key)) for db in self.request.databases
        }
        held = self.record.others()
        unsettled = [
            s for s in candidates if key_of_job(s) not in found and str(s.job_id) not in held
        ]
        unmarked = with_details(
            self.client, unsettled, window=window, decisions=decisions, adoptable=self.adoptable
        )
        verdict = judge(
            self.request,
            own,
            unmarked,
            window=window,
            decisions=decisions,
            adoptable=self.adoptable,
            twins=twins,
        )
        if verdict.refused:
            raise decisions.not_candidates(
                self.client.base_url, verdict.refused, verdict.candidates
            )
        if verdict.stop is not None:
            raise stop_error(self.client.base_url, self.request, verdict.stop, window)
        return verdict

    def _as_started(self, found: dict[DatabaseKey, JobSummary]) -> dict[DatabaseKey, StartedJob]:
        databases = {db.key: db for db in self.request.databases}
        return {
            key: StartedJob(str(summary.job_id), databases[key], None, adopted=True)
            for key, summary in found.items()
        }


class CreateTaskResends:
    """When a backup (or restore) request is sent again: the never-a-duplicate rule, in one
    place.

    - A 429 proves the request was not run: wait as the CommServe says, and send again.
    - A failure that may have reached the CommServe (``AmbiguousCreateError``): look for the
      job the request started (a few times, as a new job may take a moment to be listed);
      adopt what is found, and send again for the rest only if the failure allows it (no
      answer at all, rather than an answer we could not read).
    - Any other failure proves no job was started, and is raised.
    At most ``client.retry.create_attempts`` sends in all. Each send is kept in this
    machine's record (``journal``) before it goes out, and settled with its jobs, or
    withdrawn when it provably started nothing.
    """

    def __init__(
        self,
        client: CommvaultClient,
        request: MarkedRequest,
        looks: _Looks,
        sleep: Callable[[float], None],
    ) -> None:
        self.client = client
        self.request = request
        self.looks = looks
        self.sleep = sleep

    def start_missing(self, jobs: dict[DatabaseKey, StartedJob]) -> dict[DatabaseKey, StartedJob]:
        """``jobs`` completed with a job for every database of the request."""
        jobs = dict(jobs)
        missing = [db for db in self.request.databases if db.key not in jobs]
        record, timeouts = self.looks.record, self.client.timeouts
        for attempt in range(1, self.client.retry.create_attempts + 1):
            if not missing:
                break
            last = attempt == self.client.retry.create_attempts
            sent_at = time.time()
            # Recorded before it goes out: if this process dies, its job's window is known.
            record.sending(sent_at, timeout_s=timeouts.connect_s + timeouts.read_s)
            try:
                answer = self.client.create_task(self.request.create_task_request(missing))
            except RateLimitedError as exc:
                record.withdrawn(sent_at)
                if last:
                    raise
                self.sleep(min(exc.retry_after_s or self.client.retry.backoff_max_s, 60.0))
                continue
            except AmbiguousCreateError as exc:
                record.settled(sent_at)  # now ends its window, even if looking fails
                window = Window(sent_at=sent_at, failed_at=time.time())
                found = self._look_after(exc, window)
                if found:
                    record.settled(sent_at, [j.job_id for j in found.values()])
                for key, job in found.items():
                    jobs.setdefault(key, job)
                missing = [db for db in missing if db.key not in jobs]
                if missing and (last or not exc.resend_allowed):
                    raise exc.after_looking(
                        f"no job marked {self.request.tag} was found for "
                        + ", ".join(map(str, missing))
                    ) from None
                if missing:
                    log.info("no job was started by the lost request; sending it again")
                continue
            except CommvaultError:
                record.withdrawn(sent_at)
                raise
            record.settled(sent_at, answer.job_ids)
            jobs.update(self._started(answer.task_id, answer.job_ids, missing))
            missing = []
        return jobs

    def _started(
        self, task_id: int, job_ids: list[str], databases: list[Database]
    ) -> dict[DatabaseKey, StartedJob]:
        if len(job_ids) != len(databases):
            raise UnexpectedAnswerError(
                f"CreateTask answered {len(job_ids)} job ids for {len(databases)} databases",
                commserve=self.client.base_url,
                operation="POST CreateTask",
            )
        return {
            db.key: StartedJob(job_id, db, task_id, adopted=False)
            for db, job_id in zip(databases, job_ids, strict=True)
        }

    def _look_after(
        self, failure: AmbiguousCreateError, window: Window
    ) -> dict[DatabaseKey, StartedJob]:
        """Look a few times: a job a lost request started may take a moment to be listed."""
        found: dict[DatabaseKey, StartedJob] = {}
        try:
            for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
                if look:
                    self.sleep(self.client.retry.backoff_factor_s * 2**look)
                found = self.looks.after(window)
                if found:
                    return found
        except UnrecognisedJobsError:
            raise
        except CommvaultError as lookup_failure:
            raise failure.after_looking(
                f"looking for the job it may have started failed too ({lookup_failure})"
            ) from None
        return found


def _passed_over(
    request: MarkedRequest, finished: list[JobSummary], started: list[StartedJob]
) -> str:
    shown = [str(s.job_id) for s in finished[:PASSED_OVER_SHOWN]]
    more = len(finished) - len(shown)
    ids = ", ".join(shown) + (f" and {more} more" if more else "")
    new = ", ".join(j.job_id for j in started)
    fit = f"finished job {ids} fits" if len(finished) == 1 else f"finished jobs {ids} fit"
    return (
        f"started job {new} for request {request.marker}; {fit} it too, but no job "
        "descriptions show and this machine has no record of sending it, so they were "
        "assumed to belong to other requests. If an interrupted run on another machine "
        "started one, that one is a restore point as well"
    )


def _not_reused(dead: list[NotReused], started: list[StartedJob]) -> str:
    earlier = "; ".join(f"job {d.job_id} ({d.why})" for d in dead)
    new = ", ".join(j.job_id for j in started)
    return (
        f"not reusing this request's earlier {earlier}: no restore point, "
        f"so started job {new} instead"
    )


def _client_ids_of(client: CommvaultClient, request: MarkedRequest) -> list[int]:
    """The ids of the request's clients the CommServe knows (``GET Client``, once a client)."""
    known_ids = client.client_ids()
    names = {db.client_name.lower() for db in request.databases}
    return sorted(known_ids[name] for name in names if name in known_ids)
