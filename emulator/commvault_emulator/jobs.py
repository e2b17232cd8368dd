"""A backup job's life, computed from the clock: no background thread moves it on.

A job waits for every job that was still active on its subclient when it was created
(status ``Pending``), then spends about 10% of its duration (at most 1 s) ``Waiting``, then
``Running`` with ``percentComplete`` rising, and ends with its planned outcome once it has
been active for its full duration. Time spent ``Suspended`` (pause) does not count. A kill
ends it at once as ``Killed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMPLETED = "Completed"
COMPLETED_WITH_ERRORS = "Completed w/ one or more errors"
FAILED = "Failed"
KILLED = "Killed"
OUTCOMES = (COMPLETED, FAILED, COMPLETED_WITH_ERRORS, KILLED)
PENDING = "Pending"
WAITING = "Waiting"
RUNNING = "Running"
SUSPENDED = "Suspended"

PHASE = "Backup"
MAX_WAITING_S = 1.0

# UNCERTAIN: the texts a real CommServe gives are not documented; these are plausible.
FAILURE_REASONS = {
    FAILED: "Error Code: [18:124] Description: RMAN script execution failed with error "
    "ORA-19511: non RMAN, but media manager or vendor specific failure (emulated).",
    COMPLETED_WITH_ERRORS: "Error Code: [18:136] Description: One or more archive logs "
    "could not be backed up (emulated).",
    KILLED: "The job was killed by the CommServe emulator (planned outcome).",
}
KILLED_BY_USER = "The job was killed by user [{user}]."


def _failure_reason(job: Job, status: str) -> str:
    """The reason an ended job shows: a failed one names the RMAN error chosen for it."""
    if status == FAILED and job.rman_error:
        return (
            "Error Code: [18:124] Description: RMAN script execution failed with error "
            f"{job.rman_error.splitlines()[0]} (emulated)."
        )
    return FAILURE_REASONS.get(status, "")


def canonical_outcome(value: Any) -> str:
    """The outcome spelled as Commvault spells it; raises ``ValueError`` for anything else."""
    if isinstance(value, str):
        for outcome in OUTCOMES:
            if value.strip().casefold() == outcome.casefold():
                return outcome
    raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}; got {value!r}")


@dataclass
class Pause:
    start: float
    end: float | None = None


@dataclass(slots=True)
class Job:
    job_id: int
    task_id: int
    entity: dict[str, Any]
    subclient_id: int
    backup_level: str
    cumulative: bool
    description: str
    notify: bool
    user_name: str
    created: float
    seconds: float
    outcome: str
    waits_for: list[Job] = field(default_factory=list, repr=False)
    pauses: list[Pause] = field(default_factory=list)
    killed_at: float | None = None
    killed_by: str = ""
    hidden_polls: int = 0
    """``GET Job/{id}`` answers ``totalRecordsWithoutPaging: 0`` this many more times."""
    ended_at: float | None = None
    """Set once the job is known to have ended; never changes afterwards."""
    aged: bool = False
    """Its data has aged out of retention (data aging in a history, or the control plane's
    ``jobs/age``): no restore point; listings leave it out unless ``showAgedJobs``."""
    reason: str = ""
    """The failure reason to show once ended, instead of the emulator's default one."""
    initiated_from: str = ""
    rman_error: str = ""
    """The ORA-/RMAN- error its RMAN log ends with if it fails (the control plane's choice)."""

    @property
    def waiting_s(self) -> float:
        return min(0.1 * self.seconds, MAX_WAITING_S)


@dataclass(frozen=True)
class Snapshot:
    """What a job looks like at one instant."""

    status: str
    percent: int
    started: float | None
    ended: float | None
    elapsed_active_s: float
    pending_reason: str
    phase: str
    last_update: float

    @property
    def finished(self) -> bool:
        return self.ended is not None


def active_start(job: Job) -> float | None:
    """When the job could start: at creation, or when the last job it waits for ended."""
    if not job.waits_for:
        return job.created
    ends = [other.ended_at for other in job.waits_for]
    if any(end is None for end in ends):
        return None
    return max([job.created, *[end for end in ends if end is not None]])


def _paused_within(job: Job, start: float, until: float) -> float:
    total = 0.0
    for pause in job.pauses:
        end = until if pause.end is None else min(pause.end, until)
        total += max(0.0, end - max(pause.start, start))
    return total


def active_elapsed(job: Job, at: float) -> float:
    start = active_start(job)
    if start is None or at <= start:
        return 0.0
    return max(0.0, (at - start) - _paused_within(job, start, at))


def settle(job: Job, now: float) -> None:
    """Record ``ended_at`` if the job has ended by ``now``.

    The jobs it waits for must be settled first (they have lower ids: settle in id order).
    """
    if job.ended_at is not None:
        return
    if job.killed_at is not None:
        job.ended_at = job.killed_at
        return
    start = active_start(job)
    if start is None or any(pause.end is None for pause in job.pauses):
        return
    end = start + job.seconds + _paused_within(job, start, float("inf"))
    if end <= now:
        job.ended_at = end


def _percent(job: Job, at: float) -> int:
    if job.seconds <= 0:
        return 100
    return int(100 * min(1.0, active_elapsed(job, at) / job.seconds))


def snapshot(job: Job, now: float, blocking_job_id: int | None) -> Snapshot:
    """The job's status at ``now``; ``blocking_job_id`` names the job it is queued behind."""
    start = active_start(job)
    if job.ended_at is not None:
        status = KILLED if job.killed_at is not None else job.outcome
        reason = KILLED_BY_USER.format(user=job.killed_by) if job.killed_at is not None else ""
        reason = reason or job.reason or _failure_reason(job, status)
        percent = 100 if status.startswith(COMPLETED) else min(99, _percent(job, job.ended_at))
        phase = PHASE if start is not None and job.ended_at > start else ""
        return Snapshot(
            status,
            percent,
            start,
            job.ended_at,
            active_elapsed(job, job.ended_at),
            reason,
            phase,
            job.ended_at,
        )
    open_pause = next((p.start for p in job.pauses if p.end is None), None)
    if open_pause is not None:
        return Snapshot(
            SUSPENDED,
            min(99, _percent(job, now)),
            start,
            None,
            active_elapsed(job, now),
            "The job was suspended by a user.",
            PHASE if start is not None else "",
            open_pause,
        )
    if start is None:
        reason = (
            f"The job is queued: job [{blocking_job_id}] is already running on the same "
            "subclient."  # UNCERTAIN: wording of Commvault's pending reason.
        )
        return Snapshot(PENDING, 0, None, None, 0.0, reason, "", job.created)
    elapsed = active_elapsed(job, now)
    if elapsed < job.waiting_s:
        return Snapshot(WAITING, 0, start, None, elapsed, "", PHASE, now)
    percent = max(1, min(99, _percent(job, now)))
    return Snapshot(RUNNING, percent, start, None, elapsed, "", PHASE, now)
