"""Starting an Oracle backup so that one request makes one job per database, never two.

Commvault has no idempotency key, so each request carries a marker in its job description.
Before sending, the marker is looked up among the clients' recent jobs; a job found there is
adopted instead of starting another. When a send fails, ``CreateTaskResends`` decides, from
what the failure proves, whether to wait and send again, or to look for the job first.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as validated_dataclass

from .client import CommvaultClient
from .errors import AmbiguousCreateError, CommvaultError, RateLimitedError, UnexpectedAnswerError
from .models import (
    ORACLE_APPLICATION_ID,
    Association,
    BackupLevel,
    CreateTaskRequest,
    JobSummary,
)
from .restore_models import RestoreTaskRequest
from .waiting import job_statuses

log = logging.getLogger("pulumi_commvault")

MARKER_TAG = "pulumi-commvault"
MARKED = re.compile(r"\[pulumi-commvault:[0-9A-Za-z_.-]+\]")
LOOKUP_WINDOW_S = 24 * 3600
LOOKS_AFTER_AMBIGUOUS_FAILURE = 3
INDEX_PAGE_SIZE = 1000
#: The first look-up of several clients: one page this size of every client's jobs.
PROBE_PAGE_SIZE = 200
#: Pages the guard reads at most; past them it stops and says so (``GuardIncompleteError``).
INDEX_MAX_PAGES = 100
#: ``jobTypeList`` value of a backup (UNCERTAIN: what the emulator and cvpysdk callers use).
#: The job types the guard asks for: none, i.e. all of the clients' Oracle jobs. Restores
#: share the guard (``MarkedRequest``), and a filter on backups would hide a restore's job on
#: a CommServe that honours ``jobTypeList``; what the guard pages through still does not grow
#: with other clients' or other applications' jobs.
GUARD_JOB_TYPES: list[int] = []

DatabaseKey = tuple[str, str, str]


@validated_dataclass(frozen=True, config=ConfigDict(extra="forbid", str_strip_whitespace=True))
class Database:
    """One Oracle database as Commvault backs it up, one job each: client, instance, subclient.

    Validated when made, from arguments or from a dict (as the provider's inputs are).
    """

    client_name: str = Field(min_length=1)
    instance_name: str = Field(min_length=1)
    subclient_name: str = Field(default="default", min_length=1)

    @property
    def key(self) -> DatabaseKey:
        """Names as Commvault matches them: case-insensitively."""
        return (self.client_name.lower(), self.instance_name.lower(), self.subclient_name.lower())

    def __str__(self) -> str:
        return f"{self.client_name}/{self.instance_name}/{self.subclient_name}"

    def association(self) -> Association:
        return Association(
            client_name=self.client_name,
            instance_name=self.instance_name,
            subclient_name=self.subclient_name,
        )


def key_of_job(summary: JobSummary) -> DatabaseKey:
    """The database a job summary names, as ``Database.key`` spells it."""
    entity = summary.subclient
    return (
        entity.client_name.lower(),
        entity.instance_name.lower(),
        (entity.subclient_name or "default").lower(),
    )


class MarkedRequest(Protocol):
    """A CreateTask request that starts one job per database, each marked with ``tag``:
    a ``BackupRequest``, or a restore (``restores.RestoreRequest``, one database: the
    destination). ``start_backup`` and ``CreateTaskResends`` work on any of them."""

    @property
    def databases(self) -> tuple[Database, ...]: ...

    @property
    def tag(self) -> str: ...

    def create_task_request(
        self, databases: list[Database]
    ) -> CreateTaskRequest | RestoreTaskRequest: ...


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


@dataclass(frozen=True)
class StartedJob:
    """A job that backs up ``database`` for the request: started now, or adopted."""

    job_id: str
    database: Database
    task_id: int | None
    adopted: bool


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
    """

    def __init__(self, scope: GuardScope | None = None) -> None:
        self.scope = scope or GuardScope()
        self.listings = 0
        self._job_ids: dict[str, list[str]] = {}
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
                for marked, ids in found.items():
                    self._job_ids[marked] = [*self._job_ids.get(marked, []), *ids]
                self._listed |= set(batch)
            return list(self._job_ids.get(tag, []))

    def expect(self, client_names: Iterable[str]) -> None:
        """Clients that requests of this process will back up soon: list them early."""
        with self._changed:
            self._expected |= {name.lower() for name in client_names}

    def remember(self, tag: str, job_ids: list[str]) -> None:
        with self._changed:
            self._job_ids[tag] = [*job_ids, *self._job_ids.get(tag, [])]

    def _list(self, client: CommvaultClient, client_ids: list[int]) -> dict[str, list[str]]:
        by_tag: dict[str, list[str]] = {}
        for summary in marked_jobs(client, client_ids, self.scope, on_page=self._count):
            for tag in MARKED.findall(summary.job_description):
                by_tag.setdefault(tag, []).append(str(summary.job_id))
        return by_tag

    def _count(self) -> None:
        self.listings += 1

    def _probe(self, client: CommvaultClient) -> dict[str, list[str]] | None:
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
        by_tag: dict[str, list[str]] = {}
        for summary in page:
            for tag in MARKED.findall(summary.job_description):
                by_tag.setdefault(tag, []).append(str(summary.job_id))
        return by_tag


def marked_jobs(
    client: CommvaultClient,
    client_ids: list[int],
    scope: GuardScope,
    *,
    on_page: Callable[[], None] | None = None,
) -> list[JobSummary]:
    """Every marked Oracle backup job of ``client_ids`` in the scope's window, newest first.

    Pages through the filtered listing to its end; raises ``GuardIncompleteError`` rather
    than stop early, so a job the request started is never missed silently.
    """
    marked: list[JobSummary] = []
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
        marked.extend(s for s in page if MARKED.search(s.job_description))
        if len(page) < scope.page_size:
            return marked
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
    sleep: Callable[[float], None] = time.sleep,
) -> list[StartedJob]:
    """One job per database of ``request``: adopted where one is already marked, else started.

    ``adoptable`` says whether a marked job found on the CommServe may stand for this request
    (typically: it is still running, or it finished successfully). With an ``index``, the
    first look uses it instead of listing the clients' jobs. Sends follow
    ``CreateTaskResends``.
    """
    first_look = (
        find_indexed_jobs(client, request, adoptable, index)
        if index is not None
        else find_marked_jobs(client, request, adoptable)
    )
    for job in first_look.values():
        log.info(
            "adopting job %s for %s: already started for this request", job.job_id, job.database
        )
    resends = CreateTaskResends(client, request, adoptable, sleep)
    jobs = resends.start_missing({db.key: job for db, job in first_look.items()})
    if index is not None:
        index.remember(request.tag, [j.job_id for j in jobs.values() if not j.adopted])
    return [jobs[db.key] for db in request.databases]


