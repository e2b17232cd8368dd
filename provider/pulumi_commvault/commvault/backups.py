"""A backup request (``BackupRequest``), and the duplicate guard's names as callers import
them (``guard``: one request makes one job per database, never two)."""

from __future__ import annotations

from dataclasses import dataclass

from .guard.listing import GuardIncompleteError, GuardScope, MarkedJobIndex
from .guard.rules import NO_DECISIONS, JobDecisions
from .guard.start import start_once
from .marking import MARKER_TAG, Database, StartedJob
from .models import BackupLevel, CreateTaskRequest

__all__ = ["MARKER_TAG", "NO_DECISIONS", "BackupRequest", "Database", "GuardIncompleteError"]
__all__ += ["GuardScope", "JobDecisions", "MarkedJobIndex", "StartedJob", "start_backup"]
__all__ += ["start_once"]

#: A backup's name for ``start_once`` (the README's client example uses it).
start_backup = start_once


@dataclass(frozen=True)
class BackupRequest:
    """A backup of one or more databases, tagged with ``marker`` (unique per request)."""

    databases: tuple[Database, ...]
    level: BackupLevel
    marker: str
    cumulative: bool = False
    notify_on_completion: bool = False
    description: str | None = None
    job_type = "Backup"

    @property
    def tag(self) -> str:
        return f"[{MARKER_TAG}:{self.marker}]"

    def job_description(self) -> str:
        return f"{self.description} {self.tag}" if self.description else self.tag

    def create_task_request(self, databases: list[Database]) -> CreateTaskRequest:
        return CreateTaskRequest.oracle_backup(
            [db.association() for db in databases],
            level=self.level,
            cumulative=self.cumulative,
            notify_on_completion=self.notify_on_completion,
            job_description=self.job_description(),
        )
