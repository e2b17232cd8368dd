"""Reading a ``POST CreateTask`` body into a backup request, with Commvault's error answers.

A body that is not a JSON object, or lacks ``taskInfo``, ``taskInfo.associations`` (an
array) or ``taskInfo.subTasks`` (a non-empty array of objects), is malformed: 400 with the
documented JSON string. A well-formed body that names something unknown or not Oracle, an
unsupported subtask or an invalid backup level gets 200 ``{"errorCode", "errorMessage"}``.
Every association is checked before any job starts: one bad association starts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from commvault_emulator.enums import (
    BACKUP_LEVEL,
    INITIATED_FROM,
    OPERATION_TYPE,
    SUBTASK_TYPE,
    TASK_TYPE,
)
from commvault_emulator.integers import as_int
from commvault_emulator.inventory import ORACLE_APP_ID, Inventory, Target


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def id(self) -> int: ...


_Child = TypeVar("_Child", bound=_Named)

ERR_NO_ELIGIBLE = 587207178  # from Commvault's one documented CreateTask failure example
ERR_INVALID_OPTION = 1  # UNCERTAIN: the code a real CommServe uses for a bad option
NO_ELIGIBLE = "Failed to start backups as no eligible subclients were found. "
ORACLE_LEVELS = ("Full", "Incremental")


class MalformedBodyError(Exception):
    """The body is not a CreateTask request at all (answered with 400)."""


class CreateTaskError(Exception):
    """A well-formed request the CommServe refuses (answered 200 with errorCode)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class BackupRequest:
    targets: list[Target]
    level: str
    cumulative: bool
    description: str
    notify: bool
    initiated_from: str
    """``initiatedFrom``'s canonical name, or empty when the task did not say."""


def parse_create_task(body: Any, inventory: Inventory) -> BackupRequest:
    """The backup a CreateTask body asks for, resolved against the inventory."""
    task_info = _dict(body.get("taskInfo") if isinstance(body, dict) else None)
    associations = task_info.get("associations")
    subtasks = task_info.get("subTasks")
    if not isinstance(associations, list) or not isinstance(subtasks, list) or not subtasks:
        raise MalformedBodyError
    options = _backup_options(subtasks)
    backup_opts = _dict(options.get("backupOpts", {}))
    common_opts = _dict(options.get("commonOpts", {}))
    oracle_opts = _dict(backup_opts.get("oracleOptions", {}))
    level = _level(backup_opts.get("backupLevel"))
    task = task_info.get("task")
    initiated_from = _task_fields(task if isinstance(task, dict) else {})
    if not associations:
        raise CreateTaskError(ERR_NO_ELIGIBLE, NO_ELIGIBLE + "The request has no associations.")
    targets = [_resolve(a, n, inventory) for n, a in enumerate(associations)]
    description = common_opts.get("jobDescription", "")
    return BackupRequest(
        targets=targets,
        level=level,
        cumulative=oracle_opts.get("cumulative") is True,
        description=description if isinstance(description, str) else str(description),
        notify=common_opts.get("notifyUserOnJobCompletion") is True,
        initiated_from=initiated_from,
    )


def _task_fields(task: dict[str, Any]) -> str:
    """Check ``taskType`` (only IMMEDIATE runs) and ``initiatedFrom``; the latter's name."""
    if "taskType" in task:
        task_type = TASK_TYPE.parse(task["taskType"])
        if task_type is None:
            raise CreateTaskError(
                ERR_INVALID_OPTION,
                f"Unsupported taskType [{task['taskType']}]: use {TASK_TYPE.spellings()}.",
            )
        if task_type != "IMMEDIATE":
            raise CreateTaskError(
                ERR_INVALID_OPTION,
                "Scheduled tasks are not emulated: use taskType IMMEDIATE (1).",
            )
    if "initiatedFrom" not in task:
        return ""
    initiated_from = INITIATED_FROM.parse(task["initiatedFrom"])
    if initiated_from is None:
        raise CreateTaskError(
            ERR_INVALID_OPTION,
            f"Unsupported initiatedFrom [{task['initiatedFrom']}]: "
            f"use {INITIATED_FROM.spellings()}.",
        )
    return initiated_from


