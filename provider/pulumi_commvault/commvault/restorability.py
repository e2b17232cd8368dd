"""Whether a job is a restore point now, read the same way everywhere: the refresh freshness
check, the duplicate guard's adoption, the CLI's ``status`` and a restore's pre-checks."""

from __future__ import annotations

from .job_status import JobOutcome, classify
from .models import JobSummary


def restorable(summary: JobSummary | None) -> tuple[bool, str]:
    """Whether a backup job is a restore point now, and why (in words a user reads)."""
    if summary is None:
        return False, "unknown to the CommServe (pruned or never existed)"
    if summary.is_aged:
        return False, "aged out of retention"
    outcome = classify(summary.status)
    if outcome is JobOutcome.SUCCEEDED:
        return True, "finished well"
    if outcome is JobOutcome.ACTIVE:
        return False, f"still running ({summary.status})"
    return False, f"failed ({summary.status})"


def why_not_live(summary: JobSummary | None, *, accept_completed_with_errors: bool) -> str | None:
    """None when a job may stand for a request: running or queued, or finished well (with
    errors only where the request accepts that) and not aged or pruned; else why not."""
    usable, why = restorable(summary)
    if usable or summary is None or summary.is_aged:
        return None if usable else why
    outcome = classify(summary.status)
    if outcome is JobOutcome.ACTIVE:
        return None
    if outcome is JobOutcome.COMPLETED_WITH_ERRORS:
        if accept_completed_with_errors:
            return None
        return f"{summary.status}, which this request does not accept"
    return why
