"""Commvault job statuses and the sets a waiter needs: still going, succeeded, or not."""

from __future__ import annotations

import enum


class JobOutcome(enum.Enum):
    """Where a job stands, as far as a restore point is concerned."""

    ACTIVE = "active"
    SUCCEEDED = "succeeded"
    COMPLETED_WITH_ERRORS = "completed with errors"
    FAILED = "failed"


ACTIVE_STATUSES = frozenset(
    {
        "waiting",
        "pending",
        "queued",
        "running",
        "suspended",
        "kill pending",
        "interrupt pending",
        "suspend pending",
        "system kill pending",
    }
)
SUCCEEDED_STATUSES = frozenset({"completed", "completed w/ one or more warnings"})
COMPLETED_WITH_ERRORS_STATUSES = frozenset({"completed w/ one or more errors"})
FAILED_STATUSES = frozenset({"failed", "failed to start", "killed", "committed"})


def classify(status: str) -> JobOutcome:
    """Classify a status string from ``jobSummary.status``, in any case.

    Statuses Commvault may add later are judged the way cvpysdk judges them: a status naming
    completed, killed, committed or failed is final; anything else is still going.
    """
    key = status.strip().lower()
    if key in ACTIVE_STATUSES:
        return JobOutcome.ACTIVE
    if key in SUCCEEDED_STATUSES:
        return JobOutcome.SUCCEEDED
    if key in COMPLETED_WITH_ERRORS_STATUSES:
        return JobOutcome.COMPLETED_WITH_ERRORS
    if key in FAILED_STATUSES or "failed" in key or "killed" in key:
        return JobOutcome.FAILED
    if "completed" in key:
        return JobOutcome.COMPLETED_WITH_ERRORS if "error" in key else JobOutcome.SUCCEEDED
    return JobOutcome.ACTIVE


def is_success(outcome: JobOutcome, *, accept_completed_with_errors: bool) -> bool:
    """Whether a finished job gives a restore point under the caller's rule."""
    if outcome is JobOutcome.SUCCEEDED:
        return True
    return outcome is JobOutcome.COMPLETED_WITH_ERRORS and accept_completed_with_errors
