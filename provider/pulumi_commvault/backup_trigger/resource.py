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
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .. import sdk_internals
from ..commvault.backups import Database
from ..declarations import ResourceArgs, args_class, unset_input_output
from ..provider import OracleBackupTriggerProvider
from .inputs import INPUT_NAMES, BackupTriggerInputs
from .outputs import RESULT_KEYS

DatabaseArgs: type[ResourceArgs] = args_class(
    Database,
    "DatabaseArgs",
    "One Oracle database in Commvault: its client, its instance (SID), its subclient.",
    module=__name__,
    base=ResourceArgs,
)

OracleBackupTriggerArgs: type[ResourceArgs] = args_class(
    BackupTriggerInputs,
    "OracleBackupTriggerArgs",
    "The inputs of an ``OracleBackupTrigger``.\n\n"
    "Name one database with ``client_name`` and ``instance_name`` (and ``subclient_name``), "
    "or several with ``databases``: they are backed up by one Commvault task, one job each, "
    "and waited for side by side, so the whole set takes about as long as its slowest backup.",
    module=__name__,
    base=ResourceArgs,
)


@functools.cache
def _serialized_provider() -> tuple[str, bool]:
    """The provider as every resource carries it: pickled by reference, the same each time,
    never a secret (it holds nothing); made once per program instead of once per resource."""
    return sdk_internals.serialize(OracleBackupTriggerProvider())


def registered_props(args: ResourceArgs, resource_name: str) -> dict[str, Any]:
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
    every input (as given; None where unset).
    """

    task_id: pulumi.Output[str | None]
    job_ids: pulumi.Output[list[str]]
    jobs: pulumi.Output[list[dict[str, Any]]]
    request_marker: pulumi.Output[str]
    history: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        args: ResourceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Pass ``OracleBackupTriggerArgs``, or the same inputs as keyword arguments."""
        if args is not None and kwargs:
            raise TypeError("pass either args or keyword arguments, not both")
        args = args or OracleBackupTriggerArgs(**kwargs)
        sdk_internals.register(
            self,
            OracleBackupTriggerProvider(),
            _serialized_provider,
            resource_name,
            registered_props(args, resource_name),
            opts,
        )

    def __getattr__(self, name: str) -> pulumi.Output[Any]:
        output: pulumi.Output[Any] = unset_input_output(self, name, INPUT_NAMES)
        return output
