"""Everything the emulator remembers, behind one lock.

Inventory, tokens, jobs, job plans (how long the next jobs take and how they end), faults
and the request log. Handlers call ``State`` methods; each method takes the lock itself,
or the caller holds ``state.lock`` around several calls.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commvault_emulator.createtask import BackupRequest, CreateTaskError
from commvault_emulator.faults import Fault, FaultTable
from commvault_emulator.history import history_clients, history_jobs
from commvault_emulator.inventory import Inventory, Target
from commvault_emulator.inventory_file import default_inventory
from commvault_emulator.joblist import JobQuery, to_filter
from commvault_emulator.jobs import COMPLETED, Job, Pause, Snapshot, snapshot
from commvault_emulator.jobstore import JobStore
from commvault_emulator.ratelimit import RateLimiter, RateLimitPolicy, Refusal
from commvault_emulator.tokens import TokenStore

FIRST_JOB_ID = 3400891
FIRST_TASK_ID = 58798
IDS_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z
IDS_PER_SECOND = 10
BUSY_QUEUE = "queue"
BUSY_REJECT = "reject"
ERR_BUSY = 2  # UNCERTAIN: one third-party integration reads errorCode 2 as "already running"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "demo-Pa55word"  # noqa: S105 - the documented demo password


@dataclass
class Settings:
    """The command-line choices; ``reset`` returns to them."""

    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD
    token: str | None = None
    job_seconds: float = 3.0
    job_outcome: str = COMPLETED
    latency_ms: float = 0.0
    token_ttl_seconds: float = 1800.0
    busy_subclient: str = BUSY_QUEUE
    inventory: Inventory = field(default_factory=default_inventory)
    history_jobs: int = 0
    history_clients: int = 0
    rate_limit: RateLimitPolicy | None = None
    omit_job_description: bool = False
    omit_details_description: bool = False
    first_job_id: int = FIRST_JOB_ID
    first_task_id: int = FIRST_TASK_ID


def ids_after_clock(now: float) -> tuple[int, int]:
    """First job and task ids above any an earlier run handed out (at up to ten a second).

    A CommServe never reuses a job id; an emulator restarted under a stack that recorded
    its jobs must not either, or a refresh would read someone else's job as the restore point.
    """
    step = max(0, int((now - IDS_EPOCH) * IDS_PER_SECOND))
    return FIRST_JOB_ID + step, FIRST_TASK_ID + step


@dataclass
class PlanOverride:
    """Seconds and/or outcome for some jobs; a missing field falls through to the next rule."""

    seconds: float | None = None
    outcome: str | None = None
    hidden_polls: int = 0
    """``GET Job/{id}`` finds the job only after this many polls (next jobs only)."""
    error: str | None = None
    """The ORA-/RMAN- error the job's RMAN log ends with when it fails or is killed."""


@dataclass
class RequestRecord:
    seq: int
    time: float
    method: str
    path: str
    endpoint: str
    status: int
    fault: str | None
    job_ids: list[str] | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class JobError(Exception):
    """A job action that cannot be done (unknown job, already finished, ...)."""


