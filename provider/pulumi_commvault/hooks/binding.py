"""``OracleBackupHook``: the named Pulumi hooks one ``oracle_backup_hook`` makes, and the
binding a resource takes (``ResourceOptions(hooks=hook.binding())``).

The hooks run in the program process; the engine waits for each before it goes on with the
step. The backup's blocking work runs in a thread, so the program's event loop (other
resources, other hooks) goes on meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import pulumi

if TYPE_CHECKING:
    # Names of SDK 3.182 (3.219: error hooks); the factory refuses an older SDK in one line
    # before anything here is used, so this module imports on any SDK.
    from pulumi import ErrorHook, ErrorHookArgs, ResourceHookArgs, ResourceHookBinding

from .. import sdk_internals
from ..backup_trigger.inputs import BackupTriggerInputs
from ..commvault.backups import StartedJob
from .marker import Operation, Replacements, change_marker, delete_kind, takes_backup
from .record import finished_line, job_description, restore_line, started_line
from .run import Taken, take_backup
from .support import Support


class OracleBackupHook:
    """A pre-change backup of Oracle databases, as Pulumi resource hooks."""

    def __init__(
        self,
        name: str,
        inputs: BackupTriggerInputs,
        on: tuple[Operation, ...],
        support: Support,
    ) -> None:
        self.name = name
        self.inputs = inputs
        self.on = on
        self._replacements = Replacements()
        self._taken: dict[str, Taken] = {}
        self._lock = threading.Lock()
        hook = pulumi.ResourceHook
        self.before_create = hook(f"{name}-before-create", self._before_create)
        self.before_update = hook(f"{name}-before-update", self._before_update)
        self.before_delete = hook(f"{name}-before-delete", self._before_delete)
        # Error hooks (SDK and CLI 3.219): without them the backup still runs, and a failed
        # step only lacks the line with its restore command.
        self.on_error: ErrorHook | None = (
            pulumi.ErrorHook(f"{name}-on-error", self._on_error) if support.error_hooks else None
        )

    def binding(self) -> ResourceHookBinding:
        """The hooks for ``ResourceOptions(hooks=...)``. ``before_create`` is bound whenever
        replacements are protected: it is how a replacement's delete is told from a
        destroy's."""
        wanted = set(self.on)
        binding = pulumi.ResourceHookBinding(
            before_create=[self.before_create] if wanted & {"create", "replace"} else None,
            before_update=[self.before_update] if "update" in wanted else None,
            before_delete=[self.before_delete] if wanted & {"replace", "delete"} else None,
        )
        if self.on_error is not None:
            binding.on_error = [self.on_error]
        return binding

    async def _before_create(self, args: ResourceHookArgs) -> None:
        news = await _plain(args.new_inputs)
        backs_up = takes_backup("create", self.on)
        self._replacements.created(args.urn, news, backed_up=backs_up)
        if backs_up:
            await self._protect(args.urn, "create", None, news)

    async def _before_update(self, args: ResourceHookArgs) -> None:
        if takes_backup("update", self.on):
            olds, news = await _plain(args.old_inputs), await _plain(args.new_inputs)
            await self._protect(args.urn, "update", olds, news)

    async def _before_delete(self, args: ResourceHookArgs) -> None:
        replacing = self._replacements.of(args.urn)
        operation = delete_kind(replacing)
        if takes_backup(operation, self.on, replacing):
            news = replacing.new_inputs if replacing is not None else None
            await self._protect(args.urn, operation, await _plain(args.old_inputs), news)

    async def _protect(
        self,
        urn: str,
        operation: Operation,
        olds: Mapping[str, Any] | None,
        news: Mapping[str, Any] | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        row = _Row(urn)

        def on_started(jobs: list[StartedJob]) -> None:
            loop.call_soon_threadsafe(_info, started_line(operation, jobs), row)

        taken = await asyncio.to_thread(
            take_backup,
            self.inputs,
            change_marker(urn, operation, olds, news),
            job_description(urn, operation, self.inputs.description),
            lookup=_program_config(),
            on_started=on_started,
        )
        with self._lock:
            self._taken[urn] = taken
        await sdk_internals.log_sent(finished_line(operation, taken.jobs), row.resource())

    def _on_error(self, args: ErrorHookArgs) -> bool:
        """Print the restore point of the failed step and its restore command; never
        restore, never retry."""
        with self._lock:
            taken = self._taken.get(args.urn)
        if taken is not None:
            pulumi.log.warn(
                restore_line(args.failed_operation, taken.jobs), _Row(args.urn).resource()
            )
        return False


class _Row:
    """Stands for the protected resource in ``pulumi.log``, which needs only its URN: the
    line shows on that resource's row."""

    def __init__(self, urn: str) -> None:
        self.urn = pulumi.Output.from_input(urn)

    def resource(self) -> pulumi.Resource:
        return cast(pulumi.Resource, self)


def _info(line: str, row: _Row) -> None:
    pulumi.log.info(line, row.resource())


def _program_config() -> Any:
    """``commvault:*`` from the program's stack config (secrets decrypted by the engine);
    ``settings.resolve`` falls back to the ``COMMVAULT_*`` variables."""
    config = pulumi.Config("commvault")
    return lambda key: config.get(key.split(":", 1)[1])


async def _plain(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The inputs with secrets unwrapped: only their digest enters the change's marker."""
    return {k: await _value(v) for k, v in (values or {}).items()}


async def _value(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        return await _value(await value.future(with_unknowns=True))
    if isinstance(value, Mapping):
        return {k: await _value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [await _value(v) for v in value]
    return value
