"""The progress lines of one resource's jobs while ``pulumi up`` waits for them."""

from __future__ import annotations

import threading

from ..commvault.backups import StartedJob
from ..commvault.models import JobSummary
from ..runtime.reporting import say
from . import front_end


class Progress:
    """The progress of one resource: on its own row in ``pulumi up`` where the engine takes
    it (``front_end``), else printed (the Stack's row), prefixed with the
    resource's name so each line stands on its own.

    A row shows one line at a time, so the line holds every job's latest state: a resource
    backing up several databases shows them all, not only the one that moved last.
    """

    def __init__(
        self, label: str, urn: str | None, started: list[StartedJob], *, by_database: bool
    ) -> None:
        self.label = label
        self.urn = urn
        self._started = started if by_database else []
        self._latest: dict[str, str] = {}
        self._lock = threading.Lock()

    def job(self, summary: JobSummary) -> None:
        """Show ``summary`` beside the latest state of the resource's other jobs."""
        database = next(
            (j.database for j in self._started if j.job_id == str(summary.job_id)), None
        )
        reason = f" - {summary.pending_reason}" if summary.pending_reason else ""
        where = f"{database}: " if database is not None else ""
        line = (
            f"{where}job {summary.job_id} {summary.status} {summary.percent_complete:.0f}%{reason}"
        )
        with self._lock:
            self._latest[str(summary.job_id)] = line
            shown = "; ".join(self._latest.values())
        self.show(shown)

    def show(self, line: str) -> None:
        # Ephemeral: shown on the row while it runs, not kept in the final diagnostics, where
        # a failure's sentence must be the first thing the user reads about the resource
        # (the jobs that made the restore point are in its outputs).
        if not front_end.current().log_on_row(self.urn, line, ephemeral=True):
            say(f"{self.label}: {line}")


def backups_started(started: list[StartedJob]) -> str:
    """The line that says which backup jobs started, and which were adopted."""
    return "; ".join(map(_started_part, started))


def _started_part(job: StartedJob) -> str:
    if job.adopted:
        return (
            f"this request already started job {job.job_id} "
            f"({job.database}, adopted); following it instead of starting another backup"
        )
    task = f", Commvault task {job.task_id}" if job.task_id is not None else ""
    return f"started job {job.job_id} ({job.database}){task}"
