"""What an Oracle DBA's tools read: DBBrowse, backup pieces, RMAN logs, discovery, a job's
task and events; in the shapes cvpysdk 11.44 and Commvault's Terraform handler
(``handler/OracleHandler.go``, ``OracleMsg.go``) send and read. Sources: docs/emulator.md."""

from __future__ import annotations

import zlib
from typing import Any

from commvault_emulator.integers import as_int
from commvault_emulator.inventory import ORACLE_APP_ID, Client, Instance
from commvault_emulator.jobs import Job, Snapshot
from commvault_emulator.oracle_records import backup_piece, events, rman_log
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, error_response, json_response
from commvault_emulator.restores import RestoreJob
from commvault_emulator.routing import Route
from commvault_emulator.state import State

ERR_ORACLE = 2  # UNCERTAIN: the errorCode a CommServe gives these reads for an unknown id
TABLESPACES = (("SYSTEM", 900), ("SYSAUX", 700), ("UNDOTBS1", 300), ("USERS", 120))
_MIB = 1024 * 1024


def _oracle_instance(state: State, raw_id: str) -> tuple[Client, Instance] | None:
    instance_id = as_int(raw_id)
    found = state.inventory.instance_by_id(instance_id) if instance_id is not None else None
    if found is None or found[1].application_id != ORACLE_APP_ID:
        return None
    return found


def db_browse(state: State, _request: ApiRequest, found: Route) -> Response:
    """``POST Instance/DBBrowse/{id}``: ``oracleContent[]`` with cvpysdk's ``tablespace`` and
    the Terraform handler's ``name``/``type``/``size``; errorCode/errorMessage otherwise."""
    with state.lock:
        pair = _oracle_instance(state, found.params[0])
    if pair is None:
        return error_response(ERR_ORACLE, f"Oracle instance [{found.params[0]}] not found.")
    client, instance = pair
    _now, backups = state.ended_backups(client.id, instance.id, 0.0)
    if not any(snap.status.startswith("Completed") for _, snap in backups):
        return error_response(
            ERR_ORACLE, f"No backup data found for instance [{instance.name}] to browse."
        )
    seed = zlib.crc32(f"{client.name}/{instance.name}".encode()) % 64
    content = [
        {"tablespace": name, "name": name, "type": "TABLESPACE", "size": (mib + seed) * _MIB}
        for name, mib in TABLESPACES
    ]
    return json_response({"oracleContent": content})


def backup_pieces(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET oracle/instance/{id}/backupPieces?fromTime=&toTime=``: the instance's backups
    that completed and ended within the window (epoch s), oldest first."""
    with state.lock:
        pair = _oracle_instance(state, found.params[0])
    if pair is None:
        return error_response(ERR_ORACLE, f"Oracle instance [{found.params[0]}] not found.", 404)
    from_time = as_int(request.query.get("fromtime")) or 0
    to_time = as_int(request.query.get("totime")) or 0
    _now, backups = state.ended_backups(pair[0].id, pair[1].id, float(from_time))
    pieces = [
        backup_piece(job, snap)
        for job, snap in backups
        if snap.status.startswith("Completed") and not job.aged
    ]
    if to_time:
        pieces = [p for p in pieces if p["endTime"] <= to_time]
    return json_response({"backupPieces": pieces})


def _job(state: State, raw_id: str) -> tuple[float, Job, Snapshot] | None:
    job_id = as_int(raw_id)
    return state.job_view(job_id) if job_id is not None else None


def rman_logs(state: State, _request: ApiRequest, found: Route) -> Response:
    """``GET Job/{id}/RMANLogs``: ``{"logContent", "errorString"}`` (the Terraform shape)."""
    view = _job(state, found.params[0])
    if view is None:
        return json_response(
            {"logContent": "", "errorString": f"Job [{found.params[0]}] not found."}
        )
    _now, job, snap = view
    if job.entity.get("applicationId") != ORACLE_APP_ID:
        message = f"Job [{job.job_id}] is not an Oracle job: it has no RMAN log."
        return json_response({"logContent": "", "errorString": message})
    return json_response({"logContent": rman_log(job, snap), "errorString": ""})


def discover(state: State, _request: ApiRequest, found: Route) -> Response:
    """``GET client/{id}/instance/oracle/discover``: ``{"error": {errorCode, errorString}}``.

    UNCERTAIN: what else a real answer carries; the instances it knows are added."""
    client_id = as_int(found.params[0])
    with state.lock:
        client = state.inventory.client_by_id(client_id) if client_id is not None else None
        if client is None:
            error = {
                "errorCode": ERR_ORACLE,
                "errorString": f"Client [{found.params[0]}] not found.",
            }
            return json_response({"error": error})
        names = [i.name for i in client.instances if i.application_id == ORACLE_APP_ID]
    return json_response(
        {
            "error": {"errorCode": 0, "errorString": ""},
            "instances": [{"instanceName": n} for n in names],
        }
    )


def _task_info(job: Job) -> dict[str, Any]:
    if isinstance(job, RestoreJob) and isinstance(job.request_body.get("taskInfo"), dict):
        return {**job.request_body["taskInfo"], "task": {"taskId": job.task_id, "taskType": 1}}
    return {
        "task": {"taskId": job.task_id, "taskType": 1, "initiatedFrom": 1},
        "associations": [job.entity],
        "subTasks": [
            {
                "subTask": {"subTaskType": 2, "operationType": 2},
                "options": {"backupOpts": {"backupLevel": job.backup_level}},
            }
        ],
    }


def task_details(state: State, _request: ApiRequest, found: Route) -> Response:
    """``GET Job/{id}/TaskDetails`` (cvpysdk ``Job.task_details``): ``{"taskInfo": …}``."""
    view = _job(state, found.params[0])
    if view is None:
        message = f"Job [{found.params[0]}] does not exist."
        return json_response(
            {"error": {"errList": [{"errorCode": ERR_ORACLE, "errorMessage": message}]}}
        )
    return json_response({"taskInfo": _task_info(view[1])})


def job_events(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET Events?jobId=`` (cvpysdk ``Job.get_events``): ``{"commservEvents": [...]}``."""
    view = _job(state, request.query.get("jobid", ""))
    if view is None:
        return json_response({"commservEvents": []})
    _now, job, snap = view
    return json_response({"commservEvents": events(job, snap)})
