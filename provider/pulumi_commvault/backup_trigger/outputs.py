"""The state an ``OracleBackupTrigger`` keeps: its inputs, its task and jobs, and history.

Create, update and read all build their outputs with ``build_outputs``, so they cannot drift
apart, and always return the full set (the engine keeps only what they return).
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from ..commvault.backups import StartedJob
from ..commvault.models import JobSummary
from ..job_outputs import history_with, job_status_fields, outputs_of, recorded_results
from .inputs import INPUT_NAMES


class BackupResults(TypedDict):
    """What a backup produced, beside the inputs; each also an output of the resource."""

    task_id: str | None
    job_ids: list[str]
    jobs: list[dict[str, Any]]
    request_marker: str | None
    history: list[dict[str, Any]]


RESULT_KEYS: tuple[str, ...] = tuple(BackupResults.__annotations__)


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


def refreshed(record: dict[str, Any], summary: JobSummary | None) -> dict[str, Any]:
    """A stored job record with the status read now (unchanged when the job is not shown)."""
    return record if summary is None else {**record, **job_status_fields(summary)}


def backup_results(
    started: list[StartedJob],
    summaries: dict[str, JobSummary],
    *,
    marker: str,
    previous: dict[str, Any] | None,
) -> BackupResults:
    """The results of a backup just started (or adopted), with what its jobs' reads said."""
    return BackupResults(
        task_id=task_id_of(started),
        job_ids=[job.job_id for job in started],
        jobs=[job_record(job, summaries.get(job.job_id)) for job in started],
        request_marker=marker,
        history=history_with(previous, "request_marker") if previous else [],
    )


def results_of(outs: dict[str, Any]) -> BackupResults:
    """The results recorded in earlier outputs (an update that takes no backup keeps them)."""
    return cast(BackupResults, recorded_results(outs, RESULT_KEYS))


def build_outputs(inputs: dict[str, Any], results: BackupResults) -> dict[str, Any]:
    """Every input, echoed, plus the results; the one shape of every operation's outputs."""
    return outputs_of(inputs, INPUT_NAMES, dict(results))


def task_id_of(jobs: list[StartedJob]) -> str | None:
    """The task that started the newest jobs, as a string like the job ids; None if adopted."""
    ids = [job.task_id for job in jobs if job.task_id is not None]
    return str(ids[-1]) if ids else None
