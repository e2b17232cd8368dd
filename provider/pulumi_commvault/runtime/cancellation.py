"""Whether the engine asked this provider process to cancel (the user pressed Ctrl-C).

Set by the engine's ``Cancel`` (through ``sdk_internals.on_engine_cancel``); waits look at it
and end, leaving their jobs running in Commvault. The engine starts a fresh provider process
for each operation, so the flag is never cleared.
"""

from __future__ import annotations

import threading

requested = threading.Event()


def request() -> None:
    """The engine's Cancel arrived."""
    requested.set()
