"""The control plane under ``/_emulator/``: scenario switches for tests and benches.

JSON in and out, no authentication, no latency, not in the request log. Errors are
``{"error": "..."}`` with 400 (bad input) or 404 (unknown control path).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from commvault_emulator.faults import parse_fault
from commvault_emulator.integers import require_int
from commvault_emulator.inventory_file import parse_inventory
from commvault_emulator.jobs import canonical_outcome
from commvault_emulator.ratelimit import RateLimiter, policy_from
from commvault_emulator.responses import Response, json_response
from commvault_emulator.restores import control_fields
from commvault_emulator.state import BUSY_QUEUE, BUSY_REJECT, PlanOverride, State
from commvault_emulator.summaries import job_summary

ControlHandler = Callable[[State, Any], Response]


def _ok(**extra: Any) -> Response:
    return json_response({"ok": True, **extra})


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def _plan(body: dict[str, Any]) -> PlanOverride:
    seconds, outcome = body.get("seconds"), body.get("outcome")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
    ):
        raise ValueError("seconds must be a non-negative number")
    error = body.get("error")
    if error is not None and (not isinstance(error, str) or not error.strip()):
        raise ValueError("error must be the ORA-/RMAN- error text, e.g. 'ORA-19502: write error'")
    return PlanOverride(
        None if seconds is None else float(seconds),
        None if outcome is None else canonical_outcome(outcome),
        error=error,
    )


def reset(state: State, _body: Any) -> Response:
    state.reset()
    return _ok()


def get_inventory(state: State, _body: Any) -> Response:
    with state.lock:
        return json_response(state.inventory.to_dict())


def put_inventory(state: State, body: Any) -> Response:
    inventory = parse_inventory(body)
    with state.lock:
        state.inventory = inventory
        state.subclient_plans.clear()
    return json_response(inventory.to_dict())


def next_jobs(state: State, body: Any) -> Response:
    body = _object(body)
    count, hidden = body.get("count", 1), body.get("hidden_polls", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 0:
        raise ValueError("hidden_polls must be a non-negative integer")
    plan = _plan(body)
    with state.lock:
        state.next_plans.extend(
            PlanOverride(plan.seconds, plan.outcome, hidden, plan.error) for _ in range(count)
        )
        return _ok(pending=len(state.next_plans))


def subclient_jobs(state: State, body: Any) -> Response:
    body = _object(body)
    names = [body.get(k) for k in ("client", "instance", "subclient")]
    if not all(isinstance(n, str) for n in names):
        raise ValueError("client, instance and subclient names are required")
    with state.lock:
        target = state.inventory.find_target(*[str(n) for n in names])
        if target is None:
            raise ValueError(f"no subclient {'/'.join(str(n) for n in names)} in the inventory")
        state.subclient_plans[target.subclient.id] = _plan(body)
    return _ok(subclientId=target.subclient.id)


def job_defaults(state: State, body: Any) -> Response:
    body = _object(body)
    plan = _plan(body)
    busy = body.get("busy")
    if busy is not None and busy not in (BUSY_QUEUE, BUSY_REJECT):
        raise ValueError(f"busy must be {BUSY_QUEUE!r} or {BUSY_REJECT!r}")
    omit = body.get("omit_job_description")
    if omit is not None and not isinstance(omit, bool):
        raise ValueError("omit_job_description must be true or false")
    omit_details = body.get("omit_details_description")
    if omit_details is not None and not isinstance(omit_details, bool):
        raise ValueError("omit_details_description must be true or false")
    with state.lock:
        if plan.seconds is not None:
            state.defaults.seconds = plan.seconds
        if plan.outcome is not None:
            state.defaults.outcome = plan.outcome
        if busy is not None:
            state.busy_subclient = busy
        if omit is not None:
            state.omit_job_description = omit
        if omit_details is not None:
            state.omit_details_description = omit_details
        return _ok(
            seconds=state.defaults.seconds,
            outcome=state.defaults.outcome,
            busy=state.busy_subclient,
            omit_job_description=state.omit_job_description,
            omit_details_description=state.omit_details_description,
        )


def list_jobs(state: State, _body: Any) -> Response:
    now, views = state.job_views()
    jobs = [
        {
            "jobId": job.job_id,
            "taskId": job.task_id,
            "status": snap.status,
            "backupLevel": job.backup_level,
            "cumulative": job.cumulative,
            "notifyUserOnJobCompletion": job.notify,
            "jobDescription": job.description,
            "userName": job.user_name,
            "created": job.created,
            "seconds": job.seconds,
            "outcome": job.outcome,
            "waitsFor": [other.job_id for other in job.waits_for],
            "pauses": [[p.start, p.end] for p in job.pauses],
            "killedAt": job.killed_at,
            "endedAt": job.ended_at,
            "aged": job.aged,
            "initiatedFrom": job.initiated_from,
            "jobSummary": job_summary(job, snap, now, not state.omit_job_description),
            **control_fields(job),
        }
        for job, snap in views
    ]
    return json_response({"jobs": jobs})


def age_job(state: State, body: Any) -> Response:
    """The job's data ages out of retention: ``isAged`` true, no longer a restore point."""
    job_id = require_int(_object(body).get("jobId"), "jobId")
    with state.lock:
        if state.jobs.age(job_id) is None:
            raise ValueError(f"no job {job_id}")
    return _ok()


