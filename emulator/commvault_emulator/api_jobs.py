"""Backup and job endpoints: CreateTask, Job, JobDetails, Job actions, Jobs."""

from __future__ import annotations

import dataclasses
from typing import Any

from commvault_emulator.api_restores import start_restore
from commvault_emulator.createtask import (
    ERR_NO_ELIGIBLE,
    NO_ELIGIBLE,
    CreateTaskError,
    MalformedBodyError,
    parse_create_task,
    subclient_backup_request,
)
from commvault_emulator.integers import as_id
from commvault_emulator.joblist import JobQuery, query_from_body, query_from_params
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, bad_body, error_response, json_response
from commvault_emulator.restores import is_restore
from commvault_emulator.routing import Route
from commvault_emulator.state import JobError, State
from commvault_emulator.summaries import job_details as details_json
from commvault_emulator.summaries import job_summary

ERR_JOB_ACTION = 2
ERR_NO_JOB = 1  # UNCERTAIN: the errorCode JobDetails gives for an unknown job


def create_task(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST CreateTask``: one job per association; ``{"taskId": int, "jobIds": [str]}``."""
    try:
        body = request.json()
    except ValueError:
        return bad_body()
    try:
        if is_restore(body):
            task_id, job_ids = start_restore(state, body, request.user)
        else:
            with state.lock:
                backup = parse_create_task(body, state.inventory)
                task_id, job_ids = state.create_jobs(backup, request.user)
    except MalformedBodyError:
        return bad_body()
    except CreateTaskError as error:
        return error_response(error.code, error.message)
    ids = [str(job_id) for job_id in job_ids]
    return dataclasses.replace(json_response({"taskId": task_id, "jobIds": ids}), job_ids=ids)


def subclient_backup(state: State, request: ApiRequest, found: Route) -> Response:
    """``POST Subclient/{id}/action/backup?backupLevel=`` (cvpysdk's ``Subclient.backup``):
    the same job, checks and answer as a CreateTask naming that subclient by id."""
    subclient_id = as_id(found.params[0])
    try:
        with state.lock:
            target = (
                state.inventory.target_by_subclient_id(subclient_id)
                if subclient_id is not None
                else None
            )
            if target is None:
                raise CreateTaskError(
                    ERR_NO_ELIGIBLE, f"{NO_ELIGIBLE}Subclient [{found.params[0]}] not found."
                )
            backup = subclient_backup_request(target, request.query.get("backuplevel"))
            task_id, job_ids = state.create_jobs(backup, request.user)
    except CreateTaskError as error:
        return error_response(error.code, error.message)
    ids = [str(job_id) for job_id in job_ids]
    return dataclasses.replace(json_response({"taskId": task_id, "jobIds": ids}), job_ids=ids)


def _job_list(state: State, query: JobQuery) -> Response:
    now, total, page = state.list_jobs(query)
    answer: dict[str, Any] = {"totalRecordsWithoutPaging": total}
    if page:
        answer["jobs"] = [
            {"jobSummary": job_summary(j, s, now, not state.omit_job_description)} for j, s in page
        ]
    return json_response(answer)


def job(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Job/{id}`` (``totalRecordsWithoutPaging`` 0 when unknown), or ``GET Job?..``."""
    if not found.params:
        try:
            return _job_list(state, query_from_params(request.query))
        except ValueError:
            return bad_body()
    job_id = as_id(found.params[0])
    view = state.poll_job(job_id) if job_id is not None else None
    if view is None:
        return json_response({"totalRecordsWithoutPaging": 0})
    now, one_job, snap = view
    return json_response(
        {
            "totalRecordsWithoutPaging": 1,
            "jobs": [
                {"jobSummary": job_summary(one_job, snap, now, not state.omit_job_description)}
            ],
        }
    )


def job_details(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST JobDetails`` ``{"jobId": int}``: ``{"job": {...}}`` or ``{"error": {"errList"}}``."""
    try:
        body = request.json()
    except ValueError:
        return bad_body()
    raw = body.get("jobId") if isinstance(body, dict) else None
    job_id = as_id(raw)
    if job_id is None:
        return bad_body()
    view = state.job_view(job_id)
    if view is None:
        message = f"Job [{job_id}] does not exist."
        return json_response(
            {"error": {"errList": [{"errorCode": ERR_NO_JOB, "errLogMessage": message}]}}
        )
    now, one_job, snap = view
    details = details_json(one_job, snap, now)
    if state.omit_details_description:
        del details["jobDetail"]["generalInfo"]["description"]
    return json_response({"job": details})


def job_action(state: State, request: ApiRequest, found: Route) -> Response:
    """``POST Job/{id}/action/kill|pause|resume``: ``{}``; ``resubmit`` (a finished job):
    ``{"taskId", "jobIds"}`` of the new job; a refusal: 200 ``{"errors": [...]}``."""
    raw_id, action = found.params[0], found.params[1].casefold()
    job_id = as_id(raw_id)
    try:
        if job_id is None:
            raise JobError(f"Job [{raw_id}] does not exist.")
        if action == "resubmit":
            task_id, new_id = state.resubmit(job_id, request.user)
            ids = [str(new_id)]
            return dataclasses.replace(
                json_response({"taskId": task_id, "jobIds": ids}), job_ids=ids
            )
        state.job_action(job_id, action, request.user)
    except JobError as error:
        errors = [{"errList": [{"errorCode": ERR_JOB_ACTION, "errLogMessage": str(error)}]}]
        return json_response({"errors": errors})
    return json_response({})


def jobs(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST Jobs``: cvpysdk's filter body; ``{"totalRecordsWithoutPaging", "jobs"}``."""
    try:
        body = request.json() if request.body.strip() else {}
        query = query_from_body(body)
    except ValueError:
        return bad_body()
    return _job_list(state, query)
