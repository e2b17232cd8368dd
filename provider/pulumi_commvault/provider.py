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
from .backup_trigger.freshness import lost_restore_points, with_freshness
from .backup_trigger.inputs import (
    BackupTriggerInputs,
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
    CommvaultError,
    JobFailedError,
    UnrecognisedJobsError,
    WaitTimeoutError,
)
from .commvault.job_status import JobOutcome, classify, is_success
from .commvault.models import JobSummary
from .commvault.recognition import JobDecisions
from .commvault.restores import RestoreCheckError, check_restore, start_restore
from .commvault.transport import CONNECTIONS_PER_HOST
from .commvault.waiting import job_statuses, raise_for_outcome
from .commvault.watcher import JobWatcher, WaitCancelledError, client_ids_of_jobs
from .oracle_restore import inputs as restore_inputs
from .oracle_restore import outputs as restore_outputs
from .runtime import advice, cancellation, connections, settings
from .runtime.reporting import OperationFailed, say, warn
from .validation import InputError

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
        reported by the first operation that needs them), serve more calls at once than
        ``pulumi.dynamic``'s 4, and show our failures as their sentence, without a traceback."""
        sdk_internals.widen_current_pool(PROVIDER_WORKERS)
        sdk_internals.show_plainly(OperationFailed)
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
        """Refresh the recorded jobs' status and whether each is still a restore point
        (``restorable``, ``restorable_reason``; a warning for one that is gone). Never starts
        a backup, never drops the resource."""
        outs = _without_provider(props)
        results = results_of(outs)
        if not results["jobs"]:
            return ReadResult(id_, build_outputs(outs, results))
        try:
            summaries = job_statuses(_client(), [str(r["job_id"]) for r in results["jobs"]])
        except CommvaultError as exc:
            what = f"refreshing backup jobs {', '.join(map(str, results['job_ids']))}"
            raise BackupTriggerError(
                advice.sentence(what, exc, advice.reading_jobs(exc, **_auth()))
            ) from None
        for record in results["jobs"]:
            if str(record["job_id"]) not in summaries:
                say(_unknown_job_line(record))
        results["jobs"] = [
            with_freshness(
                refreshed(r, summaries.get(str(r["job_id"]))), summaries.get(str(r["job_id"]))
            )
            for r in results["jobs"]
        ]
        # A job the CommServe no longer knows was warned about above, in its own words.
        for line in lost_restore_points(
            [r for r in results["jobs"] if str(r["job_id"]) in summaries]
        ):
            warn(line)
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
            what = f"killing backup jobs {', '.join(job_ids)} (cancel_running_jobs_on_delete)"
            raise BackupTriggerError(
                advice.sentence(what, exc, advice.killing_jobs(exc, **_auth()))
            ) from None

    def _back_up(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        inputs = _parsed(news)
        previous_job_ids = [str(j) for j in (previous or {}).get("job_ids") or []]
        request = inputs.backup_request(previous_job_ids)
        targets = ", ".join(map(str, request.databases))
        connection = _settings()
        # A malformed budget fails before any backup starts.
        reads_per_hour = _reads_per_hour(BackupTriggerError)
        client = connections.client_for(connection)
        progress = _Progress(
            inputs.request_name.rsplit("/", 1)[-1] or "OracleBackupTrigger",
            sdk_internals.current_resource_urn(),
        )
        decisions = _decisions(BackupTriggerError)
        try:
            started = start_backup(
                client,
                request,
                adoptable=_adoptable(inputs),
                index=connections.marked_jobs_for(connection),
                exclude=_earlier_job_ids(previous),
                decisions=decisions,
                journal=connections.journal(),
            )
        except UnrecognisedJobsError as exc:
            raise BackupTriggerError(
                advice.undecided(f"Oracle backup of {targets}", exc, "pulumi up")
            ) from None
        except CommvaultError as exc:
            hint = advice.before_the_jobs_started(exc, **_auth())
            raise BackupTriggerError(f"Oracle backup of {targets}: {exc}; {hint}") from None
        summaries: dict[str, JobSummary] = {}
        if inputs.wait_for_completion:
            # Without waiting, the job ids are in the outputs as soon as the step ends.
            progress.started(started)
            try:
                summaries = _watch_jobs(
                    connections.watcher_for(connection, max_reads_per_hour=reads_per_hour),
                    [(job.job_id, job.database.client_name) for job in started],
                    timeout_s=inputs.timeout_minutes * 60,
                    on_progress=lambda summary: progress.job(summary, started),
                )
                raise_for_outcome(
                    client,
                    summaries.values(),
                    accept_completed_with_errors=inputs.accept_completed_with_errors,
                )
            except WaitCancelledError as exc:
                raise BackupTriggerError(
                    _cancelled_message(f"Oracle backup of {targets}", "job", exc)
                ) from None
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


def _decisions(failure: type[OperationFailed]) -> JobDecisions:
    try:
        return settings.job_decisions()
    except settings.SettingsError as exc:
        raise failure(str(exc)) from None


def _reads_per_hour(failure: type[OperationFailed]) -> int | None:
    """The process's read budget for waits; ``failure`` names a malformed one."""
    try:
        return settings.max_reads_per_hour()
    except settings.SettingsError as exc:
        raise failure(str(exc)) from None


def _watch_jobs(
    watcher: JobWatcher,
    jobs: list[tuple[str, str]],
    *,
    timeout_s: float,
    on_progress: Callable[[JobSummary], None],
) -> dict[str, JobSummary]:
    """Wait for ``(job id, client name)`` jobs with the process's watcher (one for every
    waiting resource, within the read budget); a Ctrl-C of the update ends the wait with
    ``WaitCancelledError`` and leaves the jobs running."""
    sdk_internals.on_engine_cancel(cancellation.request)
    return watcher.wait(
        [job_id for job_id, _ in jobs],
        timeout_s=timeout_s,
        client_ids=client_ids_of_jobs(watcher.client, jobs),
        on_progress=on_progress,
        cancelled=cancellation.requested,
    )


def _cancelled_message(what: str, noun: str, failure: WaitCancelledError) -> str:
    """Why ``what`` stopped waiting on Ctrl-C, and that its ``noun`` (e.g. "restore job")
    runs on and is adopted by a re-run."""
    jobs = ", ".join(failure.job_ids)
    return (
        f"{what}: stopped waiting because the update was cancelled (Ctrl-C); {noun} {jobs} "
        "keeps running in Commvault and nothing was lost: run `pulumi up` again, which adopts "
        "the running job instead of starting another"
    )


def _earlier_job_ids(previous: dict[str, Any] | None) -> list[str]:
    """The jobs of the resource's earlier operations: never the request's own (``exclude``)."""
    if not previous:
        return []
    entries = [previous, *(previous.get("history") or [])]
    return [str(j) for entry in entries for j in entry.get("job_ids") or []]


def _client() -> CommvaultClient:
    return connections.client_for(_settings())


def _parsed(props: dict[str, Any]) -> BackupTriggerInputs:
    try:
        return parse_inputs(props)
    except InputError as exc:
        raise BackupTriggerError(str(exc)) from None


def _what_next(failure: CommvaultError, logs_in_with_password: bool) -> str:
    """What the user can do after the jobs started but the wait failed."""
    return advice.after_the_jobs_started(failure, logs_in_with_password=logs_in_with_password)


def _auth() -> dict[str, bool]:
    """How the provider logs in, for ``advice`` (settings are valid once a call failed)."""
    return {"logs_in_with_password": _settings().password is not None}


def _unknown_job_line(record: dict[str, Any]) -> str:
    database = "/".join(
        str(record.get(k)) for k in ("client_name", "instance_name", "subclient_name")
    )
    status = record.get("status") or "not read yet"
    return (
        f"warning: the CommServe no longer knows backup job {record['job_id']} of {database} "
        f"(aged or deleted?); refresh keeps its recorded status: {status}"
    )


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


def _progress_line(label: str, summary: JobSummary) -> str:
    reason = f" - {summary.pending_reason}" if summary.pending_reason else ""
    return f"{label}: job {summary.job_id} {summary.status} {summary.percent_complete:.0f}%{reason}"


# --- OracleRestore ----------------------------------------------------------------------------
# Pickled by reference as ``pulumi_commvault.provider.OracleRestoreProvider``: keep the name.


class RestoreFailedError(OperationFailed):
    """What the user sees when an ``OracleRestore`` operation fails."""


class OracleRestoreProvider(ResourceProvider):
    """Runs one Commvault restore of an Oracle database when created or when its triggers
    (or restore point, source, destination) change; never on preview, refresh or destroy."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """The ``commvault:*`` settings, resolved once for the process (as for backups)."""
        sdk_internals.widen_current_pool(PROVIDER_WORKERS)
        sdk_internals.show_plainly(OperationFailed)
        config = req.config
        settings.configure(lambda key: None if config.get(key) is None else str(config.get(key)))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Every guard that needs no API call, one failure per bad field (so preview shows
        them): one restore point, its format, the destination, ``confirm_overwrite``."""
        inputs, failures = restore_inputs.check_inputs(_without_provider(news))
        checked = restore_inputs.normalized(inputs) if inputs is not None and not failures else news
        return CheckResult(checked, [CheckFailure(field, reason) for field, reason in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A changed restore (point, source, destination, recover, triggers) is an update that
        runs it again; other changes are updates that run nothing. No API call."""
        olds, news = _without_provider(olds), _without_provider(news)
        changed = restore_inputs.restore_changed(olds, news) or restore_inputs.behaviour_changed(
            olds, news
        )
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Check the restore against the CommServe (reads only), start one restore job (or
        adopt the one a failed earlier run started), and wait for it unless told not to."""
        outs = self._restore(_without_provider(props), previous=None)
        return CreateResult(outs["job_id"] or outs["request_marker"], outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Run the restore again if the restore changed; otherwise no API call."""
        olds, news = _without_provider(olds), _without_provider(news)
        if not restore_inputs.restore_changed(olds, news):
            _restore_parsed(news)
            return UpdateResult(
                restore_outputs.build_outputs(news, restore_outputs.results_of(olds))
            )
        return UpdateResult(self._restore(news, previous=olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Read the restore job's status. Never starts a restore, never drops the resource."""
        outs = _without_provider(props)
        results = restore_outputs.results_of(outs)
        if not results["job_ids"]:
            return ReadResult(id_, restore_outputs.build_outputs(outs, results))
        try:
            summaries = job_statuses(_restore_client(), [str(j) for j in results["job_ids"]])
        except CommvaultError as exc:
            raise RestoreFailedError(f"reading restore job {results['job_ids']}: {exc}") from None
        results["jobs"] = [
            restore_outputs.refreshed(r, summaries.get(str(r["job_id"]))) for r in results["jobs"]
        ]
        return ReadResult(id_, restore_outputs.build_outputs(outs, results))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Forget the resource: a restore cannot be undone, and nothing is sent."""
        job_ids = [str(j) for j in _without_provider(props).get("job_ids") or []]
        say(
            f"forgetting restore job {', '.join(job_ids) or '(none)'}; the restored database "
            "stays as it is (a restore cannot be undone)"
        )

    def _restore(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        inputs = _restore_parsed(news)
        previous_job_ids = [str(j) for j in (previous or {}).get("job_ids") or []]
        try:
            request = inputs.restore_request(previous_job_ids)
        except InputError as exc:
            raise RestoreFailedError(str(exc)) from None
        what = (
            f"Oracle restore of {request.source} onto {request.destination} from "
            f"{request.point.describe()}"
        )
        connection = _restore_settings()
        # A malformed budget fails before anything is sent.
        reads_per_hour = _reads_per_hour(RestoreFailedError)
        client = connections.client_for(connection)
        label = inputs.request_name.rsplit("/", 1)[-1] or "OracleRestore"
        try:
            check_restore(client, request)
            started = start_restore(
                client,
                request,
                index=connections.marked_jobs_for(connection),
                exclude=_earlier_job_ids(previous),
                decisions=_decisions(RestoreFailedError),
                journal=connections.journal(),
            )
        except RestoreCheckError as exc:
            raise RestoreFailedError(f"{what}: nothing was sent: {exc}") from None
        except UnrecognisedJobsError as exc:
            raise RestoreFailedError(advice.undecided(what, exc, "pulumi up")) from None
        except CommvaultError as exc:
            raise RestoreFailedError(f"{what}: {exc}") from None
        summary: JobSummary | None = None
        if inputs.wait_for_completion:
            adopted = ", adopted" if started.adopted else ""
            say(f"{label}: restore job {started.job_id} started{adopted} ({what})")
            try:
                summary = _watch_jobs(
                    connections.watcher_for(connection, max_reads_per_hour=reads_per_hour),
                    [(started.job_id, request.destination.client_name)],
                    timeout_s=inputs.timeout_minutes * 60,
                    on_progress=lambda s: say(_progress_line(label, s)),
                )[started.job_id]
                raise_for_outcome(client, [summary])
            except JobFailedError as exc:
                reason = f": {exc.reason}" if exc.reason else ""
                raise RestoreFailedError(
                    f"{what}: restore job {exc.job_id} ended {exc.status}{reason}; fix the cause "
                    "and re-run `pulumi up` to run the restore again"
                ) from None
            except WaitCancelledError as exc:
                raise RestoreFailedError(_cancelled_message(what, "restore job", exc)) from None
            except WaitTimeoutError as exc:
                raise RestoreFailedError(
                    f"{what}: {exc}; the restore job keeps running in Commvault; raise "
                    "timeout_minutes if needed and re-run `pulumi up`, which adopts it instead "
                    "of starting another"
                ) from None
            except CommvaultError as exc:
                raise RestoreFailedError(
                    f"{what}: {exc}; the restore job keeps running in Commvault; re-run "
                    "`pulumi up`, which adopts it instead of starting another"
                ) from None
        results = restore_outputs.restore_results(started, request, summary, previous)
        return restore_outputs.build_outputs(news, results)


def _restore_settings() -> ConnectionSettings:
    try:
        return settings.current()
    except settings.SettingsError as exc:
        raise RestoreFailedError(str(exc)) from None


def _restore_client() -> CommvaultClient:
    return connections.client_for(_restore_settings())


def _restore_parsed(props: dict[str, Any]) -> restore_inputs.RestoreInputs:
    try:
        return restore_inputs.parse_inputs(props)
    except InputError as exc:
        raise RestoreFailedError(str(exc)) from None


class _Progress:
    """The progress lines of one resource: on its own row in ``pulumi up`` where the engine
    takes them (``sdk_internals.log_on_row``), else printed (the Stack's row), prefixed with
    the resource's name so each line stands on its own."""

    def __init__(self, label: str, urn: str | None) -> None:
        self.label = label
        self.urn = urn

    def started(self, started: list[StartedJob]) -> None:
        self._show("; ".join(map(_started_part, started)))

    def job(self, summary: JobSummary, started: list[StartedJob]) -> None:
        database = next((j.database for j in started if j.job_id == str(summary.job_id)), None)
        reason = f" - {summary.pending_reason}" if summary.pending_reason else ""
        where = f"{database}: " if database is not None else ""
        line = (
            f"{where}job {summary.job_id} {summary.status} {summary.percent_complete:.0f}%{reason}"
        )
        self._show(line)

    def _show(self, line: str) -> None:
        # Ephemeral: shown on the row while it runs, not kept in the final diagnostics, where
        # a failure's sentence must be the first thing the user reads about the resource
        # (the jobs that made the restore point are in its outputs).
        if not sdk_internals.log_on_row(self.urn, line, ephemeral=True):
            say(f"{self.label}: {line}")


def _started_part(job: StartedJob) -> str:
    if job.adopted:
        return (
            f"this request already started job {job.job_id} "
            f"({job.database}, adopted); following it instead of starting another backup"
        )
    task = f", Commvault task {job.task_id}" if job.task_id is not None else ""
    return f"started job {job.job_id} ({job.database}){task}"
