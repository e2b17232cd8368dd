"""``start_once``: a request in, its jobs out, one per database, never two. The I/O around
``rules.judge``: look for the jobs the request started, send for the rest (after a 429 again;
after a failure that may have reached the CommServe, look first, then send if it allows)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .. import errors
from ..client import CommvaultClient
from ..errors import AmbiguousCreateError, CommvaultError, RateLimitedError
from ..journal import NO_JOURNAL, RequestRecord, SendJournal
from ..marking import Database, DatabaseKey, MarkedRequest, StartedJob, key_of_job
from ..models import JobSummary
from ..waiting import job_statuses
from . import rules
from .listing import GuardScope, MarkedJobIndex, listing
from .rules import NO_DECISIONS, JobDecisions, NotReused, OwnJob, Verdict, Window

log = logging.getLogger("pulumi_commvault")

LOOKS_AFTER_AMBIGUOUS_FAILURE = 3
#: How many finished jobs a start beside them names.
PASSED_OVER_SHOWN = 5
Found = dict[DatabaseKey, StartedJob]


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
    """One job per database of ``request``, in its order: adopted (``adoptable``: may a job
    found stand for it), else started. ``exclude``: other requests' jobs."""
    databases = ["/".join(db.key) for db in request.databases]
    record = (journal or NO_JOURNAL).request(client.base_url, request.marker, databases)
    listed = index or MarkedJobIndex()
    search = JobSearch(
        client, request, adoptable, listed, decisions, record, frozenset(exclude), sleep
    )
    jobs = search.before_sending()
    decisions.check_adopted(client.base_url, [j.job_id for j in jobs.values()])
    for j in jobs.values():
        log.info("adopting job %s for %s: already started for this request", j.job_id, j.database)
    for attempt in range(1, client.retry.create_attempts + 1):
        if not (missing := [db for db in request.databases if db.key not in jobs]):
            break
        last = attempt == client.retry.create_attempts
        for key, job in search.send(missing, last=last).items():
            jobs.setdefault(key, job)
    started = [j for j in jobs.values() if not j.adopted]
    search.index.remember(request.tag, [j.job_id for j in started])
    new = ", ".join(j.job_id for j in started)
    if started and (over := search.passed_over):
        shown = [str(s.job_id) for s in over[:PASSED_OVER_SHOWN]]
        more = len(over) - len(shown)
        ids = ", ".join(shown) + (f" and {more} more" if more else "")
        fit = f"finished job {ids} fits" if len(over) == 1 else f"finished jobs {ids} fit"
        search.index.notice(
            f"started job {new} for request {request.marker}; {fit} it too, but no job "
            "descriptions show and this machine has no record of sending it, so they were "
            "assumed to belong to other requests. If an interrupted run on another machine "
            "started one, that one is a restore point as well"
        )
    replaced = {j.database.key for j in started}
    dead = [d for d in search.not_reused if d.database is None or d.database in replaced]
    if started and dead:
        earlier = "; ".join(f"job {d.job_id} ({d.why})" for d in dead)
        search.index.notice(
            f"not reusing this request's earlier {earlier}: no restore point, "
            f"so started job {new} instead"
        )
    if index is not None and started:
        index.visibility.check(client, request, started[0])
    return [jobs[db.key] for db in request.databases]


