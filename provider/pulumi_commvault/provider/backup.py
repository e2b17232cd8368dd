"""``OracleBackupTrigger``'s provider: a backup on create and when its triggers change."""

from __future__ import annotations

from typing import Any

from ..backup_trigger.freshness import lost_restore_points, with_freshness
from ..backup_trigger.inputs import DECLARED, BackupTriggerInputs
from ..backup_trigger.outputs import backup_results, build_outputs, refreshed, results_of
from ..commvault.backups import BackupRequest, StartedJob, start_backup
from ..commvault.errors import CommvaultError
from ..commvault.job_status import JobOutcome, classify
from ..commvault.models import JobSummary
from ..commvault.restorability import adoption_rule
from ..commvault.waiting import job_statuses, raise_for_outcome
from ..commvault.watcher import WaitCancelledError
from ..runtime import connections, settings
from ..runtime.advice import Stage
from ..runtime.reporting import OperationFailed, say, warn
from . import front_end
from .base import (
    DynamicProvider,
    ResourceCore,
    earlier_job_ids,
    previous_job_ids,
    watch_jobs,
)
from .progress import Progress, backups_started


class BackupTriggerError(OperationFailed):
    """What the user sees when an ``OracleBackupTrigger`` operation fails."""


class BackupTriggerCore(ResourceCore):
    """Takes a Commvault backup of Oracle databases when created or when its triggers change."""

    failure = BackupTriggerError

    declared = DECLARED

    def kept_outputs(self, news: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        return build_outputs(news, results_of(olds))

    def resource_id(self, outs: dict[str, Any]) -> str:
        return str(outs["task_id"] or outs["request_marker"])

    def checked_inputs(self, inputs: Any) -> None:
        """Tell the duplicate guard which clients this resource may back up (no API call), so
        the first create's look-up covers them too instead of each create listing its own."""
        try:
            connection = settings.current()
        except settings.SettingsError:
            return  # the create reports it
        index = connections.marked_jobs_for(connection)
        index.expect(db.client_name for db in inputs.database_list())

    def run(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        """Start the backup (CreateTask), and wait for it unless told not to.

        On success the state holds the task id, the job ids and, when waiting, each job's
        final status. On failure nothing is recorded; a re-run adopts the job this request
        started if it is still running (or finished well), instead of starting another.
        """
        inputs: BackupTriggerInputs = self.parsed(news)
        request = inputs.backup_request(previous_job_ids(previous))
        self.settings()  # a missing or malformed setting fails before the budget
        reads_per_hour = self.reads_per_hour()
        started = self._start(inputs, request, previous)
        summaries: dict[str, JobSummary] = {}
        if inputs.wait_for_completion:
            summaries = self._wait(inputs, request, started, reads_per_hour)
        results = backup_results(started, summaries, marker=request.marker, previous=previous)
        return build_outputs(news, results)

    def _start(
        self, inputs: BackupTriggerInputs, request: BackupRequest, previous: dict[str, Any] | None
    ) -> list[StartedJob]:
        connection = self.settings()
        decisions = self.decisions()
        try:
            return start_backup(
                connections.client_for(connection),
                request,
                adoptable=adoption_rule(
                    accept_completed_with_errors=inputs.accept_completed_with_errors
                ),
                index=connections.marked_jobs_for(connection),
                exclude=earlier_job_ids(previous),
                decisions=decisions,
                journal=connections.journal(),
            )
        except CommvaultError as exc:
            raise self.failed(_what(request), exc, Stage.STARTING_BACKUP) from None

    def _wait(
        self,
        inputs: BackupTriggerInputs,
        request: BackupRequest,
        started: list[StartedJob],
        reads_per_hour: int | None,
    ) -> dict[str, JobSummary]:
        """Wait for every job; the ids are in the outputs as soon as a step without waiting
        ends."""
        connection = self.settings()
        progress = Progress(
            inputs.request_name.rsplit("/", 1)[-1] or "OracleBackupTrigger",
            front_end.current().resource_urn(),
            started,
            by_database=True,
        )
        progress.show(backups_started(started))
        try:
            summaries = watch_jobs(
                connections.watcher_for(connection, max_reads_per_hour=reads_per_hour),
                [(job.job_id, job.database.client_name) for job in started],
                timeout_s=inputs.timeout_minutes * 60,
                on_progress=progress.job,
            )
            raise_for_outcome(
                connections.client_for(connection),
                summaries.values(),
                accept_completed_with_errors=inputs.accept_completed_with_errors,
            )
        except (CommvaultError, WaitCancelledError) as exc:
            raise self.failed(_what(request), exc, Stage.WAITING_FOR_BACKUP) from None
        return summaries

    def read(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        """Refresh the recorded jobs' status and whether each is still a restore point
        (``restorable``, ``restorable_reason``; a warning for one that is gone). Never starts
        a backup, never drops the resource."""
        results = results_of(props)
        if not results["jobs"]:
            return build_outputs(props, results)
        try:
            summaries = job_statuses(self.client(), [str(r["job_id"]) for r in results["jobs"]])
        except CommvaultError as exc:
            what = f"refreshing backup jobs {', '.join(map(str, results['job_ids']))}"
            raise self.failed(what, exc, Stage.READING_BACKUPS) from None
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
        return build_outputs(props, results)

    def delete(self, props: dict[str, Any]) -> None:
        """Forget the resource; backups follow Commvault's retention and are never deleted.

        A running job is left alone unless ``cancel_running_jobs_on_delete`` is set, in which
        case it is killed. Without that option, delete makes no API call.
        """
        job_ids = [str(j) for j in props.get("job_ids") or []]
        if not props.get("cancel_running_jobs_on_delete") or not job_ids:
            say(
                f"forgetting backup jobs {', '.join(job_ids) or '(none)'}; "
                "they stay in Commvault under its retention rules"
            )
            return
        client = self.client()
        try:
            for job_id, summary in job_statuses(client, job_ids).items():
                if classify(summary.status) is JobOutcome.ACTIVE:
                    say(f"killing running backup job {job_id} (cancel_running_jobs_on_delete)")
                    client.kill_job(job_id)
        except CommvaultError as exc:
            what = f"killing backup jobs {', '.join(job_ids)} (cancel_running_jobs_on_delete)"
            raise self.failed(what, exc, Stage.KILLING_BACKUPS) from None


class OracleBackupTriggerProvider(DynamicProvider):
    """Takes a Commvault backup of Oracle databases when created or when its triggers change."""

    core = BackupTriggerCore()


def _what(request: BackupRequest) -> str:
    return f"Oracle backup of {', '.join(map(str, request.databases))}"


def _unknown_job_line(record: dict[str, Any]) -> str:
    database = "/".join(
        str(record.get(k)) for k in ("client_name", "instance_name", "subclient_name")
    )
    status = record.get("status") or "not read yet"
    return (
        f"warning: the CommServe no longer knows backup job {record['job_id']} of {database} "
        f"(aged or deleted?); refresh keeps its recorded status: {status}"
    )
