"""Whether the SDK shims are on, and the one warning a fallback gives, once per process."""

from __future__ import annotations

import os
import sys
import threading

import pulumi

SHIMS_VARIABLE = "PULUMI_COMMVAULT_SDK_SHIMS"

_warned: set[str] = set()
_warned_lock = threading.Lock()


def shims_enabled() -> bool:
    return os.environ.get(SHIMS_VARIABLE, "on").strip().lower() not in ("off", "0", "false")


def warn_fallback(what: str, why: str) -> None:
    """Say once per process that ``what`` falls back, and why: working, but not as designed."""
    with _warned_lock:
        if what in _warned:
            return
        _warned.add(what)
    message = (
        f"pulumi-commvault: {what} falls back to the Pulumi SDK's public behaviour ({why}); "
        "it keeps working. Please report this with your pulumi version."
    )
    try:
        pulumi.log.warn(message)
    except Exception:
        print(message, file=sys.stderr, flush=True)
