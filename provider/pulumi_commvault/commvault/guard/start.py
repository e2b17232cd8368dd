"""``start_once``: a request in, its jobs out, one per database, never two: adopted where
the request already started one, else sent (``CreateTaskResends``). Backups, restores and
anything else that sends a marked request go through it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from ..client import CommvaultClient
from ..journal import SendJournal
from ..marking import (
    MarkedRequest,
    StartedJob,
)
from ..models import JobSummary
from .listing import MarkedJobIndex
from .rules import (
    NO_DECISIONS,
    JobDecisions,
    NotReused,
)
from .search import JobSearch
from .sends import CreateTaskResends

log = logging.getLogger("pulumi_commvault")

#: How many finished jobs a start beside them names (``_passed_over``).
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
    search = JobSearch(
        client, request, adoptable, index or MarkedJobIndex(), exclude, decisions, journal
    )
    first_look = search.before_sending()
    decisions.check_adopted(client.base_url, [j.job_id for j in first_look.values()])
    for job in first_look.values():
        log.info(
            "adopting job %s for %s: already started for this request", job.job_id, job.database
        )
    resends = CreateTaskResends(client, request, search, sleep)
    jobs = resends.start_missing(first_look)
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
