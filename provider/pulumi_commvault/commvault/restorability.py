"""Whether a job is a restore point now, read the same way everywhere: the refresh freshness
check, the duplicate guard's adoption, the CLI's ``status`` and a restore's pre-checks."""

from __future__ import annotations

from collections.abc import Callable

from .job_status import JobOutcome, classify, is_success
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


def adoption_rule(*, accept_completed_with_errors: bool) -> Callable[[JobSummary], bool]:
    """Whether a job of a request's marker may stand for it: running, or finished well."""

    def may_stand(summary: JobSummary) -> bool:
        outcome = classify(summary.status)
        return outcome is JobOutcome.ACTIVE or is_success(
            outcome, accept_completed_with_errors=accept_completed_with_errors
        )

    return may_stand
