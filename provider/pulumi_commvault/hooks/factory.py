"""``oracle_backup_hook``: the backup inputs, checked by ``OracleBackupTrigger``'s own
declaration, and the steps to protect; bad input fails here, naming the argument."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pulumi

from ..backup_trigger.inputs import DECLARED, BackupTriggerInputs
from ..declarations import refusing_unknown_keywords
from ..validation import InputError
from .binding import OracleBackupHook
from .marker import DEFAULT_ON, operations_from
from .support import support


class HookInputError(pulumi.RunError):
    """An argument of ``oracle_backup_hook`` that does not validate: the program stops with
    this one line (a ``RunError`` shows no traceback)."""


@refusing_unknown_keywords(HookInputError)
def oracle_backup_hook(
    name: str,
    *,
    client_name: str | None = None,
    instance_name: str | None = None,
    subclient_name: str | None = None,
    databases: list[Any] | None = None,
    backup_level: str = "full",
    cumulative: bool = False,
    on: Iterable[str] = DEFAULT_ON,
    timeout_minutes: float = 60,
    description: str | None = None,
    accept_completed_with_errors: bool = False,
) -> OracleBackupHook:
    """A Commvault backup the engine takes before the bound resource changes.

    Bind it with ``opts=pulumi.ResourceOptions(hooks=hook.binding())``. Before the resource
    is updated in place, replaced or deleted (``on``; add ``"create"`` for its first
    creation), the hook backs up the databases and waits until every job finished well; a
    backup that fails stops the step and the resource is left as it was. Never in preview.
    """
    if not isinstance(name, str) or not name.strip():
        raise HookInputError("oracle_backup_hook: name: give the hook a non-empty name")
    usable = support(name)
    props = {
        "client_name": client_name,
        "instance_name": instance_name,
        "subclient_name": subclient_name,
        "databases": databases,
        "backup_level": backup_level,
        "cumulative": cumulative,
        "timeout_minutes": timeout_minutes,
        "description": description,
        "accept_completed_with_errors": accept_completed_with_errors,
    }
    try:
        inputs: BackupTriggerInputs = DECLARED.parse(
            {k: v for k, v in props.items() if v is not None}
        )
        operations = operations_from(on)
    except (InputError, ValueError) as exc:
        raise HookInputError(f"oracle_backup_hook {name!r}: {exc}") from None
    return OracleBackupHook(name, inputs, operations, usable)
