"""The state an ``OracleRestore`` keeps: its inputs, its restore job, the point it restored.

Create, update and read all build their outputs with ``build_outputs``: one shape, always
the full set.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from ..commvault.backups import StartedJob
from ..commvault.models import JobSummary
from ..commvault.restores import RestoreRequest
from ..job_outputs import history_with, job_status_fields, outputs_of, recorded_results
from .inputs import INPUT_NAMES


class RestoreResults(TypedDict):
    """What a restore produced, beside the inputs; each also an output of the resource."""

    task_id: str | None
    job_id: str | None
    job_ids: list[str]
    jobs: list[dict[str, Any]]
    restore_point: dict[str, Any] | None
    request_marker: str | None
    history: list[dict[str, Any]]


RESULT_KEYS: tuple[str, ...] = tuple(RestoreResults.__annotations__)


def restore_point_record(
    request: RestoreRequest, resolved_job_ids: list[str] | None = None
) -> dict[str, Any]:
    """The restore point used, as the state records it (what a rollback needs to know); a
    ``latest`` point records the backup jobs it resolved to."""
    point = request.point
    return {
        "kind": point.kind,
        "described": point.describe(),
        "backup_job_ids": list(point.job_ids) if resolved_job_ids is None else resolved_job_ids,
        "point_in_time": point.time.isoformat() if point.time else None,
        "scn": None if point.scn is None else str(point.scn),
        "source": str(request.source),
        "destination": str(request.destination),
        "in_place": request.in_place,
    }


def job_record(
    started: StartedJob, request: RestoreRequest, summary: JobSummary | None
) -> dict[str, Any]:
    record = {
        "job_id": started.job_id,
        "task_id": None if started.task_id is None else str(started.task_id),
        "destination_client_name": request.destination.client_name,
        "destination_instance_name": request.destination.instance_name,
        "adopted": started.adopted,
    }
    status = job_status_fields(summary)
    status.pop("backup_level", None)
    return {**record, **status}


def restore_results(
    started: StartedJob,
    request: RestoreRequest,
    summary: JobSummary | None,
    previous: dict[str, Any] | None,
    *,
    resolved_job_ids: list[str] | None = None,
) -> RestoreResults:
    return RestoreResults(
        task_id=None if started.task_id is None else str(started.task_id),
        job_id=started.job_id,
        job_ids=[started.job_id],
        jobs=[job_record(started, request, summary)],
        restore_point=restore_point_record(request, resolved_job_ids),
        request_marker=request.marker,
        history=history_with(previous, "restore_point") if previous else [],
    )


def results_of(outs: dict[str, Any]) -> RestoreResults:
    return cast(RestoreResults, recorded_results(outs, RESULT_KEYS))


def refreshed(record: dict[str, Any], summary: JobSummary | None) -> dict[str, Any]:
    if summary is None:
        return {**record, "status": record.get("status"), "known_to_commserve": False}
    status = job_status_fields(summary)
    status.pop("backup_level", None)
    return {**record, **status, "known_to_commserve": True}


def build_outputs(inputs: dict[str, Any], results: RestoreResults) -> dict[str, Any]:
    """Every input, echoed, plus the results; the one shape of every operation's outputs."""
    return outputs_of(inputs, INPUT_NAMES, dict(results))
