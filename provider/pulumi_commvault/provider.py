"""The dynamic provider behind ``OracleBackupTrigger``: check, diff, create, update, read, delete.

This module's path and class name are part of every stack's state (the provider is pickled
by reference): keep them stable. The provider object holds nothing; the CommServe settings
and the HTTP client live at module level in ``settings`` and ``sessions``.
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

from .backups import StartedJob, start_backup
from .client import CommvaultClient
from .errors import AuthenticationError, CommvaultError, JobFailedError, WaitTimeoutError
from .inputs import (
    TriggerInputs,
    backup_changed,
    behaviour_changed,
    input_failures,
    parse_inputs,
    without_provider,
)
from .job_status import JobOutcome, classify, is_success
from .models import JobSummary
from .outputs import (
    build_outputs,
    history_with,
    job_record,
    refreshed,
    results_of,
    task_id_of,
)
from .sessions import client_for, marked_jobs_for
from .settings import (
    AUTH_TOKEN,
    PASSWORD,
    USERNAME,
    ConnectionSettings,
    SettingsError,
    current_settings,
    remember_config,
)
from .waiters import job_statuses, raise_for_outcome, wait_for_jobs
from .worker_pool import widen_current_pool


class BackupTriggerError(Exception):
    """What the user sees when an operation fails: one sentence, no secrets."""


def say(message: str) -> None:
    """A line in ``pulumi up``'s output (the engine shows a dynamic provider's stdout)."""
    print(message, flush=True)


class OracleBackupTriggerProvider(ResourceProvider):
    """Takes a Commvault backup of Oracle databases when created or when its triggers change."""

    # Nothing secret is ever captured in the provider object, so its pickle need not be a
    # secret; this spares the engine one encryption per resource in large stacks.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Remember the stack config (``commvault:*`` keys are read when an operation needs
        them) and serve more calls at once than ``pulumi.dynamic``'s 4 (see ``worker_pool``)."""
        widen_current_pool()
        config = req.config
        remember_config(lambda key: _text(config.get(key)))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every input, one failure per bad field; unknown values pass. No API call."""
        failures = [CheckFailure(field, reason) for field, reason in input_failures(news)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Changed triggers, databases or backup options mean an update that takes a new backup.

        Waiting, timeout and description changes are updates that take none; the serialized
        provider (``__provider``) is ignored, so upgrading this package never fires a backup.
        No API call.
        """
        olds, news = without_provider(olds), without_provider(news)
        if backup_changed(olds, news) or behaviour_changed(olds, news):
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        return DiffResult(changes=False, replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Start the backup (CreateTask), and wait for it unless told not to.

        On success the state holds the task id, the job ids and, when waiting, each job's
        final status. On failure nothing is recorded; a re-run adopts the job this request
        started if it is still running (or finished well), instead of starting another.
        """
        outs = self._back_up(without_provider(props), previous=None)
        resource_id = outs["task_id"] or outs["request_marker"]
        return CreateResult(resource_id, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Take a new backup if the backup inputs changed; the earlier one moves to ``history``."""
        olds, news = without_provider(olds), without_provider(news)
        if not backup_changed(olds, news):
            _parsed(news)
            return UpdateResult({**news, **results_of(olds)})
        return UpdateResult(self._back_up(news, previous=olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh the recorded jobs' status. Never starts a backup, never drops the resource."""
        outs = without_provider(props)
        records = list(outs.get("jobs") or [])
        if not records:
            return ReadResult(id_, outs)
        client = _client()
        try:
            summaries = job_statuses(client, [str(r["job_id"]) for r in records])
        except CommvaultError as exc:
            raise BackupTriggerError(f"reading jobs {outs.get('job_ids')}: {exc}") from None
        outs["jobs"] = [refreshed(r, summaries.get(str(r["job_id"]))) for r in records]
        return ReadResult(id_, outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Forget the resource; backups follow Commvault's retention and are never deleted.

        A running job is left alone unless ``cancel_running_jobs_on_delete`` is set, in which
        case it is killed. Without that option, delete makes no API call.
        """
        outs = without_provider(props)
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
        settings = _settings()
        client = client_for(settings)
        label = inputs.request_name.rsplit("/", 1)[-1] or "OracleBackupTrigger"
        try:
            started = start_backup(
                client, request, adoptable=_adoptable(inputs), index=marked_jobs_for(settings)
            )
        except CommvaultError as exc:
            raise BackupTriggerError(f"Oracle backup of {targets}: {exc}") from None
        summaries: dict[str, JobSummary] = {}
        if inputs.wait_for_completion:
            # Without waiting, the job ids are in the outputs as soon as the step ends.
            say(_started_line(label, started))
            try:
                summaries = wait_for_jobs(
                    client,
                    [job.job_id for job in started],
                    timeout_s=inputs.timeout_minutes * 60,
                    on_progress=lambda s: say(_progress_line(label, s)),
                )
                raise_for_outcome(
                    client,
                    summaries.values(),
                    accept_completed_with_errors=inputs.accept_completed_with_errors,
                )
            except CommvaultError as exc:
                hint = _what_next(exc, settings)
                raise BackupTriggerError(f"Oracle backup of {targets}: {exc}; {hint}") from None
        return build_outputs(
            news,
            task_id=task_id_of(started),
            jobs=[job_record(job, summaries.get(job.job_id)) for job in started],
            marker=request.marker,
            history=history_with(previous) if previous else [],
        )


def _settings() -> ConnectionSettings:
    try:
        return current_settings()
    except SettingsError as exc:
        raise BackupTriggerError(str(exc)) from None


def _client() -> CommvaultClient:
    return client_for(_settings())


def _parsed(props: dict[str, Any]) -> TriggerInputs:
    failures = input_failures(props)
    if failures:
        raise BackupTriggerError("; ".join(f"{field}: {reason}" for field, reason in failures))
    return parse_inputs(props)


def _what_next(failure: CommvaultError, settings: ConnectionSettings) -> str:
    """What the user can do after the jobs started but the wait failed."""
    adopt = "re-run `pulumi up`, which adopts the running jobs instead of starting new ones"
    if isinstance(failure, JobFailedError):
        return "re-run `pulumi up` to take a new backup"
    if isinstance(failure, WaitTimeoutError):
        return f"the jobs keep running in Commvault; raise timeout_minutes if needed and {adopt}"
    if isinstance(failure, AuthenticationError) and not settings.password:
        return (
            f"the jobs keep running in Commvault; renew {AUTH_TOKEN.describe()} (or set "
            f"{USERNAME.config_key} and {PASSWORD.config_key} so the provider can log in "
            f"again), then {adopt}"
        )
    return f"the jobs keep running in Commvault; {adopt}"


def _adoptable(inputs: TriggerInputs) -> Callable[[JobSummary], bool]:
    def adoptable(summary: JobSummary) -> bool:
        outcome = classify(summary.status)
        return outcome is JobOutcome.ACTIVE or is_success(
            outcome, accept_completed_with_errors=inputs.accept_completed_with_errors
        )

    return adoptable


def _started_line(label: str, started: list[StartedJob]) -> str:
    parts = [
        f"job {job.job_id} ({job.database}{', adopted' if job.adopted else ''})" for job in started
    ]
    task = task_id_of(started)
    return f"{label}: task {task if task is not None else '-'} started " + ", ".join(parts)


def _progress_line(label: str, summary: JobSummary) -> str:
    reason = f" - {summary.pending_reason}" if summary.pending_reason else ""
    return f"{label}: job {summary.job_id} {summary.status} {summary.percent_complete:.0f}%{reason}"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
