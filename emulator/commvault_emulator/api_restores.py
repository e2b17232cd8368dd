"""``POST CreateTask`` for a restore: checked (``restores``), then one restore job started."""

from __future__ import annotations

from typing import Any

from commvault_emulator.jobs import COMPLETED
from commvault_emulator.restores import RestoreJob, destination_queue_id, parse_restore
from commvault_emulator.state import State


def start_restore(state: State, body: Any, user: str) -> tuple[int, list[int]]:
    """(task id, [job id]) of the restore ``body`` asks for; raises ``CreateTaskError`` or
    ``MalformedBodyError`` (nothing started) when it cannot run."""
    with state.lock:
        now = state.clock()
        state.refresh(now)
        request = parse_restore(body, state.inventory, state.jobs, now)
        # Restores take the same job plans as backups (seconds, outcome, hidden polls), and
        # queue behind each other per destination instance, apart from its backups.
        plan = state._plan_for(request.destination)
        queue = destination_queue_id(request)
        entity = {**request.destination.entity(), "subclientName": ""}
        job = RestoreJob(
            job_id=state._next_job_id,
            task_id=state._next_task_id,
            entity=entity,
            subclient_id=queue,
            backup_level="",
            cumulative=False,
            description=request.description,
            notify=False,
            user_name=user,
            created=now,
            seconds=plan.seconds or 0.0,
            outcome=plan.outcome or COMPLETED,
            waits_for=state.active_jobs_on(queue),
            hidden_polls=plan.hidden_polls,
            rman_error=plan.error or "",
            source=request.source.entity(),
            point=request.point,
            recover=request.recover,
            restored_from=request.restored_from,
            request_body=request.body,
        )
        state._next_job_id += 1
        state._next_task_id += 1
        state.jobs.add(job)
        return job.task_id, [job.job_id]
