"""Whether the engine asked this process to cancel (the user pressed Ctrl-C).

In a provider process, set by the engine's ``Cancel`` (through
``sdk_internals.on_engine_cancel``). In a program process (``oracle_backup_hook``'s waits),
set once the language host creates the file ``PULUMI_COMMVAULT_CANCEL_FILE`` names: the
engine's ``Cancel`` reaches the language host, never the program, which runs outside the
terminal's process group and so gets no SIGINT on a first Ctrl-C either. Waits look at it
and end, leaving their jobs running in Commvault. The engine starts a fresh process for each
operation, so the flag is never cleared.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

requested = threading.Event()

#: Set by tools/pulumi-language-python for the program it runs (``language_host.py``).
CANCEL_FILE_VARIABLE = "PULUMI_COMMVAULT_CANCEL_FILE"
#: How often a program looks for its cancel file.
CANCEL_FILE_CHECK_S = 0.25

_watching = threading.Lock()
_watched: set[str] = set()


def request() -> None:
    """The engine's Cancel arrived."""
    requested.set()


def program_cancellation() -> threading.Event:
    """``requested``, set once the language host says the engine cancelled (a program
    process); a daemon thread looks for the file, started once per process."""
    path = os.environ.get(CANCEL_FILE_VARIABLE)
    if path:
        with _watching:
            if path not in _watched:
                _watched.add(path)
                threading.Thread(
                    target=_watch_file, args=(Path(path),), name="cancel-file", daemon=True
                ).start()
    return requested


def _watch_file(path: Path) -> None:
    while not requested.wait(CANCEL_FILE_CHECK_S):
        if path.exists():
            request()
