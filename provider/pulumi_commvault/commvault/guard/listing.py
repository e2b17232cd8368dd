"""The jobs the duplicate guard searches among (the request's clients' recent Oracle jobs,
listed once a process, paged to the end), and whether (and where) they show markers."""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..client import CommvaultClient
from ..errors import CommvaultError
from ..marking import MarkedRequest, StartedJob, tags_in
from ..models import ORACLE_APPLICATION_ID, JobSummary

log = logging.getLogger("pulumi_commvault")

#: The first look-up of several clients: one page this size of every client's jobs.
PROBE_PAGE_SIZE = 200


class GuardIncompleteError(CommvaultError):
    """The guard could not look through every job it must see, so nothing was started."""


@dataclass(frozen=True)
class GuardScope:
    """The request's clients' Oracle jobs of ``lookup_s``, at most ``max_pages`` pages."""

    lookup_s: int = 24 * 3600
    page_size: int = 1000
    max_pages: int = 100


@dataclass
class Listing:
    """Marked job ids by tag, jobs with and without a marker, and whether any showed a description
    (then the CommServe lists descriptions, and a job without one has none)."""

    by_tag: dict[str, list[str]] = field(default_factory=dict)
    marked: list[JobSummary] = field(default_factory=list)
    unmarked: list[JobSummary] = field(default_factory=list)
    shows_descriptions: bool = False

    @classmethod
    def of(cls, summaries: Iterable[JobSummary]) -> Listing:
        listed = cls()
        for summary in summaries:
            listed.shows_descriptions |= summary.job_description is not None
            tags = tags_in(summary)
            (listed.marked if tags else listed.unmarked).append(summary)
            for tag in tags:
                listed.by_tag.setdefault(tag, []).append(str(summary.job_id))
        return listed


class Visibility(enum.Enum):  # where a CommServe shows the marker of a job we started
    UNKNOWN = "not known yet"
    LISTINGS = "in job listings"
    DETAILS = "in job details only"
    NOWHERE = "nowhere"


class MarkerVisibility:
    """Whether a CommServe shows job descriptions, and where: learnt from the listings and
    from the first job this process starts (``check``), warning once when nowhere."""

    def __init__(self, notice: Callable[[str], None] | None = None) -> None:
        self.state = Visibility.UNKNOWN
        self.listings_trusted = True
        self.listed_descriptions = False
        self._notice = notice or log.warning
        self._checking = threading.Lock()

    def markers_may_hide(self, *, listing_shows: bool | None = None) -> bool:
        """Whether a listed job without a marker may be a request's: no listing showed a
        description and no job of ours its marker, or listed descriptions are not trusted."""
        if not self.listings_trusted:
            return True
        shows = self.listed_descriptions if listing_shows is None else listing_shows
        return not (shows or self.state is Visibility.LISTINGS)

    def check(self, client: CommvaultClient, request: MarkedRequest, job: StartedJob) -> None:
        """Read the job just started back (``GET Job``, then its details), one at a time."""
        if self.state is not Visibility.UNKNOWN or not self._checking.acquire(blocking=False):
            return
        try:
            if self.state is Visibility.UNKNOWN:
                self._learn(client, request, job)
        except CommvaultError as exc:
            log.debug("could not read back job %s to check its marker: %s", job.job_id, exc)
        finally:
            self._checking.release()

    def _learn(self, client: CommvaultClient, request: MarkedRequest, job: StartedJob) -> None:
        summary = client.find_job(job.job_id)
        if summary is None:
            return
        if (listed := summary.job_description) is not None and request.tag in listed:
            self.state = Visibility.LISTINGS
            return
        self.listings_trusted &= listed is None  # a description of ours without our marker
        details = client.job_general_info(job.job_id).description
        if details is not None and request.tag in details:
            self.state = Visibility.DETAILS  # as sure as listed markers, a read per candidate
            log.info(
                f"{client.base_url} does not show job descriptions in its job listings (job "
                f"{job.job_id}); the duplicate guard reads the job details of possible earlier "
                "jobs of a request"
            )
            return
        self.state = Visibility.NOWHERE
        self._notice(
            f"{client.base_url} shows no job descriptions, in job listings or job details "
            f"(job {job.job_id}): the duplicate guard goes by this machine's record of what "
            "it sent (COMMVAULT_STATE_DIR; keep it between CI runs)"
        )


