"""The hook's backup: started through the duplicate guard, waited for by the process's
job watcher, judged like ``OracleBackupTrigger``'s. Blocking; the hook runs it in a thread.

The connection comes from the program's ``commvault:*`` stack config, falling back to the
``COMMVAULT_*`` variables; one client, guard index, journal and watcher per CommServe per
process (``runtime.connections``), shared by every hook of the program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..backup_trigger.inputs import BackupTriggerInputs
from ..commvault.backups import BackupRequest, Database, StartedJob, start_once
from ..commvault.connection import ConnectionSettings
from ..commvault.errors import CommvaultError
from ..commvault.models import JobSummary
from ..commvault.restorability import adoption_rule
from ..commvault.waiting import raise_for_outcome
from ..commvault.watcher import client_ids_of_jobs
from ..runtime import cancellation, connections, settings
from ..runtime.advice import Stage, failure_line


class HookBackupFailed(Exception):
    """The pre-change backup did not give a restore point: the engine aborts the step."""


@dataclass(frozen=True)
class Taken:
    """A pre-change backup that finished well: its jobs, each with its database."""

    jobs: tuple[tuple[Database, str, str], ...]  # (database, job id, final status)

    def summary(self) -> str:
        return "; ".join(f"{db}: job {job_id} {status}" for db, job_id, status in self.jobs)


def take_backup(
    inputs: BackupTriggerInputs,
    marker: str,
    description: str,
    *,
    lookup: settings.Lookup,
    on_started: Callable[[list[StartedJob]], None],
) -> Taken:
    """Start (or adopt) the change's backup and wait until every job finished well;
    ``HookBackupFailed`` with the one line the user reads otherwise."""
    request = BackupRequest(
        databases=tuple(inputs.database_list()),
        level=inputs.level(),
        marker=marker,
        cumulative=inputs.cumulative,
        notify_on_completion=inputs.notify_on_completion,
        description=description,
    )
    what = f"pre-change backup of {', '.join(map(str, request.databases))}"
    try:
        connection = settings.resolve(lookup)
        reads_per_hour = settings.resolve_max_reads_per_hour(lookup)
        decisions = settings.job_decisions()
    except settings.SettingsError as exc:
        raise HookBackupFailed(f"{what}: {exc}") from None
    client = connections.client_for(connection)
    stage = Stage.STARTING_BACKUP
    try:
        started = start_once(
            client,
            request,
            adoptable=adoption_rule(
                accept_completed_with_errors=inputs.accept_completed_with_errors
            ),
            index=connections.marked_jobs_for(connection),
            decisions=decisions,
            journal=connections.journal(),
        )
        on_started(started)
        stage = Stage.WAITING_FOR_BACKUP
        summaries = _wait(connection, reads_per_hour, inputs, started)
    except CommvaultError as exc:
        password = connection.password is not None
        line = failure_line(what, exc, stage, logs_in_with_password=password)
        raise HookBackupFailed(f"{line} (the change was not made)") from None
    return Taken(tuple((j.database, j.job_id, summaries[j.job_id].status) for j in started))


def _wait(
    connection: ConnectionSettings,
    reads_per_hour: int | None,
    inputs: BackupTriggerInputs,
    started: list[StartedJob],
) -> dict[str, JobSummary]:
    """Every job finished well, through the process's one watcher; raises otherwise."""
    watcher = connections.watcher_for(
        connection, max_reads_per_hour=reads_per_hour, predict_end=True
    )
    pairs = [(job.job_id, job.database.client_name) for job in started]
    summaries = watcher.wait(
        [job_id for job_id, _ in pairs],
        timeout_s=inputs.timeout_minutes * 60,
        client_ids=client_ids_of_jobs(watcher.client, pairs),
        cancelled=cancellation.program_cancellation(),
    )
    raise_for_outcome(
        watcher.client,
        summaries.values(),
        accept_completed_with_errors=inputs.accept_completed_with_errors,
    )
    return summaries
