"""Commvault enums in every form a CommServe accepts: names in any case, and numbers.

Commvault's REST API takes an enum as its name (``"BACKUP"``, ``"Full"``: the XML templates
of the 11.44 documentation write ``FULL``, ``IMMEDIATE``, ``COMMANDLINE``) or as its number
(cvpysdk sends ``"subTaskType": 2``, ``"taskType": 1``, ``"initiatedFrom": 2``), a number
possibly as a string. ``CommvaultEnum.parse`` maps any of them to the canonical name.
Numbers marked UNCERTAIN in docs/emulator.md were not found in any source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commvault_emulator.integers import as_int


@dataclass(frozen=True)
class CommvaultEnum:
    field: str
    values: tuple[tuple[str, int], ...]
    """(canonical name, number) pairs."""
    aliases: tuple[tuple[str, str], ...] = ()
    """(other spelling, canonical name) pairs, e.g. ``SYNTHETIC_FULL`` for ``Synthetic_full``."""

    def parse(self, value: Any) -> str | None:
        """The canonical name ``value`` stands for, or None."""
        number = as_int(value)
        if number is not None:
            return next((name for name, n in self.values if n == number), None)
        if not isinstance(value, str):
            return None
        wanted = _folded(value)
        for name, _ in self.values:
            if _folded(name) == wanted:
                return name
        return next((name for alias, name in self.aliases if _folded(alias) == wanted), None)

    def spellings(self) -> str:
        return ", ".join(f"{name} ({number})" for name, number in self.values)


def _folded(text: str) -> str:
    """Case and separators do not matter: ``Synthetic_full``, ``SYNTHETIC FULL``."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# cvpysdk subclient.backup: "Full", "Incremental", "Differential", "Synthetic_full"; the
# numbers 1 and 2 are the Terraform provider's; 4 and 8 are UNCERTAIN.
BACKUP_LEVEL = CommvaultEnum(
    "backupLevel",
    (("Full", 1), ("Incremental", 2), ("Differential", 4), ("Synthetic_full", 8)),
)
# cvpysdk subclient._json_backup_subtasks: {"subTaskType": 2, "operationType": 2}.
SUBTASK_TYPE = CommvaultEnum("subTaskType", (("BACKUP", 2),))
OPERATION_TYPE = CommvaultEnum("operationType", (("BACKUP", 2),))
# cvpysdk subclient._json_task: "taskType": 1 (immediate); storage_policies: 2 with a
# schedule pattern; the 11.44 XML templates: IMMEDIATE.
TASK_TYPE = CommvaultEnum("taskType", (("IMMEDIATE", 1), ("SCHEDULE", 2)))
# cvpysdk: 2 by default, 1 when it impersonates the GUI; the XML templates: COMMANDLINE.
# UNCERTAIN: which of 1 and 2 is COMMANDLINE; 3 for SCHEDULER.
INITIATED_FROM = CommvaultEnum(
    "initiatedFrom",
    (("GUI", 1), ("COMMANDLINE", 2), ("SCHEDULER", 3)),
    aliases=(("INTERACTIVE", "GUI"),),
)
