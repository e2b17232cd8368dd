"""``OracleBackupTrigger``: a Commvault backup of Oracle databases, taken by ``pulumi up``.

    snap = OracleBackupTrigger("before-migration-42",
        client_name="oradb01", instance_name="ORCL",
        backup_level="full", triggers=[schema_version])

Creating the resource starts a backup and, by default, waits for it to finish, so resources
that depend on it run only once the restore point exists. Changing ``triggers`` (or what is
backed up) takes a new backup; the earlier one is kept in ``history``. Deleting the resource
never deletes a backup. Preview never calls Commvault.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from typing import Any

import pulumi
from pulumi import CustomResource
from pulumi.dynamic import Resource
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider

from .outputs import RESULT_KEYS
from .provider import OracleBackupTriggerProvider


@dataclass(kw_only=True)
class DatabaseArgs:
    """One Oracle database in Commvault: its client, its instance (SID), its subclient."""

    client_name: pulumi.Input[str]
    instance_name: pulumi.Input[str]
    subclient_name: pulumi.Input[str] = "default"


@dataclass(kw_only=True)
class OracleBackupTriggerArgs:
    """The inputs of an ``OracleBackupTrigger``.

    Name one database with ``client_name`` and ``instance_name`` (and ``subclient_name``), or
    several with ``databases``: they are backed up by one Commvault task, one job each, and
    waited for side by side, so the whole set takes about as long as its slowest backup.
    """

    client_name: pulumi.Input[str] | None = None
    """The Commvault client (host) of the Oracle database."""
    instance_name: pulumi.Input[str] | None = None
    """The Oracle instance as Commvault names it (usually the SID)."""
    subclient_name: pulumi.Input[str] | None = None
    """The Oracle subclient to back up; Commvault's ``default`` when unset."""
    databases: pulumi.Input[list[DatabaseArgs | dict[str, Any]]] | None = None
    """Several databases backed up by one task, instead of ``client_name``/``instance_name``."""
    backup_level: pulumi.Input[str] | None = None
    """``full`` (the default) or ``incremental``."""
    cumulative: pulumi.Input[bool] | None = None
    """With ``incremental``: a cumulative RMAN incremental (Commvault's ``oracleOptions``)."""
    notify_on_completion: pulumi.Input[bool] | None = None
    """Ask Commvault to e-mail the job's owner when the job ends."""
    description: pulumi.Input[str] | None = None
    """Text for the job description in Commvault's job controller (a marker is appended)."""
    triggers: pulumi.Input[list[Any]] | None = None
    """Any values; when one changes, ``pulumi up`` takes a new backup."""
    wait_for_completion: pulumi.Input[bool] | None = None
    """Wait until every job has finished (default true): a running job is no restore point."""
    timeout_minutes: pulumi.Input[float] | None = None
    """How long to wait for the jobs (default 60); the operation fails after it."""
    accept_completed_with_errors: pulumi.Input[bool] | None = None
    """Count a job that completed with errors as a success (default false)."""
    cancel_running_jobs_on_delete: pulumi.Input[bool] | None = None
    """On delete, kill jobs that are still running (default false: delete only forgets)."""

    def to_props(self) -> dict[str, Any]:
        """The inputs that are set; an unset input is not sent (the provider applies defaults)."""
        props = {f.name: getattr(self, f.name) for f in fields(self)}
        if isinstance(self.databases, list):
            props["databases"] = [
                asdict(db) if isinstance(db, DatabaseArgs) else db for db in self.databases
            ]
        return {name: value for name, value in props.items() if value is not None}


#: The inputs, each also an output of the resource.
INPUT_NAMES = frozenset(f.name for f in fields(OracleBackupTriggerArgs))


@functools.cache
def _serialized_provider() -> str:
    """The provider as every resource carries it: pickled by reference, the same each time,
    never a secret (it holds nothing); made once per program instead of once per resource."""
    serialized: str = serialize_provider(OracleBackupTriggerProvider())
    return serialized


def registered_props(args: OracleBackupTriggerArgs, resource_name: str) -> dict[str, Any]:
    """What an ``OracleBackupTrigger`` registers: the inputs that are set, the request's name,
    and its results (as None, so the SDK makes them outputs)."""
    return {
        **args.to_props(),
        "request_name": f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}",
        **dict.fromkeys(RESULT_KEYS),
    }


class OracleBackupTrigger(Resource, module="commvault", name="OracleBackupTrigger"):
    """Takes a Commvault backup of Oracle databases on create and when its triggers change.

    Outputs: ``task_id`` (the Commvault task that started the jobs), ``job_ids``, ``jobs``
    (per job: database, status, start and end time, backup level, size), ``request_marker``
    (the tag in the jobs' description) and ``history`` (earlier backups, newest first), plus
    every input.
    """

    task_id: pulumi.Output[str | None]
    job_ids: pulumi.Output[list[str]]
    jobs: pulumi.Output[list[dict[str, Any]]]
    request_marker: pulumi.Output[str]
    history: pulumi.Output[list[dict[str, Any]]]
    client_name: pulumi.Output[str | None]
    instance_name: pulumi.Output[str | None]
    subclient_name: pulumi.Output[str | None]
    databases: pulumi.Output[list[dict[str, Any]] | None]
    backup_level: pulumi.Output[str | None]
    triggers: pulumi.Output[list[Any] | None]

    def __init__(
        self,
        resource_name: str,
        args: OracleBackupTriggerArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Pass ``OracleBackupTriggerArgs``, or the same inputs as keyword arguments."""
        if args is not None and kwargs:
            raise TypeError("pass either args or keyword arguments, not both")
        args = args or OracleBackupTriggerArgs(**kwargs)
        props = {**registered_props(args, resource_name), PROVIDER_KEY: _serialized_provider()}
        # What ``Resource.__init__`` does, called past it: the SDK records the stack from the
        # caller of the third ``__init__`` up, so the resource's source position in the state
        # is the user's line rather than this one (and the stack one frame shorter).
        CustomResource.__init__(
            self, f"pulumi-python:{self._resource_type_name}", resource_name, props, opts
        )

    def __getattr__(self, name: str) -> Any:
        # An input left unset is not registered (each registered property costs the SDK an
        # Output it tracks until the program ends), so its output attribute is made here, on
        # first use: None, as the provider echoes it.
        if name in INPUT_NAMES:
            output: pulumi.Output[Any] = pulumi.Output.from_input(None)
            setattr(self, name, output)
            return output
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
