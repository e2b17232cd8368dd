"""The one integer parser of the emulator: JSON numbers, query strings and path segments.

Commvault clients send ids as JSON numbers (``"jobId": 3400891``), as strings
(``"clientId": "2"``, cvpysdk does both) and in URLs (``Job/3400891``, ``?clientId=2``).
``as_int`` accepts a non-boolean int, an integral float, or a string of digits (with an
optional sign, surrounding spaces allowed); anything else is None. ``require_int`` is the
same but raises ``ValueError`` naming the field.
"""

from __future__ import annotations

import re
from typing import Any

_DIGITS = re.compile(r"[+-]?\d+")


def as_int(value: Any) -> int | None:
    """The integer ``value`` stands for, or None (booleans are not integers here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def as_id(value: Any) -> int | None:
    """An entity id: ``as_int`` restricted to values >= 0 (a path or query never names -1)."""
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def require_int(value: Any, what: str) -> int:
    """``as_int``, raising ``ValueError("<what> must be an integer")`` instead of None."""
    number = as_int(value)
    if number is None:
        raise ValueError(f"{what} must be an integer")
    return number