def forget_job(state: State, body: Any) -> Response:
    """Prune a job: the CommServe no longer knows it (``GET Job/{id}`` finds nothing)."""
    job_id = require_int(_object(body).get("jobId"), "jobId")
    if not state.forget_job(job_id):
        raise ValueError(f"no job {job_id}")
    return _ok()


def list_faults(state: State, _body: Any) -> Response:
    with state.lock:
        return json_response({"faults": state.faults.to_list()})


def add_fault(state: State, body: Any) -> Response:
    fault = parse_fault(body)
    with state.lock:
        state.faults.add(fault)
    return _ok(fault=fault.to_dict())


def clear_faults(state: State, _body: Any) -> Response:
    with state.lock:
        state.faults.clear()
    return _ok()


def expire_tokens(state: State, _body: Any) -> Response:
    with state.lock:
        state.tokens.expire_all()
    return _ok()


def list_requests(state: State, _body: Any) -> Response:
    return json_response({"requests": state.requests()})


def clear_requests(state: State, _body: Any) -> Response:
    with state.lock:
        state.log.clear()
    return _ok()


def get_rate_limit(state: State, _body: Any) -> Response:
    with state.lock:
        return json_response(state.rate_limiter.to_dict(state.clock()))


def set_rate_limit(state: State, body: Any) -> Response:
    """``{"reads": R, "writes": W, "period": S}``: new budgets, counters from zero."""
    body = _object(body)
    policy = policy_from(body.get("reads"), body.get("writes"), body.get("period"))
    with state.lock:
        state.rate_limiter = RateLimiter(policy)
        return json_response(state.rate_limiter.to_dict(state.clock()))


def clear_rate_limit(state: State, _body: Any) -> Response:
    with state.lock:
        state.rate_limiter = RateLimiter(None)
    return _ok()


def reset_rate_limit(state: State, _body: Any) -> Response:
    with state.lock:
        state.rate_limiter.reset()
        return json_response(state.rate_limiter.to_dict(state.clock()))


def health(state: State, _body: Any) -> Response:
    return _ok()


ROUTES: dict[tuple[str, str], ControlHandler] = {
    ("GET", ""): health,
    ("POST", "reset"): reset,
    ("GET", "inventory"): get_inventory,
    ("PUT", "inventory"): put_inventory,
    ("GET", "jobs"): list_jobs,
    ("POST", "jobs/next"): next_jobs,
    ("POST", "jobs/subclient"): subclient_jobs,
    ("POST", "jobs/defaults"): job_defaults,
    ("POST", "jobs/forget"): forget_job,
    ("POST", "jobs/prune"): forget_job,
    ("POST", "jobs/age"): age_job,
    ("GET", "faults"): list_faults,
    ("POST", "faults"): add_fault,
    ("DELETE", "faults"): clear_faults,
    ("POST", "tokens/expire"): expire_tokens,
    ("GET", "requests"): list_requests,
    ("DELETE", "requests"): clear_requests,
    ("GET", "ratelimit"): get_rate_limit,
    ("PUT", "ratelimit"): set_rate_limit,
    ("DELETE", "ratelimit"): clear_rate_limit,
    ("POST", "ratelimit/reset"): reset_rate_limit,
}


def handle_control(state: State, method: str, path: str, body: bytes) -> Response:
    """Answer one control-plane request; ``path`` is relative to ``/_emulator/``."""
    handler = ROUTES.get((method, path.strip("/").casefold()))
    if handler is None:
        return json_response({"error": f"no control endpoint {method} /_emulator/{path}"}, 404)
    try:
        parsed = json.loads(body) if body.strip() else None
        return handler(state, parsed)
    except ValueError as error:
        return json_response({"error": str(error)}, 400)