class CreateTaskResends:
    """When a backup (or restore) request is sent again: the never-a-duplicate rule, in one
    place.

    - A 429 proves the request was not run: wait as the CommServe says, and send again.
    - A failure that may have reached the CommServe (``AmbiguousCreateError``): look for the
      job the request is marked with (a few times, as a new job may take a moment to be
      listed); adopt what is found, and send again for the rest only if the failure allows
      it (no answer at all, rather than an answer we could not read).
    - Any other failure proves no job was started, and is raised.
    At most ``client.retry.create_attempts`` sends in all.
    """

    def __init__(
        self,
        client: CommvaultClient,
        request: MarkedRequest,
        adoptable: Callable[[JobSummary], bool],
        sleep: Callable[[float], None],
    ) -> None:
        self.client = client
        self.request = request
        self.adoptable = adoptable
        self.sleep = sleep

    def start_missing(self, jobs: dict[DatabaseKey, StartedJob]) -> dict[DatabaseKey, StartedJob]:
        """``jobs`` completed with a job for every database of the request."""
        jobs = dict(jobs)
        missing = [db for db in self.request.databases if db.key not in jobs]
        for attempt in range(1, self.client.retry.create_attempts + 1):
            if not missing:
                break
            last = attempt == self.client.retry.create_attempts
            try:
                answer = self.client.create_task(self.request.create_task_request(missing))
            except RateLimitedError as exc:
                if last:
                    raise
                self.sleep(min(exc.retry_after_s or self.client.retry.backoff_max_s, 60.0))
                continue
            except AmbiguousCreateError as exc:
                for db, job in self._look_after(exc).items():
                    jobs.setdefault(db.key, job)
                missing = [db for db in missing if db.key not in jobs]
                if missing and (last or not exc.resend_allowed):
                    raise exc.after_looking(
                        f"no job marked {self.request.tag} was found for "
                        + ", ".join(map(str, missing))
                    ) from None
                if missing:
                    log.info("no job was started by the lost request; sending it again")
                continue
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

    def _look_after(self, failure: AmbiguousCreateError) -> dict[Database, StartedJob]:
        """Look a few times: a job a lost request started may take a moment to be listed."""
        found: dict[Database, StartedJob] = {}
        try:
            for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
                if look:
                    self.sleep(self.client.retry.backoff_factor_s * 2**look)
                found = find_marked_jobs(self.client, self.request, self.adoptable)
                if found:
                    return found
        except CommvaultError as lookup_failure:
            raise failure.after_looking(
                f"looking for the job it may have started failed too ({lookup_failure})"
            ) from None
        return found


def find_marked_jobs(
    client: CommvaultClient, request: MarkedRequest, adoptable: Callable[[JobSummary], bool]
) -> dict[Database, StartedJob]:
    """The newest adoptable job carrying the request's marker, for each of its databases."""
    client_ids = _client_ids_of(client, request)
    if not client_ids:
        return {}
    listing = marked_jobs(client, client_ids, GuardScope())
    return _adopt(request, [s for s in listing if request.tag in s.job_description], adoptable)


def _client_ids_of(client: CommvaultClient, request: MarkedRequest) -> list[int]:
    """The ids of the request's clients the CommServe knows (``GET Client``, once a client)."""
    known_ids = client.client_ids()
    names = {db.client_name.lower() for db in request.databases}
    return sorted(known_ids[name] for name in names if name in known_ids)


def find_indexed_jobs(
    client: CommvaultClient,
    request: MarkedRequest,
    adoptable: Callable[[JobSummary], bool],
    index: MarkedJobIndex,
) -> dict[Database, StartedJob]:
    """Like ``find_marked_jobs``, from the index: no call at all when nothing carries the tag."""
    client_ids = _client_ids_of(client, request)
    if not client_ids:
        return {}
    candidates = index.candidates(client, request.tag, client_ids)
    if not candidates:
        return {}
    summaries = job_statuses(client, candidates, client_ids=client_ids)
    return _adopt(request, [summaries[j] for j in candidates if j in summaries], adoptable)


def _adopt(
    request: MarkedRequest,
    newest_first: list[JobSummary],
    adoptable: Callable[[JobSummary], bool],
) -> dict[Database, StartedJob]:
    wanted = {db.key: db for db in request.databases}
    found: dict[Database, StartedJob] = {}
    for summary in newest_first:
        db = wanted.get(key_of_job(summary))
        if db is not None and db not in found and adoptable(summary):
            found[db] = StartedJob(str(summary.job_id), db, None, adopted=True)
    return found
