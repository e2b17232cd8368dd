"""Which engine step a hook call is, whether it takes a backup, and the change's marker.

Pure rules over plain values, so they are tested as tables. The engine calls a
``before_delete`` hook with the same arguments for a replacement's old copy and for a plain
delete; only the new copy's ``before_create``, earlier in the same run for the same URN,
tells them apart (``Replacements``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..job_inputs import marker_of
from ..validation import canonical

Operation = Literal["create", "update", "replace", "delete"]
OPERATIONS: tuple[Operation, ...] = ("create", "update", "replace", "delete")
#: What a hook protects unless told otherwise: every change that can lose data.
DEFAULT_ON: tuple[Operation, ...] = ("update", "replace", "delete")


def operations_from(on: Iterable[str]) -> tuple[Operation, ...]:
    """``on`` as the user wrote it, checked; ``ValueError`` names what is not an operation."""
    chosen = [str(o).strip().lower() for o in ([on] if isinstance(on, str) else on)]
    wrong = [o for o in chosen if o not in OPERATIONS]
    if wrong or not chosen:
        raise ValueError(
            f"on: {', '.join(map(repr, wrong)) or 'empty'} is not an operation; "
            f"give some of {', '.join(OPERATIONS)}"
        )
    return tuple(o for o in OPERATIONS if o in chosen)


@dataclass(frozen=True)
class Created:
    """A copy of the URN created earlier in this run: its inputs, and whether its
    ``before_create`` already took a backup (``on`` with ``create``)."""

    new_inputs: dict[str, Any]
    backed_up: bool


class Replacements:
    """The URNs whose new copy was created in this run: their delete is a replacement's."""

    def __init__(self) -> None:
        self._created: dict[str, Created] = {}
        self._lock = threading.Lock()

    def created(self, urn: str, new_inputs: dict[str, Any], *, backed_up: bool) -> None:
        with self._lock:
            self._created[urn] = Created(new_inputs, backed_up)

    def of(self, urn: str) -> Created | None:
        """The replacing copy, when ``urn`` was created earlier in this run."""
        with self._lock:
            return self._created.get(urn)


def delete_kind(replacing: Created | None) -> Operation:
    """A ``before_delete``: the old copy of a replacement, or the resource going away."""
    return "replace" if replacing is not None else "delete"


def takes_backup(
    operation: Operation, on: tuple[Operation, ...], replacing: Created | None = None
) -> bool:
    """Whether this step is one the hook protects. A create is a first creation or a
    replacement's new copy (the engine does not say which): backed up only when ``on`` asks,
    and then the replacement's delete needs no second backup."""
    if operation == "replace" and replacing is not None and replacing.backed_up:
        return False
    return operation in on


def change_marker(
    urn: str,
    operation: Operation,
    old_inputs: Mapping[str, Any] | None,
    new_inputs: Mapping[str, Any] | None,
) -> str:
    """The request marker of one change: the same each time that change is retried (a
    re-run adopts its backup), another for any other change of the resource."""
    identity = {
        "hook": urn,
        "operation": operation,
        "old": canonical(dict(old_inputs or {})),
        "new": canonical(dict(new_inputs or {})),
    }
    return marker_of(identity)
