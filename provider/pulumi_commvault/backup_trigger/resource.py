"""``OracleBackupTrigger``: a Commvault backup of Oracle databases, taken by ``pulumi up``.

    snap = OracleBackupTrigger("before-migration-42",
        client_name="oradb01", instance_name="ORCL",
        backup_level="full", triggers=[schema_version])

Creating the resource starts a backup and, by default, waits for it to finish, so resources
that depend on it run only once the restore point exists. Changing ``triggers`` (or what is
backed up) takes a new backup; the earlier one is kept in ``history``. Deleting the resource
never deletes a backup. Preview never calls Commvault.

The class and its typed ``OracleBackupTriggerArgs`` are generated from the inputs'
declaration into ``typed_api.py``.
"""

from __future__ import annotations

from typing import Any

from ..declarations import ResourceArgs
from ..job_resource import registered_props as _registered_props
from ..typed_api import DatabaseArgs, OracleBackupTrigger, OracleBackupTriggerArgs
from .outputs import RESULT_KEYS

__all__ = ["DatabaseArgs", "OracleBackupTrigger", "OracleBackupTriggerArgs", "registered_props"]


def registered_props(args: ResourceArgs, resource_name: str) -> dict[str, Any]:
    """What an ``OracleBackupTrigger`` registers: the inputs that are set, the request's name,
    and its results (as None, so the SDK makes them outputs)."""
    return _registered_props(args.to_props(), resource_name, RESULT_KEYS)