def subclient_backup_request(target: Target, level: Any) -> BackupRequest:
    """The backup ``Subclient/{id}/action/backup?backupLevel=`` asks for (Oracle only)."""
    if target.instance.application_id != ORACLE_APP_ID:
        raise _refuse(
            f"Instance [{target.instance.name}] on client [{target.client.name}] is not an "
            f"Oracle instance (applicationId {target.instance.application_id})."
        )
    return BackupRequest(
        [target], _level(level), cumulative=False, description="", notify=False, initiated_from=""
    )


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBodyError
    return value


def _backup_options(subtasks: list[Any]) -> dict[str, Any]:
    """The options of the first subtask; it must be a backup (``BACKUP`` or ``2``)."""
    first = _dict(subtasks[0])
    subtask = _dict(first.get("subTask"))
    for key, enum in (("subTaskType", SUBTASK_TYPE), ("operationType", OPERATION_TYPE)):
        if key in subtask and enum.parse(subtask[key]) != "BACKUP":
            raise CreateTaskError(
                ERR_INVALID_OPTION,
                f"Unsupported {key} [{subtask[key]}]: only backups (BACKUP or 2) can be started.",
            )
    if "subTaskType" not in subtask:
        raise CreateTaskError(ERR_INVALID_OPTION, "The subtask has no subTaskType.")
    return _dict(first.get("options", {}))


def _level(value: Any) -> str:
    """Full or Incremental, as a name in any case or a number (1, 2); omitted means Full
    (UNCERTAIN: the subclient default)."""
    if value is None:
        return "Full"
    level = BACKUP_LEVEL.parse(value)
    if level not in ORACLE_LEVELS:
        raise CreateTaskError(
            ERR_INVALID_OPTION,
            f"Backup level [{value}] is not valid for Oracle subclients: use Full or Incremental.",
        )
    return level


def _text(assoc: dict[str, Any], key: str) -> str | None:
    value = assoc.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _refuse(detail: str) -> CreateTaskError:
    return CreateTaskError(ERR_NO_ELIGIBLE, NO_ELIGIBLE + detail)


def _resolve(assoc: Any, index: int, inventory: Inventory) -> Target:
    """The subclient an association names: names win over ids when both are given."""
    if not isinstance(assoc, dict):
        raise MalformedBodyError
    client_name, client_id = _text(assoc, "clientName"), as_int(assoc.get("clientId"))
    client = (
        inventory.client(client_name)
        if client_name
        else (inventory.client_by_id(client_id) if client_id is not None else None)
    )
    if client is None:
        if client_name is None and client_id is None:
            raise _refuse(f"Association [{index}] names no client.")
        raise _refuse(f"Client [{client_name or client_id}] not found.")
    app_id, app_name = as_int(assoc.get("applicationId")), _text(assoc, "appName")
    if (app_id is not None and app_id != ORACLE_APP_ID) or (
        app_id is None and app_name is not None and app_name.casefold() != "oracle"
    ):
        raise _refuse(
            f"Application [{app_id if app_id is not None else app_name}] is not Oracle: "
            f"only Oracle (applicationId {ORACLE_APP_ID}) subclients can be backed up."
        )
    instance = _named_child(
        assoc, index, "instance", client.instances, f"on client [{client.name}]"
    )
    if instance.application_id != ORACLE_APP_ID:
        raise _refuse(
            f"Instance [{instance.name}] on client [{client.name}] is not an Oracle instance "
            f"(applicationId {instance.application_id})."
        )
    backupset = _text(assoc, "backupsetName")
    if backupset is not None and backupset.casefold() != instance.backupset_name.casefold():
        raise _refuse(f"Backupset [{backupset}] not found in instance [{instance.name}].")
    subclient = _named_child(
        assoc,
        index,
        "subclient",
        instance.subclients,
        f"in instance [{instance.name}] of client [{client.name}]",
    )
    return Target(client, instance, subclient)


def _named_child(
    assoc: dict[str, Any], index: int, kind: str, children: Sequence[_Child], where: str
) -> _Child:
    """The instance or subclient an association names by name (any case) or by id."""
    name, number = _text(assoc, f"{kind}Name"), as_int(assoc.get(f"{kind}Id"))
    for child in children:
        if (child.name.casefold() == name.casefold()) if name else (child.id == number):
            return child
    if name is None and number is None:
        raise _refuse(f"Association [{index}] names no {kind}.")
    raise _refuse(f"{kind.capitalize()} [{name or number}] not found {where}.")
