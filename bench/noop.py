"""The engine's floor: a dynamic resource whose provider does nothing.

Like ``OracleBackupTriggerProvider`` it lives in an importable module (so dill pickles it by
reference, a few hundred bytes per resource) and sets ``serialize_as_secret_always = False``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    """Create, diff and update echo the inputs; no I/O, no waiting."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{uuid.uuid4().hex}", props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds != news, replaces=[])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)


class Noop(Resource, module="bench", name="Noop"):
    """A dynamic resource holding ``props`` and nothing else."""

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(NoopProvider(), name, dict(props), opts)
