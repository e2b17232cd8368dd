"""How one request looks for the jobs it may already have started: before its first send
(the listing and this machine's record) and after a send whose answer was lost; the rules
(``rules.judge``) decide, this module reads what they need."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from ..client import CommvaultClient
from ..journal import NO_JOURNAL, RequestRecord, SendJournal
from ..marking import (
    DatabaseKey,
    MarkedRequest,
    StartedJob,
    database_name,
    key_of_job,
)
from ..models import JobSummary
from ..recognition import stop_error, with_details
from ..waiting import job_statuses
from .listing import GuardScope, Listing, MarkedJobIndex, recent_jobs
from .rules import (
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

log = logging.getLogger("pulumi_commvault")


class JobSearch:
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

    def before_sending(self) -> dict[DatabaseKey, StartedJob]:
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
        """The rules' verdict, with the details of the candidates they look at read first;
        raises the stop (or the refusal of ids the user insisted on) rather than guess."""
        # Twins first, then what they hold: a twin answered in between is among the held.
        twins = {
            db.key: self.record.twin_sends(database_name(db.key)) for db in self.request.databases
        }
        held = self.record.others()
        still_open = [
            s for s in candidates if key_of_job(s) not in found and str(s.job_id) not in held
        ]
        unmarked = with_details(
            self.client, still_open, window=window, decisions=decisions, adoptable=self.adoptable
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


def _client_ids_of(client: CommvaultClient, request: MarkedRequest) -> list[int]:
    """The ids of the request's clients the CommServe knows (``GET Client``, once a client)."""
    known_ids = client.client_ids()
    names = {db.client_name.lower() for db in request.databases}
    return sorted(known_ids[name] for name in names if name in known_ids)
