"""The inputs of ``OracleBackupTrigger``, declared once: type, default, doc, what a change does.

``BackupTriggerInputs`` is the declaration. Everything else about an input comes from it:
the ``OracleBackupTriggerArgs`` users pass (``resource``), validation and
which changes take a new backup (``DECLARED``, from the ``NEW_JOB`` fields), the inputs
echoed as outputs (``INPUT_NAMES``), and the README's input table.

The engine hands the provider plain dicts in which numbers are floats and values not known
yet (during preview) are ``pulumi.output.Unknown``. Everything here accepts exactly that.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from .. import job_inputs as shared
from ..commvault.backups import BackupRequest, Database
from ..commvault.models import BackupLevel
from ..declarations import NEW_JOB
from ..validation import canonical


class BackupTriggerInputs(BaseModel):
    """What an ``OracleBackupTrigger`` backs up, how, and how it waits."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    client_name: Annotated[
        str | None,
        NEW_JOB,
        Field(min_length=1, description="The Commvault client (host) of the Oracle database."),
    ] = None
    instance_name: Annotated[
        str | None,
        NEW_JOB,
        Field(
            min_length=1,
            description="The Oracle instance as Commvault names it (usually the SID).",
        ),
    ] = None
    subclient_name: Annotated[
        str | None,
        NEW_JOB,
        Field(
            min_length=1,
            description="The Oracle subclient to back up; Commvault's `default` when unset.",
        ),
    ] = None
    databases: Annotated[
        list[Database] | None,
        NEW_JOB,
        Field(
            min_length=1,
            description=(
                "Instead of the three above: several databases (`DatabaseArgs` or dicts with "
                "the same keys), backed up by one task, one job each, waited for side by side."
            ),
        ),
    ] = None
    backup_level: Annotated[
        Literal["full", "incremental"],
        NEW_JOB,
        Field(description="`full` or `incremental` (any case)."),
    ] = "full"
    cumulative: Annotated[
        StrictBool,
        NEW_JOB,
        Field(
            description=(
                "With `incremental`: a cumulative RMAN incremental "
                "(Commvault's `oracleOptions.cumulative`)."
            )
        ),
    ] = False
    notify_on_completion: Annotated[
        StrictBool,
        NEW_JOB,
        Field(description="Commvault e-mails the job's owner when the job ends."),
    ] = False
    description: shared.Description = None
    triggers: Annotated[
        shared.Triggers,
        Field(description="Any values; when one changes, `pulumi up` takes a new backup."),
    ] = None
    wait_for_completion: Annotated[
        shared.WaitForCompletion,
        Field(description="Wait until every job has finished: a running job is no restore point."),
    ] = True
    timeout_minutes: Annotated[
        shared.TimeoutMinutes,
        Field(
            description="How long to wait for the jobs (more than 0, at most 7 days); the "
            "operation fails after it, and the jobs keep running."
        ),
    ] = 60.0
    accept_completed_with_errors: Annotated[
        StrictBool,
        Field(description='Count "Completed w/ one or more errors" as success.'),
    ] = False
    cancel_running_jobs_on_delete: Annotated[
        StrictBool,
        Field(description="On delete, kill jobs still running (otherwise delete only forgets)."),
    ] = False
    request_name: shared.RequestName = ""

    @field_validator("backup_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_way_to_name_databases(self) -> BackupTriggerInputs:
        single = (self.client_name, self.instance_name, self.subclient_name)
        if self.databases is not None and any(v is not None for v in single):
            raise ValueError("give either databases, or client_name and instance_name, not both")
        if self.databases is None:
            if self.client_name is None:
                raise ValueError("client_name: required (or give databases)")
            if self.instance_name is None:
                raise ValueError("instance_name: required (or give databases)")
        if self.databases is not None:
            keys = [d.key for d in self.databases]
            repeated = sorted({"/".join(k) for k in keys if keys.count(k) > 1})
            if repeated:
                raise ValueError(f"databases: {', '.join(repeated)} listed more than once")
        if self.cumulative and self.backup_level != "incremental":
            raise ValueError("cumulative: applies to incremental backups only")
        return self

    def database_list(self) -> list[Database]:
        if self.databases is not None:
            return list(self.databases)
        return [
            Database(
                self.client_name or "", self.instance_name or "", self.subclient_name or "default"
            )
        ]

    def level(self) -> BackupLevel:
        return "Full" if self.backup_level == "full" else "Incremental"

    def identity(self) -> dict[str, Any]:
        """What is backed up and how: equal identities mean the same backup request."""
        return {
            "databases": sorted(db.key for db in self.database_list()),
            "backup_level": self.backup_level,
            "cumulative": self.cumulative,
            "notify_on_completion": self.notify_on_completion,
            "triggers": canonical(self.triggers),
        }

    def backup_request(self, previous_job_ids: list[str]) -> BackupRequest:
        return BackupRequest(
            databases=tuple(self.database_list()),
            level=self.level(),
            marker=request_marker(self, previous_job_ids),
            cumulative=self.cumulative,
            notify_on_completion=self.notify_on_completion,
            description=self.description,
        )


#: What pydantic says of a key a database does not have (a model, then a dataclass).
_UNKNOWN_KEY_REASONS = ("Extra inputs are not permitted", "Unexpected keyword argument")


def _database_key_reason(field: str, reason: str) -> str:
    if field.startswith("databases[") and "." in field and reason in _UNKNOWN_KEY_REASONS:
        return "unknown field; a database has client_name, instance_name and subclient_name"
    return reason


DECLARED = shared.Declared(
    BackupTriggerInputs, whole_model_field="databases", reworded=_database_key_reason
)
#: Every input, each also an output of the resource.
INPUT_NAMES = DECLARED.names


def request_marker(inputs: BackupTriggerInputs, previous_job_ids: list[str]) -> str:
    """A marker unique to this backup request, the same each time it is retried.

    It is derived from the resource's name, what is backed up, the triggers, and the jobs
    of the previous backup, so a re-run of a failed ``pulumi up`` finds the job it started,
    while toggling a trigger back to an earlier value is a new request.
    """
    return shared.marker_of(
        {
            "name": inputs.request_name,
            "backup": inputs.identity(),
            "after": sorted(previous_job_ids),
        }
    )
