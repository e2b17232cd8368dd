"""One watcher per CommServe per process: every waiting resource's jobs, read together.

Each waiter registers its jobs and sleeps. A single thread reads, each round, the involved
clients' jobs in one ``POST Jobs`` listing (active ones, and those that ended since the last
round), plus one ``GET Job`` for a job that listing does not show (or for the only job
waited for), and wakes the waiters whose jobs changed. So 50 resources waiting cost what one
does.

Rounds are quick while a job is young and then back off to a cap that grows with the
job's elapsed time (``Pacing``); never more than one round per ``min_round_gap_s``, and, with
``max_reads_per_hour``, no more reads than that budget allows. A 429 postpones the next
round (``Retry-After``) and fails nothing: only a waiter's own timeout ends its wait.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .client import JOB_CATEGORY_ALL, CommvaultClient
from .errors import CommvaultError, NotFoundError, RateLimitedError, WaitTimeoutError
from .job_status import JobOutcome, classify
from .models import JobSummary

log = logging.getLogger("pulumi_commvault")

ProgressCallback = Callable[[JobSummary], None]

#: A job the CommServe does not show after this many rounds is a ``NotFoundError``.
NOT_VISIBLE_ROUNDS = 5
#: How often a waiter looks at its cancel flag while it sleeps.
CANCEL_CHECK_S = 0.25
#: Jobs that ended this long before the previous round are still listed (clock margin).
LOOKUP_MARGIN_S = 60
#: Pages of one round's listing at most; jobs beyond them are read one by one.
MAX_LISTING_PAGES = 5
#: When a 429 gives no ``Retry-After``: wait this long before the next round.
DEFAULT_RATE_LIMIT_PAUSE_S = 30.0


class WaitCancelledError(CommvaultError):
    """The wait was stopped (the engine's Cancel); the jobs keep running in Commvault."""

    def __init__(self, detail: str, *, job_ids: list[str], commserve: str = "") -> None:
        self.job_ids = job_ids
        super().__init__(detail, commserve=commserve, operation="waiting for jobs")


@dataclass(frozen=True)
class Pacing:
    """When the watcher reads.

    A job is read ``first_delays_s`` after it is registered, then every ``short_cap_s`` until
    it has run ``long_after_s``, then every ``long_fraction`` of its elapsed time (at most
    ``max_interval_s``). Rounds are at least ``min_round_gap_s`` apart, and with
    ``max_reads_per_hour`` at least ``reads of the last round x 3600 / max_reads_per_hour``.

    With ``predict_end``, a read comes sooner when the jobs' progress says they will have
    ended by then (``percentComplete`` over the time seen, ``Progress``): for a wait that
    holds something up, such as a resource hook holding the deployment.
    """

    first_delays_s: tuple[float, ...] = (1.0, 2.0, 3.0)
    short_cap_s: float = 4.5
    long_after_s: float = 600.0
    long_fraction: float = 0.02
    max_interval_s: float = 300.0
    min_round_gap_s: float = 3.0
    max_reads_per_hour: int | None = None
    predict_end: bool = False

    def interval(self, reads_done: int, elapsed_s: float) -> float:
        """Seconds from one read of a job to the next."""
        if reads_done < len(self.first_delays_s):
            return self.first_delays_s[reads_done]
        if elapsed_s < self.long_after_s:
            return self.short_cap_s
        return min(self.max_interval_s, max(self.short_cap_s, self.long_fraction * elapsed_s))

    def gap_after(self, reads: int) -> float:
        """The least time between a round that made ``reads`` reads and the next one."""
        budget = 3600.0 * reads / self.max_reads_per_hour if self.max_reads_per_hour else 0.0
        return max(self.min_round_gap_s, budget)


#: A predicted end is read this much later (a fraction of the time left, then seconds):
#: a read just before the end costs another read and at least the round gap.
END_MARGIN = (0.05, 0.1)


@dataclass(frozen=True)
class Progress:
    """A job's ``percentComplete`` at two reads: when it will reach 100, at that pace."""

    first: tuple[float, float]  # (read time, percent) of the first read showing progress
    latest: tuple[float, float]

    def predicted_end(self) -> float | None:
        (t0, p0), (t1, p1) = self.first, self.latest
        if not (p0 < p1 < 100) or t1 <= t0:
            return None
        left = (100 - p1) * (t1 - t0) / (p1 - p0)
        return t1 + left * (1 + END_MARGIN[0]) + END_MARGIN[1]


@dataclass
class _Watch:
    job_ids: list[str]
    client_ids: dict[str, int | None]
    registered: float
    last_read: float
    reads_done: int = 0
    latest: dict[str, JobSummary] = field(default_factory=dict)
    unseen_rounds: dict[str, int] = field(default_factory=dict)
    error: CommvaultError | None = None
    woken: threading.Event = field(default_factory=threading.Event)
    first_progress: dict[str, tuple[float, float]] = field(default_factory=dict)

    def pending(self) -> list[str]:
        return [j for j in self.job_ids if j not in self.latest or not finished(self.latest[j])]

    def due(self, pacing: Pacing) -> float:
        elapsed = max(
            [self.last_read - self.registered]
            + [float(self.latest[j].job_elapsed_time) for j in self.pending() if j in self.latest]
        )
        regular = self.last_read + pacing.interval(self.reads_done, elapsed)
        if not pacing.predict_end:
            return regular
        ends = [self.predicted_end(j) for j in self.pending()]
        known = [end for end in ends if end is not None]
        return min(regular, max(known)) if known and len(known) == len(ends) else regular

    def note_progress(self, job_id: str, summary: JobSummary, read_at: float) -> None:
        if 0 < summary.percent_complete < 100:
            self.first_progress.setdefault(job_id, (read_at, summary.percent_complete))

    def predicted_end(self, job_id: str) -> float | None:
        """When the job will end at the pace seen; the first read alone is measured from the
        registration (the job started just before it)."""
        summary = self.latest.get(job_id)
        if summary is None:
            return None
        latest = (self.last_read, summary.percent_complete)
        first = self.first_progress.get(job_id, latest)
        if first[0] >= self.last_read:
            first = (self.registered, 0.0)
        return Progress(first, latest).predicted_end()


@dataclass
class WatcherStats:
    """What the watcher cost: rounds, reads (listings and single-job reads), 429s met."""

    rounds: int = 0
    listings: int = 0
    job_reads: int = 0
    rate_limited: int = 0

    @property
    def reads(self) -> int:
        return self.listings + self.job_reads


class JobWatcher:
    """Waits for jobs of one CommServe on behalf of every waiter in the process."""

    def __init__(
        self,
        client: CommvaultClient,
        *,
        pacing: Pacing | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.pacing = pacing or Pacing()
        self.stats = WatcherStats()
        self._clock = clock
        self._watches: list[_Watch] = []
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._not_before = 0.0
        self._last_listing: float | None = None

    def wait(
        self,
        job_ids: list[str],
        *,
        timeout_s: float,
        client_ids: dict[str, int | None] | None = None,
        on_progress: ProgressCallback | None = None,
        cancelled: threading.Event | None = None,
    ) -> dict[str, JobSummary]:
        """Until every job in ``job_ids`` has finished: their final summaries, by job id.

        ``client_ids`` maps a job id to its client's id, so the job is read in the shared
        listing (a job without one is read alone). ``on_progress`` is called in the calling
        thread whenever a job's status or whole percent changes. Raises
        ``WaitTimeoutError`` after ``timeout_s``, ``WaitCancelledError`` soon after
        ``cancelled`` is set, ``NotFoundError`` for a job that stays invisible, and the
        ``CommvaultError`` of a failed read (a 429 is waited out, never raised).
        """
        now = self._clock()
        watch = _Watch(
            job_ids=list(job_ids),
            client_ids={j: (client_ids or {}).get(j) for j in job_ids},
            registered=now,
            last_read=now,
        )
        deadline = now + timeout_s
        shown: dict[str, JobSummary] = {}
        self._register(watch)
        try:
            while True:
                with self._changed:
                    latest, error = dict(watch.latest), watch.error
                    watch.woken.clear()
                _report_progress(watch.job_ids, latest, shown, on_progress)
                if error is not None:
                    raise error
                pending = [j for j in watch.job_ids if j not in latest or not finished(latest[j])]
                if not pending:
                    return latest
                if cancelled is not None and cancelled.is_set():
                    raise WaitCancelledError(
                        "the wait was cancelled", job_ids=pending, commserve=self.client.base_url
                    )
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise self._timed_out(watch, latest, pending, timeout_s)
                step = min(remaining, CANCEL_CHECK_S) if cancelled is not None else remaining
                watch.woken.wait(step)
        finally:
            self._unregister(watch)

    def _timed_out(
        self, watch: _Watch, latest: dict[str, JobSummary], pending: list[str], timeout_s: float
    ) -> WaitTimeoutError:
        return WaitTimeoutError(
            f"{len(pending)} of {len(watch.job_ids)} jobs still unfinished after "
            f"{timeout_s:.0f} s: " + ", ".join(describe(j, latest.get(j)) for j in pending),
            job_ids=pending,
            elapsed_s=self._clock() - watch.registered,
            commserve=self.client.base_url,
            operation="waiting for jobs " + ", ".join(watch.job_ids),
        )

    # --- The watcher thread ------------------------------------------------------------

    def _register(self, watch: _Watch) -> None:
        with self._changed:
            self._watches.append(watch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="commvault-job-watcher", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def _unregister(self, watch: _Watch) -> None:
        with self._changed:
            self._watches.remove(watch)
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                watches = [w for w in self._watches if w.error is None and w.pending()]
                if not self._watches:
                    self._thread = None
                    return
                now = self._clock()
                due = max(
                    self._not_before, min((w.due(self.pacing) for w in watches), default=math.inf)
                )
                if due > now:
                    self._changed.wait(min(due - now, 60.0))
                    continue
                wanted = {j: w.client_ids[j] for w in watches for j in w.pending()}
            try:
                self._round(wanted, watches)
            except Exception as exc:  # a bug must fail the waits, not leave them hanging
                log.exception("job watcher round failed")
                failure = CommvaultError(f"polling the jobs failed unexpectedly: {exc!r}")
                with self._changed:
                    for watch in watches:
                        watch.error = failure
                        watch.woken.set()

    def _round(self, wanted: dict[str, int | None], watches: list[_Watch]) -> None:
        started = self._clock()
        reads_before = self.stats.reads
        found: dict[str, JobSummary] = {}
        failure: CommvaultError | None = None
        try:
            found = self._read(wanted)
        except RateLimitedError as exc:
            self.stats.rate_limited += 1
            pause = exc.retry_after_s or DEFAULT_RATE_LIMIT_PAUSE_S
            log.info("the CommServe asks to slow down (429); next job poll in %.0f s", pause)
            with self._changed:
                self._not_before = self._clock() + max(pause, self.pacing.min_round_gap_s)
            return
        except CommvaultError as exc:
            failure = exc
        self.stats.rounds += 1
        with self._changed:
            ended = self._clock()
            self._not_before = ended + self.pacing.gap_after(self.stats.reads - reads_before)
            if failure is None:
                self._last_listing = started
            for watch in watches:
                self._deliver(watch, found, failure, ended)
            self._changed.notify_all()

    def _deliver(
        self,
        watch: _Watch,
        found: dict[str, JobSummary],
        failure: CommvaultError | None,
        now: float,
    ) -> None:
        watch.last_read = now
        watch.reads_done += 1
        if failure is not None:
            watch.error = failure
        for job_id in watch.pending():
            if job_id in found:
                watch.latest[job_id] = found[job_id]
                watch.note_progress(job_id, found[job_id], now)
                continue
            if failure is None and job_id not in watch.latest:
                watch.unseen_rounds[job_id] = watch.unseen_rounds.get(job_id, 0) + 1
                if watch.unseen_rounds[job_id] >= NOT_VISIBLE_ROUNDS:
                    watch.error = NotFoundError(
                        f"job {job_id} is not shown by the CommServe after "
                        f"{NOT_VISIBLE_ROUNDS} polls",
                        commserve=self.client.base_url,
                        operation=f"waiting for job {job_id}",
                    )
        watch.woken.set()

    def _read(self, wanted: dict[str, int | None]) -> dict[str, JobSummary]:
        """The wanted jobs' summaries: one listing of their clients, then single reads.

        A single job is read alone: that costs the same one read, and is exact.
        """
        found: dict[str, JobSummary] = {}
        client_ids = sorted({c for c in wanted.values() if c is not None})
        listed = [j for j, c in wanted.items() if c is not None]
        if client_ids and len(wanted) > 1:
            since = self._last_listing
            lookup = LOOKUP_MARGIN_S + (
                math.ceil(self._clock() - since) if since is not None else 3600
            )
            limit = max(100, 4 * len(listed))
            for page_number in range(MAX_LISTING_PAGES):
                self.stats.listings += 1
                page = self.client.list_jobs(
                    client_ids=client_ids,
                    category=JOB_CATEGORY_ALL,
                    lookup_s=lookup,
                    limit=limit,
                    offset=page_number * limit,
                )
                for summary in page:
                    if str(summary.job_id) in wanted:
                        found[str(summary.job_id)] = summary
                if len(page) < limit or all(j in found for j in listed):
                    break
        for job_id in wanted:
            if job_id not in found:
                self.stats.job_reads += 1
                single = self.client.find_job(job_id)
                if single is not None:
                    found[job_id] = single
        return found


def finished(summary: JobSummary) -> bool:
    return classify(summary.status) is not JobOutcome.ACTIVE


def _changed(before: JobSummary | None, now: JobSummary) -> bool:
    return before is None or (before.status, int(before.percent_complete)) != (
        now.status,
        int(now.percent_complete),
    )


def describe(job_id: str, summary: JobSummary | None) -> str:
    if summary is None:
        return f"job {job_id}: not shown yet"
    reason = f" ({summary.pending_reason})" if summary.pending_reason else ""
    return f"job {job_id}: {summary.status}, {summary.percent_complete:.0f}%{reason}"


def client_ids_of_jobs(
    client: CommvaultClient, jobs: Iterable[tuple[str, str]]
) -> dict[str, int | None]:
    """Each job's client id, from ``(job id, client name)`` pairs (``GET Client``, cached)."""
    known = client.client_ids()
    return {job_id: known.get(name.lower()) for job_id, name in jobs}


def _report_progress(
    job_ids: list[str],
    latest: dict[str, JobSummary],
    shown: dict[str, JobSummary],
    on_progress: ProgressCallback | None,
) -> None:
    """Calls ``on_progress`` for each job whose status or whole percent changed since shown."""
    for job_id in job_ids:
        summary = latest.get(job_id)
        if summary is None:
            continue
        if on_progress and _changed(shown.get(job_id), summary):
            on_progress(summary)
        shown[job_id] = summary
