"""Restoring an Oracle database from its Commvault backups: one request, one restore job.

The never-a-duplicate rule is the backups' one (``guard.start.start_once``): the request's
marker goes in the job description, marked jobs are looked up before sending, and a running
or finished-well restore carrying it is adopted.
``check_restore`` reads what a CommServe would refuse (unknown or non-Oracle instances,
backup jobs that are no restore point, a point in time or SCN no backup covers) before
anything is sent, each failure naming the field it is about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .backups import (
    MARKER_TAG,
    NO_DECISIONS,
    Database,
    JobDecisions,
    MarkedJobIndex,
    StartedJob,
    start_once,
)
from .client import CommvaultClient
from .errors import NotFoundError
from .journal import SendJournal
from .models import JobSummary
from .recovery_points import RecoveryPoint, recovery_points, uncovered_scn, uncovered_time
from .restorability import adoption_rule
from .restorability import restorable as restorable  # its callers import it from here too
from .restore_models import (
    InstanceRef,
    RestorePoint,
    RestoreTaskRequest,
    SourceInstance,
    restore_task_body,
)

RESTORE_JOB_TYPE = "restore"
RESTORE_JOB_TYPE_SHOWN = "Restore"
SOURCE_LISTING_LIMIT = 1000


@dataclass(frozen=True)
class Instance:
    """An Oracle instance as Commvault names it: client and instance (SID)."""

    client_name: str
    instance_name: str

    def __str__(self) -> str:
        return f"{self.client_name}/{self.instance_name}"

    def same_as(self, other: Instance) -> bool:
        return (self.client_name.lower(), self.instance_name.lower()) == (
            other.client_name.lower(),
            other.instance_name.lower(),
        )


@dataclass(frozen=True)
class RestoreRequest:
    """A restore of ``source``'s backups at ``point`` onto ``destination``, tagged ``marker``."""

    source: Instance
    destination: Instance
    point: RestorePoint
    marker: str
    recover: bool = True
    description: str | None = None

    @property
    def in_place(self) -> bool:
        return self.source.same_as(self.destination)

    @property
    def tag(self) -> str:
        return f"[{MARKER_TAG}:{self.marker}]"

    @property
    def job_type(self) -> str:
        return RESTORE_JOB_TYPE_SHOWN

    @property
    def level(self) -> None:
        return None

    @property
    def databases(self) -> tuple[Database, ...]:
        """The one database the restore job runs on (how its job summary names it)."""
        return (Database(self.destination.client_name, self.destination.instance_name),)

    def job_description(self) -> str:
        return f"{self.description} {self.tag}" if self.description else self.tag

    def create_task_request(self, databases: list[Database]) -> RestoreTaskRequest:
        return RestoreTaskRequest(
            restore_task_body(
                source=SourceInstance(
                    client_name=self.source.client_name, instance_name=self.source.instance_name
                ),
                destination=InstanceRef(
                    client_name=self.destination.client_name,
                    instance_name=self.destination.instance_name,
                ),
                point=self.point,
                recover=self.recover,
                job_description=self.job_description(),
            )
        )


class RestoreCheckError(ValueError):
    """A restore that would be refused: ``failures`` lists ``(field, reason)``."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in failures))


@dataclass(frozen=True)
class RestoreFields:
    """The names the caller's inputs have, so check failures name them (resource vs CLI)."""

    source_client: str = "client_name"
    source_instance: str = "instance_name"
    destination_client: str = "destination_client_name"
    destination_instance: str = "destination_instance_name"
    job_ids: str = "backup_job_ids"
    point_in_time: str = "point_in_time"
    scn: str = "scn"


def check_restore(
    client: CommvaultClient, request: RestoreRequest, fields: RestoreFields = RestoreFields()
) -> None:
    """Raise ``RestoreCheckError`` for what the CommServe would refuse; reads only."""
    client_ids = client.client_ids()
    ends = (
        (request.source, (fields.source_client, fields.source_instance), "source"),
        (
            request.destination,
            (fields.destination_client, fields.destination_instance),
            "destination",
        ),
    )
    failures = [
        failure
        for instance, names, role in ends
        for failure in instance_failures(client, client_ids, instance, names, role)
    ]
    if not failures and request.point.kind == "jobs":
        failures += _job_failures(client, request, fields.job_ids)
    if not failures and request.point.kind == "time" and request.point.time is not None:
        failures += _time_failures(client, request, client_ids, fields.point_in_time)
    if not failures and request.point.kind == "scn" and request.point.scn is not None:
        failures += _scn_failures(client, request, fields.scn)
    if failures:
        raise RestoreCheckError(failures)


