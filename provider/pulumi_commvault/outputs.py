"""The state an ``OracleBackupTrigger`` keeps: its inputs, its task and jobs, and history.

Create, update and read all build outputs here, so they cannot drift apart, and always
return the full set (the engine keeps only what they return).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .backups import StartedJob
from .inputs import ALL_INPUTS
from .models import JobSummary

HISTORY_LIMIT = 20
RESULT_KEYS = ("task_id", "job_ids", "jobs", "request_marker", "history")


def job_record(started: StartedJob, summary: JobSummary | None) -> dict[str, Any]:
    """What the state records of one job; the status fields once the job has been read."""
    record: dict[str, Any] = {
        "job_id": started.job_id,
        "task_id": None if started.task_id is None else str(started.task_id),
        "client_name": started.database.client_name,
        "instance_name": started.database.instance_name,
        "subclient_name": started.database.subclient_name,
        "adopted": started.adopted,
    }
    return {**record, **job_status_fields(summary)}


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


def refreshed(record: dict[str, Any], summary: JobSummary | None) -> dict[str, Any]:
    """A stored job record with the status read now (unchanged when the job is not shown)."""
    return record if summary is None else {**record, **job_status_fields(summary)}


def build_outputs(
    inputs: dict[str, Any],
    *,
    task_id: str | None,
    jobs: list[dict[str, Any]],
    marker: str,
    history: list[dict[str, Any]],
) -> dict[str, Any]:
    """Every input, echoed, plus what the backup produced."""
    return {
        **{k: v for k, v in inputs.items() if k in ALL_INPUTS},
        "task_id": task_id,
        "job_ids": [job["job_id"] for job in jobs],
        "jobs": jobs,
        "request_marker": marker,
        "history": history[:HISTORY_LIMIT],
    }


def results_of(outs: dict[str, Any]) -> dict[str, Any]:
    """The non-input part of earlier outputs, to carry over an update that takes no backup."""
    return {k: outs.get(k) for k in RESULT_KEYS}


def history_with(previous: dict[str, Any]) -> list[dict[str, Any]]:
    """History after a new backup: the previous backup first, then what came before it."""
    if not previous.get("job_ids"):
        return list(previous.get("history") or [])
    entry = {
        "task_id": previous.get("task_id"),
        "job_ids": previous.get("job_ids"),
        "request_marker": previous.get("request_marker"),
        "triggers": previous.get("triggers"),
        "jobs": [
            {k: job.get(k) for k in ("job_id", "status", "end_time")}
            for job in previous.get("jobs") or []
        ],
    }
    return [entry, *(previous.get("history") or [])][:HISTORY_LIMIT]


def task_id_of(jobs: list[StartedJob]) -> str | None:
    """The task that started the newest jobs, as a string like the job ids; None if adopted."""
    ids = [job.task_id for job in jobs if job.task_id is not None]
    return str(ids[-1]) if ids else None


def _iso(epoch_s: int) -> str | None:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat() if epoch_s else None
