"""Starting an Oracle backup so that one request makes one job per database, never two.

Commvault has no idempotency key, so each request carries a marker in its job description.
Before sending, and again after any failure that may have reached the CommServe, the marker
is looked up among the clients' recent jobs; a job found there is adopted instead of
starting another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from .client import CommvaultClient
from .errors import AmbiguousCreateError, CommvaultError, RateLimitedError, UnexpectedAnswerError
from .models import Association, BackupLevel, CreateTaskRequest, JobSummary

log = logging.getLogger("pulumi_commvault")

MARKER_TAG = "pulumi-commvault"
LOOKUP_WINDOW_S = 24 * 3600
LOOKS_AFTER_AMBIGUOUS_FAILURE = 3


@dataclass(frozen=True)
class Database:
    """One Oracle subclient: what Commvault backs up as one job."""

    client_name: str
    instance_name: str
    subclient_name: str = "default"

    @property
    def key(self) -> tuple[str, str, str]:
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

    @classmethod
    def of_job(cls, summary: JobSummary) -> Database:
        entity = summary.subclient
        return cls(entity.client_name, entity.instance_name, entity.subclient_name or "default")


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


def start_backup(
    client: CommvaultClient,
    request: BackupRequest,
    *,
    adoptable: Callable[[JobSummary], bool],
    sleep: Callable[[float], None] = time.sleep,
) -> list[StartedJob]:
    """One job per database of ``request``: adopted where one is already marked, else started.

    ``adoptable`` says whether a marked job found on the CommServe may stand for this request
    (typically: it is still running, or it finished successfully). CreateTask is sent again
    only after a failure that left no usable answer and a fresh look found no job.
    """
    jobs = {db.key: job for db, job in find_marked_jobs(client, request, adoptable).items()}
    for job in jobs.values():
        log.info(
            "adopting job %s for %s: already started for this request", job.job_id, job.database
        )
    missing = [db for db in request.databases if db.key not in jobs]
    attempt = 0
    while missing:
        attempt += 1
        try:
            answer = client.create_task(request.create_task_request(missing))
        except RateLimitedError as exc:
            if attempt >= client.retry.create_attempts:
                raise
            sleep(min(exc.retry_after_s or client.retry.backoff_max_s, 60.0))
            continue
        except AmbiguousCreateError as exc:
            try:
                found = _look_for_marked_jobs(client, request, adoptable, sleep)
            except CommvaultError as lookup_failure:
                raise AmbiguousCreateError(
                    f"{exc.detail}; looking for the job it may have started failed too "
                    f"({lookup_failure}), so a re-run will look again before starting one",
                    resend_allowed=False,
                    commserve=exc.commserve,
                    operation=exc.operation,
                    status_code=exc.status_code,
                ) from None
            for db, job in found.items():
                if db.key not in jobs:
                    jobs[db.key] = job
            missing = [db for db in missing if db.key not in jobs]
            if not missing:
                break
            if not exc.resend_allowed or attempt >= client.retry.create_attempts:
                raise AmbiguousCreateError(
                    f"{exc.detail}; no job marked {request.tag} was found for "
                    f"{', '.join(map(str, missing))}, so a re-run will look again before "
                    "starting one",
                    resend_allowed=False,
                    commserve=exc.commserve,
                    operation=exc.operation,
                    status_code=exc.status_code,
                ) from None
            log.info("no job was started by the lost request; sending it again")
            continue
        if len(answer.job_ids) != len(missing):
            raise UnexpectedAnswerError(
                f"CreateTask answered {len(answer.job_ids)} job ids for {len(missing)} databases",
                commserve=client.base_url,
                operation="POST CreateTask",
            )
        for db, job_id in zip(missing, answer.job_ids, strict=True):
            jobs[db.key] = StartedJob(job_id, db, answer.task_id, adopted=False)
        missing = []
    return [jobs[db.key] for db in request.databases]


def find_marked_jobs(
    client: CommvaultClient, request: BackupRequest, adoptable: Callable[[JobSummary], bool]
) -> dict[Database, StartedJob]:
    """The newest adoptable job carrying the request's marker, for each of its databases."""
    wanted = {db.key: db for db in request.databases}
    known_ids = client.client_ids()
    client_ids = sorted(
        {
            known_ids[db.client_name.lower()]
            for db in request.databases
            if db.client_name.lower() in known_ids
        }
    )
    if not client_ids:
        return {}
    limit = max(100, 4 * len(request.databases))
    found: dict[Database, StartedJob] = {}
    for summary in client.list_jobs(client_ids=client_ids, lookup_s=LOOKUP_WINDOW_S, limit=limit):
        if request.tag not in summary.job_description or not adoptable(summary):
            continue
        db = wanted.get(Database.of_job(summary).key)
        if db is not None and db not in found:
            found[db] = StartedJob(str(summary.job_id), db, None, adopted=True)
    return found


def _look_for_marked_jobs(
    client: CommvaultClient,
    request: BackupRequest,
    adoptable: Callable[[JobSummary], bool],
    sleep: Callable[[float], None],
) -> dict[Database, StartedJob]:
    """Look a few times: a job a lost request started may take a moment to be listed."""
    found: dict[Database, StartedJob] = {}
    for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
        if look:
            sleep(client.retry.backoff_factor_s * 2**look)
        found = find_marked_jobs(client, request, adoptable)
        if found:
            return found
    return found