def instance_failures(
    client: CommvaultClient,
    client_ids: dict[str, int],
    instance: Instance,
    fields: tuple[str, str],
    role: str,
) -> list[tuple[str, str]]:
    """What the CommServe would refuse about ``instance`` (its client unknown, no such
    instance, not Oracle) as ``(field, reason)``, ``fields`` naming its client and instance
    as the caller's inputs do; reads only. Also ``backup``'s check before it sends."""
    client_field, instance_field = fields
    client_id = client_ids.get(instance.client_name.lower())
    if client_id is None:
        return [(client_field, f"client {instance.client_name!r} is not known to the CommServe")]
    found = [
        i
        for i in client.instances(client_id)
        if i.instance_name.lower() == instance.instance_name.lower()
    ]
    if not found:
        return [
            (
                instance_field,
                f"no instance {instance.instance_name!r} on client {instance.client_name!r}",
            )
        ]
    if found[0].app_name.lower() != "oracle":
        return [
            (instance_field, f"the {role} {instance} is a {found[0].app_name} instance, not Oracle")
        ]
    return []


def _job_failures(
    client: CommvaultClient, request: RestoreRequest, field: str
) -> list[tuple[str, str]]:
    failures = []
    for job_id in request.point.job_ids:
        summary = client.find_job(job_id)
        usable, why = restorable(summary)
        if summary is not None and summary.job_type.lower() == RESTORE_JOB_TYPE:
            usable, why = False, "a restore job, not a backup"
        elif summary is not None and not Instance(
            summary.subclient.client_name, summary.subclient.instance_name
        ).same_as(request.source):
            usable, why = (
                False,
                f"a backup of {summary.subclient.client_name}/"
                + (f"{summary.subclient.instance_name}, not of {request.source}"),
            )
        if not usable:
            failures.append((field, f"job {job_id} is no restore point: {why}"))
    return failures


def _time_failures(
    client: CommvaultClient, request: RestoreRequest, client_ids: dict[str, int], field: str
) -> list[tuple[str, str]]:
    point = request.point.time
    if point is None:  # a point-in-time restore point always has its time
        return [(field, "no point in time given")]
    if point > datetime.now(UTC):
        return [(field, f"{point.isoformat()} is in the future")]
    points = _recovery_points(client, request)
    if points is not None:
        why = uncovered_time(point, points, str(request.source))
        return [(field, why)] if why else []
    # A CommServe without backup pieces: judged from the source client's job listing.
    source_id = client_ids[request.source.client_name.lower()]
    listing = client.list_jobs(client_ids=[source_id], lookup_s=0, limit=SOURCE_LISTING_LIMIT)
    ends = [
        s.job_end_time
        for s in listing
        if s.job_type.lower() != RESTORE_JOB_TYPE
        and Instance(s.subclient.client_name, s.subclient.instance_name).same_as(request.source)
        and restorable(s)[0]
        and s.job_end_time
    ]
    if not ends:
        return [(field, f"{request.source} has no restorable backup")]
    if point.timestamp() < min(ends):
        first = datetime.fromtimestamp(min(ends), UTC).isoformat()
        return [
            (
                field,
                f"{point.isoformat()} is before the first restorable backup of "
                f"{request.source} (it ended at {first})",
            )
        ]
    return []


def _recovery_points(
    client: CommvaultClient, request: RestoreRequest
) -> list[RecoveryPoint] | None:
    """The source's recovery points, or None where the CommServe serves no backup pieces."""
    try:
        return recovery_points(client, request.source.client_name, request.source.instance_name)
    except NotFoundError:
        return None


def _scn_failures(
    client: CommvaultClient, request: RestoreRequest, field: str
) -> list[tuple[str, str]]:
    points = _recovery_points(client, request)
    if points is None or request.point.scn is None:
        return []
    why = uncovered_scn(request.point.scn, points, str(request.source))
    return [(field, why)] if why else []


#: A marked restore job stands for the request while running, or once finished well.
adoptable_restore = adoption_rule(accept_completed_with_errors=False)


def start_restore(
    client: CommvaultClient,
    request: RestoreRequest,
    *,
    index: MarkedJobIndex | None = None,
    adoptable: Callable[[JobSummary], bool] = adoptable_restore,
    exclude: Iterable[str] = (),
    decisions: JobDecisions = NO_DECISIONS,
    journal: SendJournal | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> StartedJob:
    """The restore job for ``request``: adopted when one carries its marker (or, where the
    CommServe shows no marker, is recognised as its own), else started.

    Sends follow ``guard.start.start_once``: never a second job for one request.
    """
    (job,) = start_once(
        client,
        request,
        adoptable=adoptable,
        index=index,
        exclude=exclude,
        decisions=decisions,
        journal=journal,
        sleep=sleep,
    )
    return job
