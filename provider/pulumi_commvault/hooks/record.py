"""What a pre-change backup leaves where the user looks: the job description naming the
protected URN and the step, the line on the resource's row, and, when the step itself then
fails, the exact command that restores from that backup. Pure text."""

from __future__ import annotations

from collections.abc import Sequence

from ..commvault.backups import Database, StartedJob
from ..commvault.pre_change import pre_change_text
from .marker import Operation

#: ``commvault-oracle``'s name in the lines a user copies.
CLI = "commvault-oracle"


def database_name(db: Database) -> str:
    """``client/instance``, with the subclient only where it is not Commvault's default."""
    name = f"{db.client_name}/{db.instance_name}"
    return name if db.subclient_name.lower() == "default" else f"{name}/{db.subclient_name}"


def job_description(urn: str, operation: Operation, user_text: str | None) -> str:
    """The job's description in Commvault: the user's text, then the URN and the step
    (the request marker is appended to it by the request)."""
    own = pre_change_text(urn, operation)
    return f"{user_text}: {own}" if user_text else own


def started_line(operation: Operation, jobs: Sequence[StartedJob]) -> str:
    parts = [
        f"job {j.job_id} {'adopted' if j.adopted else 'started'} for {database_name(j.database)}"
        for j in jobs
    ]
    return f"pre-change backup before {operation}: {'; '.join(parts)}; waiting for it"


def finished_line(operation: Operation, jobs: Sequence[tuple[Database, str, str]]) -> str:
    """``pre-change backup of oradb01/ORCL before update: job 3400891 Completed``."""
    by_db = "; ".join(
        f"{database_name(db)} before {operation}: job {job} {st}" for db, job, st in jobs
    )
    return f"pre-change backup of {by_db}"


def restore_line(failed_operation: str, jobs: Sequence[tuple[Database, str, str]]) -> str:
    """One line for a failed step: its restore point and the command that restores it (in
    place, so the command carries the overwrite confirmation a user types out)."""
    commands = " ; ".join(
        f"{CLI} restore {_instance(db)} --backup-job-ids {job} --confirm-overwrite {_instance(db)}"
        for db, job, _ in jobs
    )
    points = ", ".join(f"job {job} of {database_name(db)}" for db, job, _ in jobs)
    return (
        f"the {failed_operation} failed after its pre-change backup ({points}); nothing was "
        f"restored. To roll the database back to that backup: {commands}"
    )


def _instance(db: Database) -> str:
    """What ``commvault-oracle restore`` restores: the instance, whichever subclient."""
    return f"{db.client_name}/{db.instance_name}"
