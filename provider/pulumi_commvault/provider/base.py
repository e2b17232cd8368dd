"""What every resource's provider shares: settings, client, and the CRUD skeleton.

A ``ResourceCore`` works on plain dicts (the inputs and outputs as the engine stores them)
and raises its resource's ``OperationFailed`` with the one sentence the user reads. Pulumi's
dynamic ``ResourceProvider`` is a thin adapter over it (``DynamicProvider``), so another
front end (a provider plugin speaking the engine's gRPC protocol) can call the same
check, diff, create, read, update and delete.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .. import sdk_internals
from ..commvault.backups import JobDecisions
from ..commvault.client import CommvaultClient
from ..commvault.connection import ConnectionSettings
from ..commvault.models import JobSummary
from ..commvault.transport import CONNECTIONS_PER_HOST
from ..commvault.watcher import JobWatcher, client_ids_of_jobs
from ..job_inputs import Declared, normalized
from ..runtime import cancellation, connections, settings
from ..runtime.advice import Stage, failure_line
from ..runtime.reporting import OperationFailed
from ..validation import InputError
from . import front_end

#: Provider calls served at once: more than the engine's default ``--parallel`` on most
#: machines, and as many as the HTTP client keeps connections to the CommServe.
PROVIDER_WORKERS = CONNECTIONS_PER_HOST


@dataclass(frozen=True)
class Checked:
    """What check decided: the inputs to store, and ``(field, reason)`` per bad one."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]] = field(default_factory=list)


def configure(lookup: Callable[[str], Any]) -> None:
    """Resolve the ``commvault:*`` settings once for the process; a problem with them is
    reported by the first operation that needs them."""
    settings.configure(lambda key: None if lookup(key) is None else str(lookup(key)))


def show_warnings_plainly() -> None:
    """A warning of this provider process (``commvault:insecure``'s, say) reads as one
    ``warning: ...`` line, shown once, not as Python's ``file:line: UserWarning`` with the
    source line under it."""
    warnings.formatwarning = _one_line
    warnings.simplefilter("once", UserWarning)


def _one_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    del category, filename, lineno, line  # the sentence says it all
    return f"warning: {message}\n"


