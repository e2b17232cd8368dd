"""``start_once``: a request in, its jobs out, one per database, never two: adopted where the
request already started one, else sent. Backups, restores and the hooks go through it.

When a request is sent again: a 429 proves it was not run (wait as the CommServe says, send
again); a failure that may have reached the CommServe (``AmbiguousCreateError``) is followed
by a few looks for the job it started, and a send for the rest only if the failure allows
it; any other failure proves no job was started, and is raised. At most
``client.retry.create_attempts`` sends; each recorded in this machine's journal before it
goes out, its end recorded with its jobs, or withdrawn when it provably started nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from ..client import CommvaultClient
from ..errors import (
    AmbiguousCreateError,
    CommvaultError,
    RateLimitedError,
    UnexpectedAnswerError,
    UnrecognisedJobsError,
)
from ..journal import SendJournal
from ..marking import Database, DatabaseKey, MarkedRequest, StartedJob
from ..models import JobSummary
from .listing import MarkedJobIndex
from .rules import NO_DECISIONS, JobDecisions, NotReused, Window
from .search import JobSearch

log = logging.getLogger("pulumi_commvault")

LOOKS_AFTER_AMBIGUOUS_FAILURE = 3
#: How many finished jobs a start beside them names.
PASSED_OVER_SHOWN = 5


def start_once(
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
    """One job per database of ``request``, in its order: adopted where one is already the
    request's (``adoptable`` says whether a job found may stand for it), else started. With
    an ``index``, the first look uses it, and the first job started checks where markers
    show. ``exclude``: other requests' jobs (a resource's earlier ones); ``decisions``: the
    user's; ``journal``: this machine's record of sends."""
    search = JobSearch(
        client, request, adoptable, index or MarkedJobIndex(), exclude, decisions, journal
    )
    jobs = search.before_sending()
    decisions.check_adopted(client.base_url, [j.job_id for j in jobs.values()])
    for job in jobs.values():
        log.info(
            "adopting job %s for %s: already started for this request", job.job_id, job.database
        )
    for attempt in range(1, client.retry.create_attempts + 1):
        missing = [db for db in request.databases if db.key not in jobs]
        if not missing:
            break
        last = attempt == client.retry.create_attempts
        for key, job in _send(search, missing, sleep, last=last).items():
            jobs.setdefault(key, job)
    started = [j for j in jobs.values() if not j.adopted]
    search.index.remember(request.tag, [j.job_id for j in started])
    if started and search.passed_over:
        search.index.notice(_passed_over(request, search.passed_over, started))
    replaced = {j.database.key for j in started}
    dead = [d for d in search.not_reused if d.database is None or d.database in replaced]
    if started and dead:
        search.index.notice(_not_reused(dead, started))
    if index is not None and started:
        index.visibility.check(client, request, started[0])
    return [jobs[db.key] for db in request.databases]


def _send(
    search: JobSearch, missing: list[Database], sleep: Callable[[float], None], *, last: bool
) -> dict[DatabaseKey, StartedJob]:
    """One send for the ``missing`` databases: the jobs it started or was found to start."""
    client, request, record = search.client, search.request, search.record
    sent_at = time.time()
    record.record_send(sent_at, timeout_s=client.timeouts.connect_s + client.timeouts.read_s)
    try:
        answer = client.create_task(request.create_task_request(missing))
    except RateLimitedError as exc:
        record.forget_send(sent_at)
        if last:
            raise
        sleep(min(exc.retry_after_s or client.retry.backoff_max_s, 60.0))
        return {}
    except AmbiguousCreateError as exc:
        record.record_send_end(sent_at)  # now ends its window, even if looking fails
        found = _look_after(search, exc, Window(sent_at=sent_at, failed_at=time.time()), sleep)
        if found:
            record.record_send_end(sent_at, [j.job_id for j in found.values()])
        still = [db for db in missing if db.key not in found]
        if still and (last or not exc.resend_allowed):
            raise exc.after_looking(
                f"no job marked {request.tag} was found for " + ", ".join(map(str, still))
            ) from None
        if still:
            log.info("no job was started by the lost request; sending it again")
        return found
    except CommvaultError:
        record.forget_send(sent_at)
        raise
    record.record_send_end(sent_at, answer.job_ids)
    if len(answer.job_ids) != len(missing):
        raise UnexpectedAnswerError(
            f"CreateTask answered {len(answer.job_ids)} job ids for {len(missing)} databases",
            commserve=client.base_url,
            operation="POST CreateTask",
        )
    return {
        db.key: StartedJob(job_id, db, answer.task_id, adopted=False)
        for db, job_id in zip(missing, answer.job_ids, strict=True)
    }


def _look_after(
    search: JobSearch,
    failure: AmbiguousCreateError,
    window: Window,
    sleep: Callable[[float], None],
) -> dict[DatabaseKey, StartedJob]:
    """Look a few times: a job a lost request started may take a moment to be listed."""
    found: dict[DatabaseKey, StartedJob] = {}
    try:
        for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
            if look:
                sleep(search.client.retry.backoff_factor_s * 2**look)
            found = search.after_lost_answer(window)
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
