"""What the user sees from the provider process: progress lines and one-sentence failures."""

from __future__ import annotations


class OperationFailed(Exception):
    """What the user sees when an operation fails: one sentence that says what to do, no
    secrets. Each resource's provider raises its own subclass."""


def say(message: str) -> None:
    """A line in ``pulumi up``'s output (the engine shows a dynamic provider's stdout)."""
    print(message, flush=True)
