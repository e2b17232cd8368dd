"""What a marked request is: the databases it starts one job each for, and the marker its
jobs carry in their description, by which the duplicate guard finds them again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as validated_dataclass

from .models import Association, CreateTaskRequest, JobSummary
from .restore_models import RestoreTaskRequest

MARKER_TAG = "pulumi-commvault"
MARKED = re.compile(r"\[pulumi-commvault:[0-9A-Za-z_.-]+\]")

#: A database as Commvault matches names, case-insensitively: client, instance, subclient.
DatabaseKey = tuple[str, str, str]


def tags_in(summary: JobSummary) -> list[str]:
    """The markers a job summary's description shows (none when it shows no description)."""
    return MARKED.findall(summary.job_description or "")


@validated_dataclass(frozen=True, config=ConfigDict(extra="forbid", str_strip_whitespace=True))
class Database:
    """One Oracle database as Commvault backs it up, one job each (validated when made)."""

    client_name: str = Field(min_length=1)
    instance_name: str = Field(min_length=1)
    subclient_name: str = Field(default="default", min_length=1)

    @property
    def key(self) -> DatabaseKey:
        return (self.client_name.lower(), self.instance_name.lower(), self.subclient_name.lower())

    def __str__(self) -> str:
        return f"{self.client_name}/{self.instance_name}/{self.subclient_name}"

    def association(self) -> Association:
        return Association(
            client_name=self.client_name,
            instance_name=self.instance_name,
            subclient_name=self.subclient_name,
        )


def key_of_job(summary: JobSummary) -> DatabaseKey:
    e = summary.subclient
    return (e.client_name.lower(), e.instance_name.lower(), (e.subclient_name or "default").lower())


class MarkedRequest(Protocol):
    """A CreateTask request, one job per database marked with ``tag`` (backup or restore);
    ``job_type``, ``level``: as its jobs' summaries show them (a restore has no level)."""

    @property
    def databases(self) -> tuple[Database, ...]: ...
    @property
    def marker(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def job_type(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    def create_task_request(
        self, databases: list[Database]
    ) -> CreateTaskRequest | RestoreTaskRequest: ...


@dataclass(frozen=True)
class StartedJob:
    """A job that backs up ``database`` for the request: started now, or adopted."""

    job_id: str
    database: Database
    task_id: int | None
    adopted: bool
