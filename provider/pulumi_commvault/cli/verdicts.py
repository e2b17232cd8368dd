"""What one job's summary means for a runbook: the exit code it earns and why, in words.

Pure rules over a job's summary (no I/O), so they are one parametrized table in the tests.
A backup counts only while it is a restore point (``restores.restorable``): finished well
and not aged; a restore job only needs to have finished well.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..commvault.job_status import JobOutcome, classify, is_success
from ..commvault.models import JobSummary
from ..commvault.restores import restorable
from .exit_codes import Exit


@dataclass(frozen=True)
class Verdict:
    code: Exit
    reason: str


def is_backup(summary: JobSummary) -> bool:
    return (summary.job_type or "backup").strip().lower() == "backup"


def verdict(summary: JobSummary | None) -> Verdict:
    """The exit code one job earns: unknown, failed, no longer restorable, unfinished, or fine."""
    if summary is None:
        return Verdict(Exit.UNKNOWN_JOB, restorable(None)[1])
    outcome = classify(summary.status)
    if outcome is JobOutcome.ACTIVE:
        return Verdict(Exit.TIMED_OUT, f"still running ({summary.status})")
    if not is_success(outcome, accept_completed_with_errors=False):
        reason = f": {summary.pending_reason}" if summary.pending_reason else ""
        return Verdict(Exit.JOB_FAILED, f"ended {summary.status}{reason}")
    if is_backup(summary):
        usable, why = restorable(summary)
        if not usable:
            return Verdict(Exit.NOT_RESTORABLE, why)
    return Verdict(Exit.SUCCESS, "finished well")