class MarkedJobIndex:
    """The request's clients' recent jobs, listed once per client (with those ``expect``ed and
    those asked for meanwhile), or, for several, all in one small page if that holds them."""

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
        self._all_listed = self._probed = self._listing = False
        self._changed = threading.Condition()

    def candidates(self, client: CommvaultClient, tag: str, client_ids: list[int]) -> list[str]:
        """The ids of jobs marked ``tag`` on ``client_ids``, newest first; one listing at a time."""
        with self._changed:
            expected = set(self._expected)
        known, wanted = client.client_ids() if expected else {}, set(client_ids)
        with self._changed:
            self._wanted |= {known[name] for name in expected if name in known}
            self._wanted |= wanted - self._listed
        while (turn := self._next_turn(wanted)) is not None:
            (batch, probe), found, everything = turn, None, None
            try:  # a failed turn keeps nothing, and the next caller lists again
                if probe:  # every client's jobs, if one small page holds them all
                    scope = GuardScope(self.scope.lookup_s, PROBE_PAGE_SIZE, 1)
                    with contextlib.suppress(GuardIncompleteError):
                        everything = listing(client, None, scope, self)
                found = everything or listing(client, batch, self.scope, self)
            finally:
                self._end_turn(found, batch, everything=everything is not None)
        with self._changed:
            return list(self._job_ids.get(tag, []))

    def _next_turn(self, wanted: set[int]) -> tuple[list[int], bool] | None:
        """None once ``wanted`` is listed; else this caller's turn: clients, whether to probe."""
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
        with self._changed:
            self._listing = False
            if found is not None:
                for marked, ids in found.by_tag.items():
                    self._job_ids[marked] = [*self._job_ids.get(marked, []), *ids]
                self._unmarked.extend(found.unmarked)
                self.visibility.listed_descriptions |= found.shows_descriptions
                self._listed |= set(batch)
                self._all_listed |= everything
            self._changed.notify_all()

    def _covers(self, wanted: set[int]) -> bool:
        return self._all_listed or wanted <= self._listed

    def unrecognised(self) -> list[JobSummary]:
        """Listed jobs without a marker that may be a request's, not started by this process."""
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


def listing(
    client: CommvaultClient,
    client_ids: list[int] | None,
    scope: GuardScope,
    index: MarkedJobIndex | None = None,
) -> Listing:
    """Every Oracle job of ``client_ids`` (None: all) in the scope, newest first, paged to the
    end (counted in ``index``): ``GuardIncompleteError`` rather than miss one."""
    listed: list[JobSummary] = []
    for page_number in range(scope.max_pages):
        if index is not None:
            index.listings += 1
        page = client.list_jobs(
            client_ids=client_ids,
            lookup_s=scope.lookup_s,
            limit=scope.page_size,
            offset=page_number * scope.page_size,
            job_types=[],  # all: restores share the guard
            application_id=ORACLE_APPLICATION_ID,
        )
        listed.extend(page)
        if len(page) < scope.page_size:
            return Listing.of(listed)
    raise GuardIncompleteError(
        f"the duplicate guard looked through {scope.max_pages * scope.page_size} Oracle "
        f"backup jobs of client ids {client_ids} from the last {scope.lookup_s // 3600} h "
        "and there are more, so it cannot rule out that this request already started a "
        "job; no backup was started. Look in Commvault for a running or finished job "
        "whose description carries this resource's marker before taking a new one",
        commserve=client.base_url,
        operation="looking for jobs this request may already have started",
    )
