"""What both resources' state shares: every input echoed, the job records, and ``history``.

Create, update and read build their outputs with ``outputs_of``, so they cannot drift apart,
and always return the full set (the engine keeps only what they return).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from .commvault.models import JobSummary

#: How many earlier operations ``history`` keeps, newest first.
HISTORY_LIMIT = 20
#: Results that are lists (an output never None once recorded).
_LIST_RESULTS = ("job_ids", "jobs", "history")


def job_status_fields(summary: JobSummary | None) -> dict[str, Any]:
    """A job's status as read; none before it is read (each field is state the engine
    rewrites after every step, so a record of a job not waited for stays small)."""
    if summary is None:
        return {}
    return {
        "status": summary.status,
        "percent_complete": summary.percent_complete,
        "start_time": _iso(summary.job_start_time),
        "end_time": _iso(summary.job_end_time),
        "backup_level": summary.backup_level_name or None,
        "size_bytes": summary.size_of_application,
        "media_size_bytes": summary.size_of_media_on_disk,
    }


def recorded_results(outs: dict[str, Any], keys: Collection[str]) -> dict[str, Any]:
    """The results recorded in earlier outputs (an update that runs no job keeps them)."""
    return {k: list(outs.get(k) or []) if k in _LIST_RESULTS else outs.get(k) for k in keys}


def outputs_of(
    inputs: dict[str, Any], input_names: Collection[str], results: dict[str, Any]
) -> dict[str, Any]:
    """Every input, echoed, plus the results; the one shape of every operation's outputs."""
    return {
        **{k: v for k, v in inputs.items() if k in input_names},
        **results,
        "history": list(results["history"])[:HISTORY_LIMIT],
    }


def history_with(previous: dict[str, Any], what: str) -> list[dict[str, Any]]:
    """History after a new job: the previous operation first (its ``what``: the marker of a
    backup, the point of a restore), then what came before it."""
    if not previous.get("job_ids"):
        return list(previous.get("history") or [])
    entry = {
        "task_id": previous.get("task_id"),
        "job_ids": previous.get("job_ids"),
        what: previous.get(what),
        "triggers": previous.get("triggers"),
        "jobs": [
            {k: job.get(k) for k in ("job_id", "status", "end_time")}
            for job in previous.get("jobs") or []
        ],
    }
    return [entry, *(previous.get("history") or [])][:HISTORY_LIMIT]


def _iso(epoch_s: int) -> str | None:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat() if epoch_s else None
