"""How one request looks for the jobs it may already have started: before its first send
(the listing and this machine's record) and after a send whose answer was lost. The rules
(``rules.judge``) decide; this module reads what they need, job details included, and turns
a stop into the error the user reads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..client import CommvaultClient
from ..errors import UnrecognisedJobsError
from ..journal import NO_JOURNAL, SendJournal
from ..marking import DatabaseKey, MarkedRequest, StartedJob, key_of_job
from ..models import JobSummary
from ..waiting import job_statuses
from .listing import GuardScope, Listing, MarkedJobIndex, recent_jobs
from .rules import (
    NO_DECISIONS,
    JobDecisions,
    NotReused,
    OwnJob,
    Stop,
    UnmarkedJob,
    Verdict,
    Window,
    describe,
    fits,
    judge,
    needs_details,
    not_reused,
    own_jobs,
)


class JobSearch:
    """One request's look for its jobs: by marker, then, among jobs that show no description,
    by what every summary carries."""

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
        databases = ["/".join(db.key) for db in request.databases]
        self.record = (journal or NO_JOURNAL).request(client.base_url, request.marker, databases)
        #: Finished jobs that fit the request, taken for other requests' for want of a record.
        self.passed_over: list[JobSummary] = []
        #: The request's own earlier jobs that are no restore point (failed, killed, aged...).
        self.not_reused: list[NotReused] = []

    def before_sending(self) -> dict[DatabaseKey, StartedJob]:
        """From the index and this machine's record of earlier sends, with fresh statuses."""
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
        unrecognised = self._fitting_not_held(self.index.unrecognised())
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

    def after_lost_answer(self, window: Window) -> dict[DatabaseKey, StartedJob]:
        """After a send that may have started a job: a fresh listing of the clients' jobs."""
        client_ids = _client_ids_of(self.client, self.request)
        if not client_ids:
            return {}
        # A twin's send still in flight may start a job this listing must show, and its
        # answer may say which job is not this request's: wait for it first.
        self.record.wait_for_twins(self.client.timeouts.connect_s + self.client.timeouts.read_s)
        listed = Listing.of(recent_jobs(self.client, client_ids, GuardScope()))
        ours = set(listed.by_tag.get(self.request.tag, []))
        own = [OwnJob(str(s.job_id), s) for s in listed.marked if str(s.job_id) in ours]
        found = own_jobs(self.request, own, self.adoptable)
        if len(found) == len(self.request.databases) or not self.index.visibility.markers_may_hide(
            listing_shows=listed.shows_descriptions
        ):
            return self._as_started(found)
        candidates = self._fitting_not_held(listed.unmarked)
        # The user's decisions were about jobs before this send; its own job is judged anew.
        verdict = self._judge(own, found, candidates, window, NO_DECISIONS, at=window.sent_at)
        return self._as_started(verdict.adopt)

    def _fitting_not_held(self, summaries: list[JobSummary]) -> list[JobSummary]:
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
        """The verdict, with the details of the candidates the rules look at read first (a
        ``POST JobDetails`` each); raises the stop, or the refusal of insisted ids."""
        # Twins first, then what they hold: a twin answered in between is among the held.
        twins = {db.key: self.record.twin_sends("/".join(db.key)) for db in self.request.databases}
        held = self.record.others()
        unmarked: list[UnmarkedJob] = []
        for s in candidates:
            if key_of_job(s) in found or str(s.job_id) in held:
                continue
            if needs_details(s, window=window, decisions=decisions, adoptable=self.adoptable):
                details = self.client.job_general_info(s.job_id)
                unmarked.append(UnmarkedJob(s, details.job_started_from, details.description))
            else:
                unmarked.append(UnmarkedJob(s))
        verdict = judge(
            self.request,
            own,
            unmarked,
            window=window,
            decisions=decisions,
            adoptable=self.adoptable,
            twins=twins,
        )
        base_url = self.client.base_url
        if verdict.refused:
            raise decisions.not_candidates(base_url, verdict.refused, verdict.candidates)
        if verdict.stop is not None:
            raise _stop_error(base_url, self.request, verdict.stop, window)
        return verdict

    def _as_started(self, found: dict[DatabaseKey, JobSummary]) -> dict[DatabaseKey, StartedJob]:
        databases = {db.key: db for db in self.request.databases}
        return {
            key: StartedJob(str(summary.job_id), databases[key], None, adopted=True)
            for key, summary in found.items()
        }


def _client_ids_of(client: CommvaultClient, request: MarkedRequest) -> list[int]:
    """The ids of the request's clients the CommServe knows (``GET Client``, once a client)."""
    known_ids = client.client_ids()
    names = {db.client_name.lower() for db in request.databases}
    return sorted(known_ids[name] for name in names if name in known_ids)


def _stop_error(
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
