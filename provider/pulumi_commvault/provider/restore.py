"""``OracleRestore``'s provider: one restore job on create and when the restore changes."""

from __future__ import annotations

from typing import Any

from ..commvault.backups import StartedJob
from ..commvault.errors import (
    CommvaultError,
)
from ..commvault.models import JobSummary
from ..commvault.restores import (
    RESTORE_JOB_TYPE,
    SOURCE_LISTING_LIMIT,
    Instance,
    RestoreCheckError,
    RestoreFields,
    RestoreRequest,
    check_restore,
    restorable,
    start_restore,
)
from ..commvault.waiting import job_statuses, raise_for_outcome
from ..commvault.watcher import WaitCancelledError
from ..oracle_restore import inputs as restore_inputs
from ..oracle_restore import outputs as restore_outputs
from ..runtime import connections
from ..runtime.advice import Stage
from ..runtime.reporting import OperationFailed, say
from ..validation import InputError
from . import base, front_end
from .base import DynamicProvider, ResourceCore
from .progress import Progress


class RestoreFailedError(OperationFailed):
    """What the user sees when an ``OracleRestore`` operation fails."""


class RestoreCore(ResourceCore):
    """Runs one Commvault restore of an Oracle database when created or when its triggers
    (or restore point, source, destination) change; never on preview, refresh or destroy."""

    failure = RestoreFailedError

    declared = restore_inputs.DECLARED

    def kept_outputs(self, news: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        return restore_outputs.build_outputs(news, restore_outputs.results_of(olds))

    def resource_id(self, outs: dict[str, Any]) -> str:
        return str(outs["job_id"] or outs["request_marker"])

    def run(self, news: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        """Check the restore against the CommServe (reads only), start one restore job (or
        adopt the one a failed earlier run started), and wait for it unless told not to."""
        inputs: restore_inputs.RestoreInputs = self.parsed(news)
        try:
            request = inputs.restore_request(base.previous_job_ids(previous))
        except InputError as exc:
            raise self.failure(str(exc)) from None
        self.settings()  # a missing or malformed setting fails before the budget
        reads_per_hour = self.reads_per_hour()
        resolved = self._latest_backup_jobs(request)
        started = self._start(request, _fields_of(inputs), previous)
        summary: JobSummary | None = None
        if inputs.wait_for_completion:
            label = inputs.request_name.rsplit("/", 1)[-1] or "OracleRestore"
            summary = self._wait(inputs, request, started, label, reads_per_hour)
        results = restore_outputs.restore_results(
            started, request, summary, previous, resolved_job_ids=resolved
        )
        return restore_outputs.build_outputs(news, results)

    def _start(
        self, request: RestoreRequest, fields: RestoreFields, previous: dict[str, Any] | None
    ) -> StartedJob:
        connection = self.settings()
        client = connections.client_for(connection)
        try:
            check_restore(client, request, fields)
            return start_restore(
                client,
                request,
                index=connections.marked_jobs_for(connection),
                exclude=base.earlier_job_ids(previous),
                decisions=self.decisions(),
                journal=connections.journal(),
            )
        except (CommvaultError, RestoreCheckError) as exc:
            raise self.failed(_what(request), exc, Stage.STARTING_RESTORE) from None

    def _wait(
        self,
        inputs: restore_inputs.RestoreInputs,
        request: RestoreRequest,
        started: StartedJob,
        label: str,
        reads_per_hour: int | None,
    ) -> JobSummary:
        connection = self.settings()
        adopted = ", adopted" if started.adopted else ""
        progress = Progress(label, front_end.current().resource_urn(), [], by_database=False)
        progress.show(f"restore job {started.job_id} started{adopted} ({_what(request)})")
        try:
            summary = base.watch_jobs(
                connections.watcher_for(connection, max_reads_per_hour=reads_per_hour),
                [(started.job_id, request.destination.client_name)],
                timeout_s=inputs.timeout_minutes * 60,
                on_progress=progress.job,
            )[started.job_id]
            raise_for_outcome(connections.client_for(connection), [summary])
        except (CommvaultError, WaitCancelledError) as exc:
            raise self.failed(_what(request), exc, Stage.WAITING_FOR_RESTORE) from None
        return summary

    def _latest_backup_jobs(self, request: RestoreRequest) -> list[str] | None:
        """The backup jobs a ``latest`` restore restores, for its record (a read of the
        source's jobs: the newest restorable full backup and every restorable one after it);
        None for another restore point, which names its jobs itself."""
        if request.point.kind != "latest":
            return None
        client = self.client()
        try:
            client_id = client.client_ids().get(request.source.client_name.lower())
            if client_id is None:
                return None  # the restore's check names the unknown client
            listing = client.list_jobs(
                client_ids=[client_id], lookup_s=0, limit=SOURCE_LISTING_LIMIT
            )
        except CommvaultError:
            return None  # the restore's check reports the CommServe's failure
        return latest_chain(listing, request.source)

    def read(self, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        """Read the restore job's status. Never starts a restore, never drops the resource."""
        results = restore_outputs.results_of(props)
        if not results["job_ids"]:
            return restore_outputs.build_outputs(props, results)
        try:
            summaries = job_statuses(self.client(), [str(j) for j in results["job_ids"]])
        except CommvaultError as exc:
            what = f"reading restore job {results['job_ids']}"
            raise self.failed(what, exc, Stage.READING_RESTORE) from None
        results["jobs"] = [
            restore_outputs.refreshed(r, summaries.get(str(r["job_id"]))) for r in results["jobs"]
        ]
        return restore_outputs.build_outputs(props, results)

    def delete(self, props: dict[str, Any]) -> None:
        """Forget the resource: a restore cannot be undone, and nothing is sent."""
        job_ids = [str(j) for j in props.get("job_ids") or []]
        say(
            f"forgetting restore job {', '.join(job_ids) or '(none)'}; the restored database "
            "stays as it is (a restore cannot be undone)"
        )


class OracleRestoreProvider(DynamicProvider):
    """Runs one Commvault restore of an Oracle database when created or when its triggers
    (or restore point, source, destination) change; never on preview, refresh or destroy."""

    core = RestoreCore()


def latest_chain(listing: list[JobSummary], source: Instance) -> list[str]:
    """Of the listed jobs, the backups of ``source`` a latest restore uses: the newest
    restorable full backup and every restorable backup after it, oldest first."""
    backups = sorted(
        (
            s
            for s in listing
            if s.job_type.lower() != RESTORE_JOB_TYPE
            and Instance(s.subclient.client_name, s.subclient.instance_name).same_as(source)
            and restorable(s)[0]
        ),
        key=lambda s: (s.job_end_time, s.job_id),
    )
    fulls = [i for i, s in enumerate(backups) if s.backup_level_name.lower() == "full"]
    chain = backups[fulls[-1] :] if fulls else backups[-1:]
    return [str(s.job_id) for s in chain]


def _fields_of(inputs: restore_inputs.RestoreInputs) -> RestoreFields:
    """The inputs the user set, as check failures name them: a restore point taken from an
    ``OracleBackupTrigger`` is ``from_backup`` (its jobs), not ``backup_job_ids``."""
    if inputs.from_backup is not None:
        return RestoreFields(job_ids="from_backup")
    return RestoreFields()


def _what(request: RestoreRequest) -> str:
    return (
        f"Oracle restore of {request.source} onto {request.destination} from "
        f"{request.point.describe()}"
    )
