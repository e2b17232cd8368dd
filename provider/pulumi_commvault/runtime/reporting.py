"""What the user sees from the provider process: progress lines and one-sentence failures."""

from __future__ import annotations

import sys


class OperationFailed(Exception):
    """What the user sees when an operation fails: one sentence that says what to do, no
    secrets. Each resource's provider raises its own subclass."""


def say(message: str) -> None:
    """A line in ``pulumi up``'s output (the engine shows a dynamic provider's stdout)."""
    print(message, flush=True)


def warn(message: str) -> None:
    """A warning in ``pulumi up``/``refresh`` output (stderr lines show on the stack's row)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)