class ResourceCore(ABC):
    """One resource's check/diff/create/read/update/delete over plain dicts.

    Subclasses say how inputs are checked and compared, how a job is run and how outputs are
    built; the skeleton (early returns, no API call where none is needed) is here once.
    """

    #: The error the user sees when an operation of this resource fails.
    failure: ClassVar[type[OperationFailed]]

    #: The resource's inputs: their declaration and the rules over it.
    declared: ClassVar[Declared[Any]]

    # --- what each resource says -------------------------------------------------------

    @abstractmethod
    def kept_outputs(self, news: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        """The outputs of an update that runs no job: new inputs, recorded results."""

    @abstractmethod
    def run(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        """Start (or adopt) the resource's job, wait unless told not to; the outputs."""

    @abstractmethod
    def resource_id(self, outs: dict[str, Any]) -> str: ...

    @abstractmethod
    def read(self, id_: str, props: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def delete(self, props: dict[str, Any]) -> None: ...

    def checked_inputs(self, inputs: Any) -> None:
        """Called with inputs that passed check (no API call allowed); most need nothing."""
        del inputs

    # --- the skeleton --------------------------------------------------------------------

    def check(self, news: dict[str, Any]) -> Checked:
        """Every input validated, one failure per bad field; unknown values pass. No API call.
        A missing ``commvault:url`` fails here, so preview already names it; other settings
        are reported by the operation that needs them."""
        try:
            settings.current()
        except settings.MissingURLError as exc:
            raise self.failure(str(exc)) from None
        except settings.SettingsError:
            pass
        inputs, failures = self.declared.check(news)
        if inputs is None or failures:
            return Checked(news, failures)
        self.checked_inputs(inputs)
        return Checked(normalized(inputs))

    def diff(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """Whether anything changed; every change is an update (never a replace)."""
        return self.runs_a_new_job(olds, news) or self.declared.behaviour_changed(olds, news)

    def runs_a_new_job(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """Whether the change runs the resource's job again (``NEW_JOB`` inputs changed)."""
        return self.declared.runs_a_new_job(olds, news)

    def create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        outs = self.run(props, previous=None)
        return self.resource_id(outs), outs

    def update(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        if self.runs_a_new_job(olds, news):
            return self.run(news, previous=olds)
        self.parsed(news)
        return self.kept_outputs(news, olds)

    # --- shared helpers, each failing with the resource's sentence -----------------------

    def parsed(self, props: dict[str, Any]) -> Any:
        try:
            return self.declared.parse(props)
        except InputError as exc:
            raise self.failure(str(exc)) from None

    def settings(self) -> ConnectionSettings:
        try:
            return settings.current()
        except settings.SettingsError as exc:
            raise self.failure(str(exc)) from None

    def client(self) -> CommvaultClient:
        return connections.client_for(self.settings())

    def decisions(self) -> JobDecisions:
        try:
            return settings.job_decisions()
        except settings.SettingsError as exc:
            raise self.failure(str(exc)) from None

    def reads_per_hour(self) -> int | None:
        """The process's read budget for waits (a malformed one fails before anything starts)."""
        try:
            return settings.max_reads_per_hour()
        except settings.SettingsError as exc:
            raise self.failure(str(exc)) from None

    def failed(self, what: str, failure: Exception, stage: Stage) -> OperationFailed:
        """The resource's error for ``failure``: its one line (``advice.failure_line``)."""
        logs_in_with_password = self.settings().password is not None
        line = failure_line(what, failure, stage, logs_in_with_password=logs_in_with_password)
        return self.failure(line)


def watch_jobs(
    watcher: JobWatcher,
    jobs: list[tuple[str, str]],
    *,
    timeout_s: float,
    on_progress: Callable[[JobSummary], None],
) -> dict[str, JobSummary]:
    """Wait for ``(job id, client name)`` jobs with the process's watcher (one for every
    waiting resource, within the read budget); a Ctrl-C of the update ends the wait with
    ``WaitCancelledError`` and leaves the jobs running."""
    front_end.current().on_cancel(cancellation.request)
    return watcher.wait(
        [job_id for job_id, _ in jobs],
        timeout_s=timeout_s,
        client_ids=client_ids_of_jobs(watcher.client, jobs),
        on_progress=on_progress,
        cancelled=cancellation.requested,
    )


def earlier_job_ids(previous: dict[str, Any] | None) -> list[str]:
    """The jobs of the resource's earlier operations: never the request's own (``exclude``)."""
    if not previous:
        return []
    entries = [previous, *(previous.get("history") or [])]
    return [str(j) for entry in entries for j in entry.get("job_ids") or []]


def previous_job_ids(previous: dict[str, Any] | None) -> list[str]:
    """The jobs the resource recorded last (part of the next request's identity)."""
    return [str(j) for j in (previous or {}).get("job_ids") or []]


class DynamicProvider(ResourceProvider):
    """``pulumi.dynamic``'s provider as a thin adapter over a ``ResourceCore``.

    Its module path and class name are pickled into every stack's state; it holds nothing
    (settings and clients live at module level), so its pickle need not be a secret, which
    spares the engine one encryption per resource (``sdk_internals.register`` reads it).
    """

    serialize_as_secret_always = False
    core: ClassVar[ResourceCore]

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve the ``commvault:*`` settings once for the process, serve more calls at once
        than ``pulumi.dynamic``'s 4, and show our failures as their sentence, no traceback."""
        sdk_internals.widen_current_pool(PROVIDER_WORKERS)
        sdk_internals.show_plainly(OperationFailed)
        show_warnings_plainly()
        configure(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = self.core.check(_without_provider(news))
        return CheckResult(checked.inputs, [CheckFailure(f, why) for f, why in checked.failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The serialized provider (``__provider``) is ignored, so upgrading this package
        never runs a job. No API call."""
        changed = self.core.diff(_without_provider(olds), _without_provider(news))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_, outs = self.core.create(_without_provider(props))
        return CreateResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.core.update(_without_provider(olds), _without_provider(news)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.core.read(id_, _without_provider(props)))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.core.delete(_without_provider(props))


def _without_provider(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != sdk_internals.PROVIDER_KEY}