class State:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.settings = settings
        self.clock = clock
        self.tokens = TokenStore(settings.token, settings.username, settings.token_ttl_seconds)
        self._next_job_id = settings.first_job_id
        self._next_task_id = settings.first_task_id
        self._next_seq = 1
        self._history_clients = history_clients(settings.history_clients, settings.inventory)
        self.reset()

    def reset(self) -> None:
        """Back to the start: inventory, no jobs, faults, log or sessions; ids keep rising."""
        with self.lock:
            inventory = self.settings.inventory.copy()
            self.inventory = Inventory(inventory.clients + self._history_clients)
            self.jobs = JobStore()
            count = self.settings.history_jobs
            self.jobs.load(
                history_jobs(
                    count,
                    self._history_clients,
                    self.clock(),
                    self.settings.first_job_id - count,
                    1,
                )
            )
            self.faults = FaultTable()
            self.rate_limiter = RateLimiter(self.settings.rate_limit)
            self.log: list[RequestRecord] = []
            self.tokens.reset()
            self.defaults = PlanOverride(self.settings.job_seconds, self.settings.job_outcome)
            self.busy_subclient = self.settings.busy_subclient
            self.omit_job_description = self.settings.omit_job_description
            self.omit_details_description = self.settings.omit_details_description
            self.next_plans: list[PlanOverride] = []
            self.subclient_plans: dict[int, PlanOverride] = {}

    # Jobs -------------------------------------------------------------------------------

    def _plan_for(self, target: Target) -> PlanOverride:
        return self._plan_for_subclient(target.subclient.id)

    def _plan_for_subclient(self, subclient_id: int) -> PlanOverride:
        layers = [self.subclient_plans.get(subclient_id), self.defaults]
        hidden_polls = 0
        if self.next_plans:
            layers.insert(0, self.next_plans[0])
            hidden_polls = self.next_plans.pop(0).hidden_polls
        seconds = next(p.seconds for p in layers if p is not None and p.seconds is not None)
        outcome = next(p.outcome for p in layers if p is not None and p.outcome is not None)
        error = next((p.error for p in layers if p is not None and p.error), None)
        return PlanOverride(seconds, outcome, hidden_polls, error)

    def create_jobs(self, request: BackupRequest, user: str) -> tuple[int, list[int]]:
        """Start one job per target; returns (task id, job ids)."""
        with self.lock:
            now = self.clock()
            self.refresh(now)
            if self.busy_subclient == BUSY_REJECT:
                self._refuse_busy(request.targets)
            task_id = self._next_task_id
            self._next_task_id += 1
            job_ids = []
            for target in request.targets:
                plan = self._plan_for(target)
                job = Job(
                    job_id=self._next_job_id,
                    task_id=task_id,
                    entity=target.entity(),
                    subclient_id=target.subclient.id,
                    backup_level=request.level,
                    cumulative=request.cumulative,
                    description=request.description,
                    notify=request.notify,
                    user_name=user,
                    created=now,
                    seconds=plan.seconds or 0.0,
                    outcome=plan.outcome or COMPLETED,
                    waits_for=self.active_jobs_on(target.subclient.id),
                    hidden_polls=plan.hidden_polls,
                    initiated_from=request.initiated_from,
                    rman_error=plan.error or "",
                )
                self._next_job_id += 1
                self.jobs.add(job)
                job_ids.append(job.job_id)
            return task_id, job_ids

    def _refuse_busy(self, targets: list[Target]) -> None:
        for target in targets:
            if active := self.active_jobs_on(target.subclient.id):
                raise CreateTaskError(
                    ERR_BUSY,
                    f"A backup job [{active[-1].job_id}] is already running for subclient "
                    f"[{target.subclient.name}] of client [{target.client.name}].",
                )

    def active_jobs_on(self, subclient_id: int) -> list[Job]:
        return self.jobs.active_on(subclient_id)

    def refresh(self, now: float) -> None:
        """Settle every job that has ended by ``now`` (queues resolve forward)."""
        with self.lock:
            self.jobs.refresh(now)

    def view(self, job: Job, now: float) -> Snapshot:
        blocker = next((j.job_id for j in job.waits_for if j.ended_at is None), None)
        return snapshot(job, now, blocker)

    def job_views(self) -> tuple[float, list[tuple[Job, Snapshot]]]:
        """Every job with its current snapshot, oldest first (scans: the control plane's)."""
        with self.lock:
            now = self.clock()
            self.refresh(now)
            return now, [(job, self.view(job, now)) for job in self.jobs.all_jobs()]

    def list_jobs(self, query: JobQuery) -> tuple[float, int, list[tuple[Job, Snapshot]]]:
        """(now, how many jobs match, the page) for a job listing, from the indexes."""
        with self.lock:
            now = self.clock()
            self.refresh(now)
            found = to_filter(query, self.jobs, now)
            if found is None:
                return now, 0, []
            total, page = self.jobs.select(found)
            return now, total, [(job, self.view(job, now)) for job in page]

    def job_view(self, job_id: int) -> tuple[float, Job, Snapshot] | None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            now = self.clock()
            self.refresh(now)
            return now, job, self.view(job, now)

    def poll_job(self, job_id: int) -> tuple[float, Job, Snapshot] | None:
        """``job_view`` for ``GET Job/{id}``: None while the job is still hidden."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is not None and job.hidden_polls > 0:
                job.hidden_polls -= 1
                return None
            return self.job_view(job_id)

    def ended_backups(
        self, client_id: int, instance_id: int, since: float
    ) -> tuple[float, list[tuple[Job, Snapshot]]]:
        """(now, the instance's backup jobs that ended at or after ``since``, oldest first)."""
        with self.lock:
            now = self.clock()
            self.refresh(now)
            found = [
                (job, self.view(job, now))
                for job in self.jobs.ended_on_client(client_id, since)
                if job.entity.get("instanceId") == instance_id and job.backup_level
            ]
            return now, found

    def last_backup_time(self, subclient_id: int) -> int:
        """When the subclient's latest backup that completed ended (epoch s), 0 if none."""
        with self.lock:
            self.refresh(self.clock())
            for job in self.jobs.ended_on_subclient(subclient_id):
                if job.killed_at is None and job.outcome.startswith(COMPLETED):
                    return int(job.ended_at or 0)
            return 0

    def resubmit(self, job_id: int, user: str) -> tuple[int, int]:
        """Start a finished job again, as a new job of a new task: (task id, job id)."""
        with self.lock:
            found = self.job_view(job_id)
            if found is None:
                raise JobError(f"Job [{job_id}] does not exist.")
            now, job, snap = found
            if not snap.finished:
                raise JobError(f"Job [{job_id}] is still running: it cannot be resubmitted.")
            plan = self._plan_for_subclient(job.subclient_id)
            again = dataclasses.replace(
                job,
                job_id=self._next_job_id,
                task_id=self._next_task_id,
                created=now,
                seconds=plan.seconds or 0.0,
                outcome=plan.outcome or COMPLETED,
                waits_for=self.active_jobs_on(job.subclient_id),
                pauses=[],
                killed_at=None,
                killed_by="",
                hidden_polls=0,
                ended_at=None,
                aged=False,
                reason="",
                rman_error=plan.error or "",
                user_name=user,
            )
            self._next_job_id += 1
            self._next_task_id += 1
            self.jobs.add(again)
            return again.task_id, again.job_id

    def forget_job(self, job_id: int) -> bool:
        """Remove a job as if the CommServe had aged it away; jobs queued behind it go on."""
        with self.lock:
            job = self.jobs.remove(job_id)
            if job is not None and job.ended_at is None:
                job.ended_at = self.clock()
            return job is not None

    def job_action(self, job_id: int, action: str, user: str) -> None:
        """Kill, pause or resume a job; raises ``JobError`` saying why it cannot."""
        with self.lock:
            found = self.job_view(job_id)
            if found is None:
                raise JobError(f"Job [{job_id}] does not exist.")
            now, job, snap = found
            if snap.finished:
                raise JobError(f"Job [{job_id}] has already finished with status [{snap.status}].")
            suspended = any(p.end is None for p in job.pauses)
            if action == "kill":
                if suspended:
                    job.pauses[-1].end = now
                job.killed_at, job.killed_by, job.ended_at = now, user, now
                self.jobs.ended(job)
            elif action == "pause":
                if suspended:
                    raise JobError(f"Job [{job_id}] is already suspended.")
                job.pauses.append(Pause(now))
                self.jobs.paused(job)
            elif action == "resume":
                if not suspended:
                    raise JobError(f"Job [{job_id}] is not suspended: it is [{snap.status}].")
                job.pauses[-1].end = now
            else:
                raise JobError(f"Unsupported job action [{action}].")

    # Faults and the request log -----------------------------------------------------------

    def rate_limited(self, kind: str) -> Refusal | None:
        """Count one API call against the tenant's budget; why it is refused, if it is."""
        with self.lock:
            return self.rate_limiter.take(kind, self.clock())

    def take_fault(self, method: str, rel_path: str) -> Fault | None:
        with self.lock:
            return self.faults.take(method, rel_path)

    def record(self, **fields: Any) -> None:
        """Append one API request to the log (never a token, password or auth header)."""
        with self.lock:
            self.log.append(RequestRecord(seq=self._next_seq, **fields))
            self._next_seq += 1

    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [record.to_dict() for record in self.log]
