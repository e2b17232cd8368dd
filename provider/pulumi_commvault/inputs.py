"""The inputs of ``OracleBackupTrigger``: validation, defaults, and what counts as a new backup.

The engine hands the provider plain dicts in which numbers are floats and values not known
yet (during preview) are ``pulumi.output.Unknown``. Everything here accepts exactly that.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.output import Unknown, contains_unknowns
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from .backups import BackupRequest, Database
from .models import BackupLevel

MAX_TIMEOUT_MINUTES = 7 * 24 * 60
MAX_DESCRIPTION_CHARS = 200

#: Inputs whose change means a new backup (an update that calls CreateTask).
BACKUP_INPUTS = (
    "client_name",
    "instance_name",
    "subclient_name",
    "databases",
    "backup_level",
    "cumulative",
    "notify_on_completion",
    "triggers",
)
#: Inputs that change only how the provider waits or what it records.
BEHAVIOUR_INPUTS = (
    "wait_for_completion",
    "timeout_minutes",
    "description",
    "accept_completed_with_errors",
    "cancel_running_jobs_on_delete",
    "request_name",
)
ALL_INPUTS = BACKUP_INPUTS + BEHAVIOUR_INPUTS


class DatabaseInput(BaseModel):
    """One Oracle database: its Commvault client, instance (SID) and subclient."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_name: str = Field(min_length=1)
    instance_name: str = Field(min_length=1)
    subclient_name: str = Field(default="default", min_length=1)

    def database(self) -> Database:
        return Database(self.client_name, self.instance_name, self.subclient_name)


class TriggerInputs(BaseModel):
    """Validated inputs; see ``OracleBackupTriggerArgs`` for what each one means."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_name: str | None = Field(default=None, min_length=1)
    instance_name: str | None = Field(default=None, min_length=1)
    subclient_name: str | None = Field(default=None, min_length=1)
    databases: list[DatabaseInput] | None = Field(default=None, min_length=1)
    backup_level: Literal["full", "incremental"] = "full"
    cumulative: StrictBool = False
    notify_on_completion: StrictBool = False
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    triggers: list[Any] | None = None
    wait_for_completion: StrictBool = True
    timeout_minutes: float = Field(default=60.0, gt=0, le=MAX_TIMEOUT_MINUTES, allow_inf_nan=False)
    accept_completed_with_errors: StrictBool = False
    cancel_running_jobs_on_delete: StrictBool = False
    request_name: str = ""

    @field_validator("backup_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_way_to_name_databases(self) -> TriggerInputs:
        single = (self.client_name, self.instance_name, self.subclient_name)
        if self.databases is not None and any(v is not None for v in single):
            raise ValueError("give either databases, or client_name and instance_name, not both")
        if self.databases is None:
            if self.client_name is None:
                raise ValueError("client_name: required (or give databases)")
            if self.instance_name is None:
                raise ValueError("instance_name: required (or give databases)")
        if self.databases is not None:
            keys = [d.database().key for d in self.databases]
            repeated = sorted({"/".join(k) for k in keys if keys.count(k) > 1})
            if repeated:
                raise ValueError(f"databases: {', '.join(repeated)} listed more than once")
        if self.cumulative and self.backup_level != "incremental":
            raise ValueError("cumulative: applies to incremental backups only")
        return self

    def database_list(self) -> list[Database]:
        if self.databases is not None:
            return [d.database() for d in self.databases]
        return [
            Database(
                self.client_name or "", self.instance_name or "", self.subclient_name or "default"
            )
        ]

    def level(self) -> BackupLevel:
        return "Full" if self.backup_level == "full" else "Incremental"

    def backup_request(self, previous_job_ids: list[str]) -> BackupRequest:
        return BackupRequest(
            databases=tuple(self.database_list()),
            level=self.level(),
            marker=request_marker(self, previous_job_ids),
            cumulative=self.cumulative,
            notify_on_completion=self.notify_on_completion,
            description=self.description,
        )


def without_provider(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def parse_inputs(props: dict[str, Any]) -> TriggerInputs:
    """Validated inputs from the engine's props (outputs too: extra keys are dropped)."""
    return TriggerInputs.model_validate({k: v for k, v in props.items() if k in ALL_INPUTS})


def input_failures(props: dict[str, Any]) -> list[tuple[str, str]]:
    """``(field, reason)`` for each bad input; inputs not known yet are not judged."""
    unknown = {k for k, v in props.items() if _is_unknown(v)}
    failures: list[tuple[str, str]] = []
    failures += [
        (k, f"unknown input; valid inputs are {', '.join(ALL_INPUTS)}")
        for k in props
        if k not in ALL_INPUTS and k != PROVIDER_KEY
    ]
    known = {k: v for k, v in props.items() if k in ALL_INPUTS and k not in unknown}
    try:
        TriggerInputs.model_validate(known)
    except ValidationError as exc:
        for error in exc.errors():
            field, reason = _field_and_reason(error)
            if unknown and (field in unknown or not error["loc"]):
                continue
            failures.append((field, reason))
    return failures


def backup_changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether going from ``olds`` to ``news`` takes a new backup; an unknown value does."""
    if any(_is_unknown(news.get(k)) for k in BACKUP_INPUTS):
        return True
    return _backup_identity(olds) != _backup_identity(news)


def behaviour_changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    return any(
        _is_unknown(news.get(k)) or canonical(olds.get(k)) != canonical(news.get(k))
        for k in BEHAVIOUR_INPUTS
    )


def request_marker(inputs: TriggerInputs, previous_job_ids: list[str]) -> str:
    """A marker unique to this backup request, the same each time it is retried.

    It is derived from the resource's name, what is backed up, the triggers, and the jobs
    of the previous backup, so a re-run of a failed ``pulumi up`` finds the job it started,
    while toggling a trigger back to an earlier value is a new request.
    """
    identity = {
        "name": inputs.request_name,
        "backup": _backup_identity(inputs.model_dump()),
        "after": sorted(previous_job_ids),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return digest[:20]


def canonical(value: Any) -> Any:
    """A value as the engine round-trips it: integral floats are ints, containers normalized."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def _backup_identity(props: dict[str, Any]) -> dict[str, Any]:
    try:
        inputs = parse_inputs(props)
    except ValidationError:
        return {k: canonical(props.get(k)) for k in BACKUP_INPUTS}
    return {
        "databases": sorted(db.key for db in inputs.database_list()),
        "backup_level": inputs.backup_level,
        "cumulative": inputs.cumulative,
        "notify_on_completion": inputs.notify_on_completion,
        "triggers": canonical(inputs.triggers),
    }


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or bool(contains_unknowns(value))


def _field_and_reason(error: Any) -> tuple[str, str]:
    loc = [str(p) for p in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc and ": " in message and message.split(": ", 1)[0] in ALL_INPUTS:
        field, message = message.split(": ", 1)
        return field, message
    if not loc:
        return "databases", message
    field = loc[0]
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc[1:])
    if error["type"] == "extra_forbidden" and len(loc) > 1:
        message = "unknown field; a database has client_name, instance_name and subclient_name"
    return f"{field}{path}", message
