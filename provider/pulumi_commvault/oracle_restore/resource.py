"""``OracleRestore``: a Commvault restore of an Oracle database, run by ``pulumi up``.

    staging = OracleRestore("refresh-staging",
        client_name="oradb01", instance_name="ORCL", latest=True,
        destination_client_name="oradb02", destination_instance_name="SALES",
        triggers=[week])

Creating the resource runs one restore job and, by default, waits for it. A change of the
restore (its point, source, destination, ``recover``, ``triggers``) runs it again; preview,
a no-op ``up``, ``refresh`` and ``destroy`` never start one. An in-place restore needs
``confirm_overwrite="<client>/<instance>"``.
"""

from __future__ import annotations

import functools
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .. import sdk_internals
from ..backup_trigger.resource import OracleBackupTrigger
from ..declarations import ResourceArgs, args_class, unset_input_output
from ..provider import OracleRestoreProvider
from .inputs import INPUT_NAMES, RestoreInputs
from .outputs import RESULT_KEYS

OracleRestoreArgs: type[ResourceArgs] = args_class(
    RestoreInputs,
    "OracleRestoreArgs",
    "The inputs of an ``OracleRestore``.\n\n"
    "Name the source database (``client_name``, ``instance_name``), exactly one restore point "
    "(``from_backup``, ``backup_job_ids``, ``point_in_time``, ``scn`` or ``latest=True``) and, "
    "for an out-of-place restore, the destination; in place needs ``confirm_overwrite``.",
    module=__name__,
    base=ResourceArgs,
)


@functools.cache
def _serialized_provider() -> tuple[str, bool]:
    return sdk_internals.serialize(OracleRestoreProvider())


def registered_props(args: ResourceArgs, resource_name: str) -> dict[str, Any]:
    """The inputs that are set (``from_backup`` as the trigger's recorded jobs), the
    request's name, and the results (as None, so the SDK makes them outputs)."""
    props = args.to_props()
    if isinstance(props.get("from_backup"), OracleBackupTrigger):
        props["from_backup"] = props["from_backup"].jobs
    return {
        **props,
        "request_name": f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}",
        **dict.fromkeys(RESULT_KEYS),
    }


class OracleRestore(Resource, module="commvault", name="OracleRestore"):
    """Restores an Oracle database from its Commvault backups on create and when its restore
    (or ``triggers``) changes.

    Outputs: ``task_id``, ``job_id``, ``job_ids``, ``jobs`` (status, start and end time),
    ``restore_point`` (kind, backup job ids, point in time or SCN, source, destination),
    ``request_marker`` and ``history`` (earlier restores), plus every input.
    """

    task_id: pulumi.Output[str | None]
    job_id: pulumi.Output[str | None]
    job_ids: pulumi.Output[list[str]]
    jobs: pulumi.Output[list[dict[str, Any]]]
    restore_point: pulumi.Output[dict[str, Any]]
    request_marker: pulumi.Output[str]
    history: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        args: ResourceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Pass ``OracleRestoreArgs``, or the same inputs as keyword arguments;
        ``from_backup`` takes an ``OracleBackupTrigger``."""
        if args is not None and kwargs:
            raise TypeError("pass either args or keyword arguments, not both")
        args = args or OracleRestoreArgs(**kwargs)
        backup = getattr(args, "from_backup", None)
        if isinstance(backup, OracleBackupTrigger):
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[backup]))
        sdk_internals.register(
            self,
            OracleRestoreProvider(),
            _serialized_provider,
            resource_name,
            registered_props(args, resource_name),
            opts,
        )

    def __getattr__(self, name: str) -> pulumi.Output[Any]:
        output: pulumi.Output[Any] = unset_input_output(self, name, INPUT_NAMES)
        return output
