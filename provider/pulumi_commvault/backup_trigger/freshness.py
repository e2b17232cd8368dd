"""Whether the backups an ``OracleBackupTrigger`` recorded are still restore points.

``pulumi refresh`` reads each recorded job and marks it ``restorable`` with a reason
(finished well, aged out of retention, unknown to the CommServe, failed, still running);
a restore point that is gone gets a warning. Refresh never starts a backup or drops the
resource.
"""

from __future__ import annotations

from typing import Any

from ..commvault.models import JobSummary
from ..commvault.restores import restorable


def with_freshness(record: dict[str, Any], summary: JobSummary | None) -> dict[str, Any]:
    """A job record with ``restorable`` and ``restorable_reason`` as read now."""
    usable, reason = restorable(summary)
    return {**record, "restorable": usable, "restorable_reason": reason}


def lost_restore_points(records: list[dict[str, Any]]) -> list[str]:
    """One line per recorded job that is no restore point (a job still running is not lost)."""
    return [
        f"backup job {r.get('job_id')} of {r.get('client_name')}/{r.get('instance_name')} is "
        f"no longer restorable: {r.get('restorable_reason')}"
        for r in records
        if r.get("restorable") is False
        and not str(r.get("restorable_reason", "")).startswith("still running")
    ]
