"""Which jobs the duplicate guard search among: the request's clients' recent Oracle jobs,
listed once per process for the same clients, paged to the end (``GuardIncompleteError``
rather than a silent stop)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..client import CommvaultClient
from ..errors import (
    CommvaultError,
)
from ..marking import (
    tags_in,
)
from ..models import ORACLE_APPLICATION_ID, JobSummary
from ..recognition import MarkerVisibility

log = logging.getLogger("pulumi_commvault")

LOOKUP_WINDOW_S = 24 * 3600
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


class GuardIncompleteError(CommvaultError):
    """The duplicate guard could not look through every job it must see, so it cannot rule
    out that the request already started one; nothing was started."""


@dataclass(frozen=True)
class GuardScope:
    """Which jobs the guard search among: the request's clients' Oracle backups, recent ones.

    Commvault filters the listing (``clientList``, ``jobTypeList``, ``entity.applicationId``),
    so what the guard pages through does not grow with the CommServe's other jobs.
    """

    lookup_s: int = LOOKUP_WINDOW_S
    page_size: int = INDEX_PAGE_SIZE
    max_pages: int = INDEX_MAX_PAGES


@dataclass
class Listing:
    """What one listing found: marked job ids by tag, the jobs that carry a marker and those
    that carry none, and whether any job showed a ``jobDescription`` (then the CommServe
    lists descriptions, and one left out means the job has none)."""

    by_tag: dict[str, list[str]]
    marked: list[JobSummary]
    unmarked: list[JobSummary]
    shows_descriptions: bool = False

    @classmethod
    def of(cls, summaries: Iterable[JobSummary]) -> Listing:
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
        self._listed: set[int] = set()
        self._wanted: set[int] = set()
        self._expected: set[str] = set()
        self._all_listed = False
        self._probed = False
        self._listing = False
        self._changed = threading.Condition()

    def candidates(self, client: CommvaultClient, tag: str, client_ids: list[int]) -> list[str]:
        """Ids of the jobs marked with ``tag`` on ``client_ids``, newest first. One listing
        runs at a time, outside the lock; the lock is taken only to pick a turn and to keep
        what it found (``_next_turn``, ``_end_turn``)."""
        wanted = set(client_ids)
        self._want(client, wanted)
        while (turn := self._next_turn(wanted)) is not None:
            batch, probe = turn
            try:
                everything = self._probe(client) if probe else None
                found = everything or self._list(client, batch)
            except BaseException:
                self._end_turn(None, batch, everything=False)
                raise
            self._end_turn(found, batch, everything=everything is not None)
        with self._changed:
            return list(self._job_ids.get(tag, []))

    def _want(self, client: CommvaultClient, wanted: set[int]) -> None:
        """Add ``wanted`` and the expected clients' ids to what the next listing lists."""
        with self._changed:
            expected = set(self._expected)
        known = client.client_ids() if expected else {}
        with self._changed:
            self._wanted |= {known[name] for name in expected if name in known}
            self._wanted |= wanted - self._listed

    def _next_turn(self, wanted: set[int]) -> tuple[list[int], bool] | None:
        """None once ``wanted`` is listed; else, after any listing under way, this caller's
        turn to list: the clients to list, and whether to probe every client first."""
        with self._changed:
            self._changed.wait_for(lambda: not self._listing or self._covers(wanted))
            if self._covers(wanted):
                return None
            batch = sorted(self._wanted - self._listed)
            probe = not self._probed and len(self._wanted | self._listed) > 1
            self._probed |= probe
            self._listing = True
            return batch, probe

    def _end_turn(self, found: Listing | None, batch: list[int], *, everything: bool) -> None:
        """Keep what a turn found (None: it failed, and the next caller lists again)."""
        with self._changed:
            self._listing = False
            if found is not None:
                for marked, ids in found.by_tag.items():
                    self._job_ids[marked] = [*self._job_ids.get(marked, []), *ids]
                self._unmarked.extend(found.unmarked)
                self.visibility.saw_listing(found.shows_descriptions)
                self._listed |= set(batch)
                self._all_listed |= everything
            self._changed.notify_all()

    def _covers(self, wanted: set[int]) -> bool:
        return self._all_listed or wanted <= self._listed

    def unrecognised(self) -> list[JobSummary]:
        """Listed jobs without a marker that may still be a request's, newest first: none
        where the listings show descriptions (a job of ours would show its marker); else
        those not started by this process."""
        with self._changed:
            if not self.visibility.markers_may_hide():
                return []
            ours = {job_id for ids in self._job_ids.values() for job_id in ids}
            return [s for s in self._unmarked if str(s.job_id) not in ours]

    def expect(self, client_names: Iterable[str]) -> None:
        """Clients that requests of this process will back up soon: list them early."""
        with self._changed:
            self._expected |= {name.lower() for name in client_names}

    def remember(self, tag: str, job_ids: list[str]) -> None:
        with self._changed:
            self._job_ids[tag] = [*job_ids, *self._job_ids.get(tag, [])]

    def _list(self, client: CommvaultClient, client_ids: list[int]) -> Listing:
        return Listing.of(recent_jobs(client, client_ids, self.scope, on_page=self._count))

    def _count(self) -> None:
        self.listings += 1

    def _probe(self, client: CommvaultClient) -> Listing | None:
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
        return Listing.of(page)


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