@dataclass
class JobSearch:
    """One request's look for its jobs (by marker, else by what every summary carries)."""

    client: CommvaultClient
    request: MarkedRequest
    adoptable: Callable[[JobSummary], bool]
    index: MarkedJobIndex
    decisions: JobDecisions
    record: RequestRecord
    exclude: frozenset[str] = frozenset()
    sleep: Callable[[float], None] = time.sleep
    #: Finished jobs that fit the request, taken for other requests' for want of a record.
    passed_over: list[JobSummary] = field(default_factory=list)
    #: The request's own earlier jobs that are no restore point (failed, killed, aged...).
    not_reused: list[NotReused] = field(default_factory=list)

    def before_sending(self) -> Found:
        """From the index and this machine's record of earlier sends, with fresh statuses."""
        if not (client_ids := self._client_ids()):
            return {}
        earlier = self.record.sends()
        sent_at: dict[str, float] = {}
        for send in earlier:  # oldest first: a job's earliest send
            for job_id in (j for j in send.job_ids if j not in self.exclude):
                sent_at.setdefault(job_id, send.sent_at)
        marked = self.index.candidates(self.client, self.request.tag, client_ids)
        own_ids = list(dict.fromkeys([*sent_at, *marked]))
        unrecognised = self._fitting_not_held(self.index.unrecognised())
        if not (wanted := own_ids + [str(s.job_id) for s in unrecognised]):
            return {}
        fresh = job_statuses(self.client, wanted, client_ids=client_ids)
        own = [OwnJob(j, fresh.get(j), sent_at.get(j)) for j in own_ids]
        found, dead = rules.own_jobs(self.request, own, self.adoptable)
        if len(found) == len(self.request.databases) or not unrecognised:
            self.not_reused = [d for d in dead if d.database not in found]
            return self._as_started(found)
        unanswered = [s for s in earlier if not s.answered]
        window = Window.spanning(unanswered) if unanswered else None
        candidates = [fresh[str(s.job_id)] for s in unrecognised if str(s.job_id) in fresh]
        verdict = self._judge(own, candidates, window)
        self.passed_over, self.not_reused = verdict.passed_over, verdict.not_reused
        return self._as_started(verdict.adopt)

    def after_lost_answer(self, window: Window) -> Found:
        """After a send that may have started a job: a fresh listing of the clients' jobs."""
        if not (client_ids := self._client_ids()):
            return {}
        # First a twin's send in flight: its job is then listed, and its answer says whose.
        self.record.wait_for_twins(self.client.timeouts.connect_s + self.client.timeouts.read_s)
        listed = listing(self.client, client_ids, GuardScope())
        ours = set(listed.by_tag.get(self.request.tag, []))
        own = [OwnJob(str(s.job_id), s) for s in listed.marked if str(s.job_id) in ours]
        found, _ = rules.own_jobs(self.request, own, self.adoptable)
        may_hide = self.index.visibility.markers_may_hide(listing_shows=listed.shows_descriptions)
        if len(found) == len(self.request.databases) or not may_hide:
            return self._as_started(found)
        candidates = self._fitting_not_held(listed.unmarked)
        verdict = self._judge(own, candidates, window, at=window.sent_at)
        return self._as_started(verdict.adopt)

    def _judge(
        self, own: list[OwnJob], candidates: list[JobSummary], window: Window | None, at: float = 0
    ) -> Verdict:
        """The rules' verdict over the candidates' details, raising a stop; what it recognises
        is claimed in the record. After a send (``at``), the user's decisions do not count."""
        decisions = NO_DECISIONS if at else self.decisions
        found, _ = rules.own_jobs(self.request, own, self.adoptable)
        while True:
            # Twins first, then what they hold: a twin answered in between is among the held.
            twins = {
                db.key: self.record.twin_sends("/".join(db.key)) for db in self.request.databases
            }
            held = self.record.others()
            unmarked = [
                self._with_details(s, window, decisions)
                for s in candidates
                if key_of_job(s) not in found and str(s.job_id) not in held
            ]
            verdict = rules.judge(
                self.request, own, unmarked, window, decisions, self.adoptable, twins
            )
            base_url = self.client.base_url
            if verdict.refused:
                raise decisions.not_candidates(base_url, verdict.refused, verdict.candidates)
            if verdict.stop is not None:
                raise verdict.stop.error(base_url, self.request.marker, window)
            if not (recognised := [s for key, s in verdict.adopt.items() if key not in found]):
                return verdict
            starts = [s.job_start_time for s in recognised if s.job_start_time]
            when = at or min(starts, default=time.time())
            if not (taken := self.record.claim(when, [str(s.job_id) for s in recognised])):
                return verdict
            candidates = [s for s in candidates if str(s.job_id) not in taken]

    def _with_details(
        self, summary: JobSummary, window: Window | None, decisions: JobDecisions
    ) -> rules.UnmarkedJob:
        if not rules.needs_details(summary, window, decisions, self.adoptable):
            return rules.UnmarkedJob(summary)
        details = self.client.job_general_info(summary.job_id)
        return rules.UnmarkedJob(summary, details.job_started_from, details.description)

    def _fitting_not_held(self, summaries: list[JobSummary]) -> list[JobSummary]:
        if not summaries:
            return []
        user, others = self.client.user_name(), self.exclude | self.record.others()
        fit = [s for s in summaries if rules.fits(self.request, s, user)]
        return [s for s in fit if str(s.job_id) not in others]

    def _client_ids(self) -> list[int]:
        """The ids of the request's clients the CommServe knows (``GET Client``, once each)."""
        known = self.client.client_ids()
        names = {db.client_name.lower() for db in self.request.databases}
        return sorted(known[name] for name in names if name in known)

    def _as_started(self, found: dict[DatabaseKey, JobSummary]) -> Found:
        db = {d.key: d for d in self.request.databases}
        return {k: StartedJob(str(s.job_id), db[k], None, adopted=True) for k, s in found.items()}

    def send(self, missing: list[Database], *, last: bool) -> Found:
        """One send for the ``missing`` databases: the jobs it started or was found to start."""
        client, record = self.client, self.record
        sent_at = time.time()
        record.record_send(sent_at, timeout_s=client.timeouts.connect_s + client.timeouts.read_s)
        try:
            answer = client.create_task(self.request.create_task_request(missing))
        except RateLimitedError as exc:
            record.forget_send(sent_at)
            if last:
                raise
            self.sleep(min(exc.retry_after_s or client.retry.backoff_max_s, 60.0))
            return {}
        except AmbiguousCreateError as exc:
            record.record_send_end(sent_at)  # now ends its window, even if looking fails
            found = self._look_after(exc, Window(sent_at=sent_at, failed_at=time.time()))
            if found:
                record.record_send_end(sent_at, [j.job_id for j in found.values()])
            still = [db for db in missing if db.key not in found]
            if still and (last or not exc.resend_allowed):
                raise exc.after_looking(
                    f"no job marked {self.request.tag} was found for " + ", ".join(map(str, still))
                ) from None
            if still:
                log.info("no job was started by the lost request; sending it again")
            return found
        except CommvaultError:
            record.forget_send(sent_at)
            raise
        record.record_send_end(sent_at, answer.job_ids)
        if len(answer.job_ids) != len(missing):
            raise errors.UnexpectedAnswerError(
                f"CreateTask answered {len(answer.job_ids)} job ids for {len(missing)} databases",
                commserve=client.base_url,
                operation="POST CreateTask",
            )
        return {
            db.key: StartedJob(job_id, db, answer.task_id, adopted=False)
            for db, job_id in zip(missing, answer.job_ids, strict=True)
        }

    def _look_after(self, failure: AmbiguousCreateError, window: Window) -> Found:
        """Look a few times: a job a lost request started may take a moment to be listed."""
        found: Found = {}
        try:
            for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
                if look:
                    self.sleep(self.client.retry.backoff_factor_s * 2**look)
                if found := self.after_lost_answer(window):
                    return found
        except errors.UnrecognisedJobsError:
            raise
        except CommvaultError as lookup_failure:
            raise failure.after_looking(
                f"looking for the job it may have started failed too ({lookup_failure})"
            ) from None
        return found
