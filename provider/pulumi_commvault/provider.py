"""The dynamic provider behind ``OracleBackupTrigger``: check, diff, create, update, read, delete.

This module's path and class name are part of every stack's state (the provider is pickled
by reference as ``pulumi_commvault.provider.OracleBackupTriggerProvider``): keep them stable.
The provider object holds nothing; the CommServe settings and the HTTP client live at module
level in ``runtime.settings`` and ``runtime.connections``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

from . import sdk_internals
from .backup_trigger.inputs import (
    BackupTriggerInputs,
    InputError,
    backup_changed,
    behaviour_changed,
    check_inputs,
    normalized,
    parse_inputs,
)
from .backup_trigger.outputs import (
    backup_results,
    build_outputs,
    refreshed,
    results_of,
)
from .commvault.backups import StartedJob, start_backup
from .commvault.client import CommvaultClient
from .commvault.connection import ConnectionSettings
from .commvault.errors import (
    AuthenticationError,
    CommvaultError,
    JobFailedError,
    WaitTimeoutError,
)
from .commvault.job_status import JobOutcome, classify, is_success
from .commvault.models import JobSummary
from .commvault.transport import CONNECTIONS_PER_HOST
from .commvault.waiting import job_statuses, raise_for_outcome
from .commvault.watcher import JobWatcher, WaitCancelledError, client_ids_of_jobs
from .runtime import cancellation, connections, settings
from .runtime.reporting import OperationFailed, say
from .runtime.settings import AUTH_TOKEN, PASSWORD, USERNAME

#: Provider calls served at once: more than the engine's default ``--parallel`` on most
#: machines, and as many as the HTTP client keeps connections to the CommServe.
PROVIDER_WORKERS = CONNECTIONS_PER_HOST


class BackupTriggerError(OperationFailed):
    """What the user sees when an ``OracleBackupTrigger`` operation fails."""


class OracleBackupTriggerProvider(ResourceProvider):
    """Takes a Commvault backup of Oracle databases when created or when its triggers change."""

    # Nothing secret is ever captured in the provider object, so its pickle need not be a
    # secret; this spares the engine one encryption per resource in large stacks
    # (``sdk_internals.register`` reads it).
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve the ``commvault:*`` settings once for the process (a problem with them is
        reported by the first operation that needs them), and serve more calls at once than
        ``pulumi.dynamic``'s 4."""
        sdk_internals.widen_current_pool(PROVIDER_WORKERS)
        config = req.config
        settings.configure(lambda key: None if config.get(key) is None else str(config.get(key)))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every input, one failure per bad field; unknown values pass. No API call.

        Returns the inputs normalised (so diff, create and update parse them once).
        """
        inputs, failures = check_inputs(_without_provider(news))
        checked = normalized(inputs) if inputs is not None and not failures else news
        if inputs is not None and not failures:
            _expect_backup_of(inputs)
        return CheckResult(checked, [CheckFailure(field, reason) for field, reason in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Changed triggers, databases or backup options mean an update that takes a new backup.

        Waiting, timeout and description changes are updates that take none; the serialized
        provider (``__provider``) is ignored, so upgrading this package never fires a backup.
        No API call.
        """
        olds, news = _without_provider(olds), _without_provider(news)
        if backup_changed(olds, news) or behaviour_changed(olds, news):
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        return DiffResult(changes=False, replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Start the backup (CreateTask), and wait for it unless told not to.

        On success the state holds the task id, the job ids and, when waiting, each job's
        final status. On failure nothing is recorded; a re-run adopts the job this request
        started if it is still running (or finished well), instead of starting another.
        """
        outs = self._back_up(_without_provider(props), previous=None)
        return CreateResult(outs["task_id"] or outs["request_marker"], outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Take a new backup if the backup inputs changed; the earlier one moves to ``history``.

        Otherwise no API call: the inputs are updated and the recorded jobs kept.
        """
        olds, news = _without_provider(olds), _without_provider(news)
        if not backup_changed(olds, news):
            _parsed(news)
            return UpdateResult(build_outputs(news, results_of(olds)))
        return UpdateResult(self._back_up(news, previous=olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh the recorded jobs' status. Never starts a backup, never drops the resource."""
        outs = _without_provider(props)
        results = results_of(outs)
        if not results["jobs"]:
            return ReadResult(id_, build_outputs(outs, results))
        try:
            summaries = job_statuses(_client(), [str(r["job_id"]) for r in results["jobs"]])
        except CommvaultError as exc:
            raise BackupTriggerError(f"reading jobs {results['job_ids']}: {exc}") from None
        results["jobs"] = [refreshed(r, summaries.get(str(r["job_id"]))) for r in results["jobs"]]
        return ReadResult(id_, build_outputs(outs, results))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Forget the resource; backups follow Commvault's retention and are never deleted.

        A running job is left alone unless ``cancel_running_jobs_on_delete`` is set, in which
        case it is killed. Without that option, delete makes no API call.
        """
        outs = _without_provider(props)
        job_ids = [str(j) for j in outs.get("job_ids") or []]
        if not outs.get("cancel_running_jobs_on_delete") or not job_ids:
            say(
                f"forgetting backup jobs {', '.join(job_ids) or '(none)'}; "
                "they stay in Commvault under its retention rules"
            )
            return
        client = _client()
        try:
            for job_id, summary in job_statuses(client, job_ids).items():
                if classify(summary.status) is JobOutcome.ACTIVE:
                    say(f"killing running backup job {job_id} (cancel_running_jobs_on_delete)")
                    client.kill_job(job_id)
        except CommvaultError as exc:
            raise BackupTriggerError(f"cancelling jobs {job_ids}: {exc}") from None

    def _back_up(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        inputs = _parsed(news)
        previous_job_ids = [str(j) for j in (previous or {}).get("job_ids") or []]
        request = inputs.backup_request(previous_job_ids)
        targets = ", ".join(map(str, request.databases))
        connection = _settings()
        reads_per_hour = _reads_per_hour()  # a malformed budget fails before any backup starts
        client = connections.client_for(connection)
        progress = _Progress(
            inputs.request_name.rsplit("/", 1)[-1] or "OracleBackupTrigger",
            sdk_internals.current_resource_urn(),
        )
        try:
            started = start_backup(
                client,
                request,
                adoptable=_adoptable(inputs),
                index=connections.marked_jobs_for(connection),
            )
        except CommvaultError as exc:
            raise BackupTriggerError(f"Oracle backup of {targets}: {exc}") from None
        summaries: dict[str, JobSummary] = {}
        if inputs.wait_for_completion:
            # Without waiting, the job ids are in the outputs as soon as the step ends.
            progress.started(started)
            try:
                watcher = connections.watcher_for(connection, max_reads_per_hour=reads_per_hour)
                summaries = _wait(client, watcher, started, inputs, progress)
                raise_for_outcome(
                    client,
                    summaries.values(),
                    accept_completed_with_errors=inputs.accept_completed_with_errors,
                )
            except WaitCancelledError as exc:
                raise BackupTriggerError(_cancelled_message(targets, exc)) from None
            except CommvaultError as exc:
                hint = _what_next(exc, connection.password is not None)
                raise BackupTriggerError(f"Oracle backup of {targets}: {exc}; {hint}") from None
        results = backup_results(started, summaries, marker=request.marker, previous=previous)
        return build_outputs(news, results)


def _without_provider(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != sdk_internals.PROVIDER_KEY}


def _settings() -> ConnectionSettings:
    try:
        return settings.current()
    except settings.SettingsError as exc:
        raise BackupTriggerError(str(exc)) from None


def _client() -> CommvaultClient:
    return connections.client_for(_settings())


def _parsed(props: dict[str, Any]) -> BackupTriggerInputs:
    try:
        return parse_inputs(props)
    except InputError as exc:
        raise BackupTriggerError(str(exc)) from None


def _what_next(failure: CommvaultError, logs_in_with_password: bool) -> str:
    """What the user can do after the jobs started but the wait failed."""
    adopt = "re-run `pulumi up`, which adopts the running jobs instead of starting new ones"
    if isinstance(failure, JobFailedError):
        return "re-run `pulumi up` to take a new backup"
    if isinstance(failure, WaitTimeoutError):
        return f"the jobs keep running in Commvault; raise timeout_minutes if needed and {adopt}"
    if isinstance(failure, AuthenticationError) and not logs_in_with_password:
        return (
            f"the jobs keep running in Commvault; renew {AUTH_TOKEN.describe()} (or set "
            f"{USERNAME.config_key} and {PASSWORD.config_key} so the provider can log in "
            f"again), then {adopt}"
        )
    return f"the jobs keep running in Commvault; {adopt}"


def _adoptable(inputs: BackupTriggerInputs) -> Callable[[JobSummary], bool]:
    def adoptable(summary: JobSummary) -> bool:
        outcome = classify(summary.status)
        return outcome is JobOutcome.ACTIVE or is_success(
            outcome, accept_completed_with_errors=inputs.accept_completed_with_errors
        )

    return adoptable


def _expect_backup_of(inputs: BackupTriggerInputs) -> None:
    """Tell the duplicate guard which clients this resource may back up (no API call), so
    the first create's look-up covers them too instead of each create listing its own."""
    try:
        connection = settings.current()
    except settings.SettingsError:
        return  # the create reports it
    index = connections.marked_jobs_for(connection)
    index.expect(db.client_name for db in inputs.database_list())


def _reads_per_hour() -> int | None:
    try:
        return settings.max_reads_per_hour()
    except settings.SettingsError as exc:
        raise BackupTriggerError(str(exc)) from None


def _wait(
    client: CommvaultClient,
    watcher: JobWatcher,
    started: list[StartedJob],
    inputs: BackupTriggerInputs,
    progress: _Progress,
) -> dict[str, JobSummary]:
    """Wait for the jobs with the process's watcher (one for every waiting resource)."""
    sdk_internals.on_engine_cancel(cancellation.request)
    return watcher.wait(
        [job.job_id for job in started],
        timeout_s=inputs.timeout_minutes * 60,
        client_ids=client_ids_of_jobs(
            client, [(j.job_id, j.database.client_name) for j in started]
        ),
        on_progress=lambda summary: progress.job(summary, started),
        cancelled=cancellation.requested,
    )


def _cancelled_message(targets: str, failure: WaitCancelledError) -> str:
    jobs = ", ".join(failure.job_ids)
    return (
        f"Oracle backup of {targets}: stopped waiting because the update was cancelled "
        f"(Ctrl-C); job {jobs} keeps running in Commvault and nothing was lost: run "
        "`pulumi up` again, which adopts the running job instead of starting another"
    )


class _Progress:
    """The progress lines of one resource: on its own row in ``pulumi up`` where the engine
    takes them (``sdk_internals.log_on_row``), else printed (the Stack's row), prefixed with
    the resource's name so each line stands on its own."""

    def __init__(self, label: str, urn: str | None) -> None:
        self.label = label
        self.urn = urn

    def started(self, started: list[StartedJob]) -> None:
        self._show("; ".join(map(_started_part, started)), ephemeral=False)

    def job(self, summary: JobSummary, started: list[StartedJob]) -> None:
        database = next((j.database for j in started if j.job_id == str(summary.job_id)), None)
        reason = f" - {summary.pending_reason}" if summary.pending_reason else ""
        where = f"{database}: " if database is not None else ""
        line = (
            f"{where}job {summary.job_id} {summary.status} {summary.percent_complete:.0f}%{reason}"
        )
        self._show(line, ephemeral=classify(summary.status) is JobOutcome.ACTIVE)

    def _show(self, line: str, *, ephemeral: bool) -> None:
        if not sdk_internals.log_on_row(self.urn, line, ephemeral=ephemeral):
            say(f"{self.label}: {line}")


def _started_part(job: StartedJob) -> str:
    if job.adopted:
        return (
            f"this request already started job {job.job_id} "
            f"({job.database}, adopted); following it instead of starting another backup"
        )
    task = f", Commvault task {job.task_id}" if job.task_id is not None else ""
    return f"started job {job.job_id} ({job.database}){task}"
