"""Reading what the duplicate guard's rules (``guard.rules``) need where the CommServe does
not show a request's marker, and turning a stop into the error the user reads.

- A listed job whose summary shows no description may be ours. Those that fit the request
  (``rules.fits``) and are worth it (``rules.needs_details``) get their ``POST JobDetails``
  read: a description there decides, either way; the rules decide the rest.
- ``MarkerVisibility`` reads back the first job a process starts on a CommServe, to learn
  where the marker shows, and warns once when it shows nowhere.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Sequence

from .client import CommvaultClient
from .errors import CommvaultError, UnrecognisedJobsError
from .guard.rules import (
    NO_DECISIONS,
    Adoptable,
    JobDecisions,
    Stop,
    UnmarkedJob,
    Window,
    describe,
    needs_details,
)
from .marking import MarkedRequest, StartedJob
from .models import JobSummary

__all__ = ["NO_DECISIONS", "JobDecisions", "MarkerVisibility", "Visibility", "Window"]

log = logging.getLogger("pulumi_commvault")


class Visibility(enum.Enum):
    """Where a CommServe shows the marker of a job this process started."""

    UNKNOWN = "not known yet"
    LISTINGS = "in job listings"
    DETAILS = "in job details only"
    NOWHERE = "nowhere"


def with_details(
    client: CommvaultClient,
    candidates: Sequence[JobSummary],
    *,
    window: Window | None,
    decisions: JobDecisions,
    adoptable: Adoptable,
) -> list[UnmarkedJob]:
    """The candidates, each with its details read where the rules will look at them."""
    read: list[UnmarkedJob] = []
    for summary in candidates:
        if needs_details(summary, window=window, decisions=decisions, adoptable=adoptable):
            details = client.job_general_info(summary.job_id)
            read.append(UnmarkedJob(summary, details.job_started_from, details.description))
        else:
            read.append(UnmarkedJob(summary))
    return read


def stop_error(
    commserve: str, request: MarkedRequest, stop: Stop, window: Window | None
) -> UnrecognisedJobsError:
    """The stop as the user reads it: why the guard cannot tell, the jobs, and one id each."""
    jobs = [job for group in stop.jobs.values() for job in group]
    if stop.named_twice:
        why = (
            "more than one job was named to adopt for the same database "
            f"({', '.join(stop.named_twice)})"
        )
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
    if stop.not_candidates and not stop.named_twice:
        why += f"; job {', '.join(stop.not_candidates)}, named to adopt, is none of them"
    if stop.twins:
        why += (
            f"; {stop.twins + 1} requests of this machine sent for this database then: the "
            "ids named to adopt give each of them its own job"
        )
    return UnrecognisedJobsError(
        why,
        job_ids=[str(j.job_id) for j in jobs],
        jobs=[describe(j) for j in jobs],
        databases=len(stop.jobs),
        suggested=stop.suggested,
        marker=request.marker,
        commserve=commserve,
        operation="looking for a job this request may already have started",
    )


class MarkerVisibility:
    """The one place that knows whether a CommServe shows job descriptions, and where: learnt
    from the listings (``saw_listing``: any job showing a ``jobDescription``) and from the
    first job this process starts there (``check``); ``notice`` hears it once when it shows
    nowhere. ``listings_trusted`` turns False when a listing showed a description for a job
    of ours without its marker: listed descriptions then decide nothing.
    """

    def __init__(self, notice: Callable[[str], None] | None = None) -> None:
        self.state = Visibility.UNKNOWN
        self.listings_trusted = True
        self.listed_descriptions = False
        self._notice = notice or log.warning
        self._lock = threading.Lock()
        self._checking = False

    def saw_listing(self, shows_descriptions: bool) -> None:
        """A listing of this process showed a ``jobDescription`` (on any job), or did not."""
        self.listed_descriptions |= shows_descriptions

    def markers_may_hide(self, *, listing_shows: bool | None = None) -> bool:
        """Whether a listed job without a marker may still be a request's: the listing
        (``listing_shows``; else every listing so far) showed no description, and no job of
        ours was seen with its marker in a listing; or listed descriptions are not trusted."""
        if not self.listings_trusted:
            return True
        shows = self.listed_descriptions if listing_shows is None else listing_shows
        return not (shows or self.state is Visibility.LISTINGS)

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
