"""Oracle restores through ``POST CreateTask``, as cvpysdk 11.44 sends them.

A CreateTask whose first subtask has ``subTaskType`` 3 (or ``RESTORE``) is a restore. The
shapes (``OracleInstance.restore`` and ``_restore_json``; restore by job ids from
``dbinstance.py``):

- ``associations[0]``: the source instance (``clientName``, ``instanceName``, Oracle);
- ``subTask.operationType``: 1001 (restore) or 1005 (restore from ``restoreOptions.jobIds``);
- ``restoreOptions.destination``: ``destClient.clientName`` and ``destinationInstance``
  (client, instance); absent means in place;
- ``restoreOptions.oracleOpt``: ``recover``; ``recoverFrom`` 3 (latest backup), 4 with
  ``recoverTime.time`` (epoch seconds: a point in time), 2 with ``recoverSCN`` (an SCN);
  ``browseOption.timeRange.toTimeValue`` is read as a point in time too;
- ``restoreOptions.commonOptions.jobDescription``: the job's description (the marker).

The checks are a CommServe's: the source and the destination exist and are Oracle
instances, and the source has a finished, not aged backup covering the requested point;
otherwise 200 ``{"errorCode", "errorMessage"}`` naming what is missing, and no job starts.
Restore jobs live with the backup jobs (same ids, same lifecycle, plans and faults) with
``jobType`` ``Restore``. UNCERTAIN parts are listed in docs/emulator.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from commvault_emulator.createtask import CreateTaskError, MalformedBodyError
from commvault_emulator.inventory import ORACLE_APP_ID, Client, Instance, Inventory, Target
from commvault_emulator.inventory import Subclient as _Subclient
from commvault_emulator.jobs import COMPLETED, Job
from commvault_emulator.jobstore import JobStore
from commvault_emulator.scn import scn_at

ERR_RESTORE = 1  # UNCERTAIN: the errorCode a CommServe gives a restore it refuses
RESTORE_TYPES = ("restore", 3)
OP_RESTORE = 1001
OP_RESTORE_BY_JOBS = 1005
RECOVER_LATEST = 3
RECOVER_TIME = 4  # UNCERTAIN: cvpysdk's point-in-time template uses 4
RECOVER_SCN = 2  # UNCERTAIN: not in cvpysdk; chosen for the emulator
OP_TYPE_RESTORE = 2  # UNCERTAIN: the numeric opType of a restore in jobSummary
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class RestorePoint:
    """What a restore restores: ``latest``, ``time`` (epoch s), ``scn``, or ``jobs``."""

    kind: str
    time: float | None = None
    scn: int | None = None
    job_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "time": self.time,
            "scn": self.scn,
            "jobIds": [str(j) for j in self.job_ids],
        }


@dataclass(frozen=True)
class RestoreRequest:
    source: Target
    destination: Target
    point: RestorePoint
    recover: bool
    description: str
    body: dict[str, Any]
    restored_from: list[int]


@dataclass
class RestoreJob(Job):
    """A restore job: runs on the destination instance, restores ``point`` of ``source``."""

    source: dict[str, Any] = field(default_factory=dict)
    point: RestorePoint = RestorePoint("latest")
    recover: bool = True
    restored_from: list[int] = field(default_factory=list)
    """The backup jobs whose data the restore reads."""
    request_body: dict[str, Any] = field(default_factory=dict)


def is_restore(body: Any) -> bool:
    """Whether a CreateTask body asks for a restore (``subTaskType`` 3 or ``RESTORE``)."""
    try:
        subtask = body["taskInfo"]["subTasks"][0]["subTask"]
        value = subtask["subTaskType"]
    except (KeyError, IndexError, TypeError):
        return False
    if isinstance(value, str):
        return value.strip().casefold() == "restore" or value.strip() == "3"
    return value == 3 and not isinstance(value, bool)


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBodyError
    return value


def _refuse(message: str) -> CreateTaskError:
    return CreateTaskError(ERR_RESTORE, message)


def _text(entity: dict[str, Any], key: str) -> str | None:
    value = entity.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _oracle_instance(
    inventory: Inventory, client_name: str | None, instance_name: str | None, role: str
) -> Target:
    if client_name is None:
        raise _refuse(f"The {role} names no client.")
    client = inventory.client(client_name)
    if client is None:
        raise _refuse(f"{role.capitalize()} client [{client_name}] not found.")
    if instance_name is None:
        raise _refuse(f"The {role} names no instance on client [{client.name}].")
    instance = inventory.instance(client, instance_name)
    if instance is None:
        raise _refuse(
            f"{role.capitalize()} instance [{instance_name}] not found on client [{client.name}]."
        )
    if instance.application_id != ORACLE_APP_ID:
        raise _refuse(
            f"{role.capitalize()} instance [{instance.name}] on client [{client.name}] is not an "
            f"Oracle instance (it is {instance.app_name})."
        )
    return _instance_target(client, instance)


def _instance_target(client: Client, instance: Instance) -> Target:
    subclient = next(iter(instance.subclients), None) or _Subclient("default", 0)
    return Target(client, instance, subclient)


def _epoch(value: Any) -> float | None:
    """Epoch seconds from a number, a digit string, or one of ``TIME_FORMATS`` (UTC)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return float(text)
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
            except ValueError:
                continue
    return None


def _job_ids(values: Any) -> tuple[int, ...]:
    if not isinstance(values, list) or not values:
        raise _refuse("A restore from backup jobs needs restoreOptions.jobIds: none were given.")
    ids = []
    for value in values:
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit():
            raise _refuse(f"Backup job id [{value}] is not a job id.")
        ids.append(int(text))
    return tuple(ids)


def _point(operation: Any, restore_opts: dict[str, Any], oracle: dict[str, Any]) -> RestorePoint:
    if str(operation).strip() == str(OP_RESTORE_BY_JOBS) or restore_opts.get("jobIds"):
        return RestorePoint("jobs", job_ids=_job_ids(restore_opts.get("jobIds")))
    recover_from = oracle.get("recoverFrom", RECOVER_LATEST)
    browse = restore_opts.get("browseOption")
    time_range = browse.get("timeRange") if isinstance(browse, dict) else None
    to_time = time_range.get("toTimeValue") if isinstance(time_range, dict) else None
    recover_time = oracle.get("recoverTime")
    at = recover_time.get("time") if isinstance(recover_time, dict) else None
    if recover_from == RECOVER_SCN or "recoverSCN" in oracle:
        raw = oracle.get("recoverSCN")
        text = str(raw).strip()
        if isinstance(raw, bool) or not text.isdigit() or int(text) <= 0:
            raise _refuse(f"SCN [{raw}] is not valid: give a positive whole number.")
        return RestorePoint("scn", scn=int(text))
    if recover_from == RECOVER_TIME or at is not None or to_time:
        raw_time = at if at is not None else to_time
        epoch = _epoch(raw_time)
        if epoch is None:
            raise _refuse(f"Point in time [{raw_time}] is not a valid time.")
        return RestorePoint("time", time=epoch)
    return RestorePoint("latest")


def parse_restore(body: Any, inventory: Inventory, jobs: JobStore, now: float) -> RestoreRequest:
    """The restore a CreateTask body asks for, checked as a CommServe checks it."""
    task_info = _dict(_dict(body).get("taskInfo"))
    associations = task_info.get("associations")
    subtasks = task_info.get("subTasks")
    if not isinstance(associations, list) or not isinstance(subtasks, list) or not subtasks:
        raise MalformedBodyError
    first = _dict(subtasks[0])
    subtask = _dict(first.get("subTask"))
    operation = subtask.get("operationType", OP_RESTORE)
    if str(operation).strip() not in (str(OP_RESTORE), str(OP_RESTORE_BY_JOBS)):
        raise _refuse(
            f"Unsupported operationType [{operation}] for an Oracle restore: use {OP_RESTORE} "
            f"(restore) or {OP_RESTORE_BY_JOBS} (restore from backup jobs)."
        )
    options = _dict(first.get("options", {}))
    if "restoreOptions" not in options:
        raise _refuse("A restore subtask (subTaskType 3) needs options.restoreOptions.")
    restore_opts = _dict(options["restoreOptions"])
    if not associations:
        raise _refuse("The restore names no source instance (taskInfo.associations is empty).")
    source_entity = _dict(associations[0])
    source = _oracle_instance(
        inventory,
        _text(source_entity, "clientName"),
        _text(source_entity, "instanceName"),
        "source",
    )
    destination_opts = _dict(restore_opts.get("destination", {}))
    dest_instance = _dict(destination_opts.get("destinationInstance", {}))
    dest_client_name = _text(_dict(destination_opts.get("destClient", {})), "clientName")
    destination = _oracle_instance(
        inventory,
        dest_client_name or _text(dest_instance, "clientName") or source.client.name,
        _text(dest_instance, "instanceName") or source.instance.name,
        "destination",
    )
    oracle = _dict(restore_opts.get("oracleOpt", {}))
    common = _dict(restore_opts.get("commonOptions", {}))
    description = common.get("jobDescription", "")
    point = _point(operation, restore_opts, oracle)
    restored_from = restorable_backups(point, source, jobs, now)
    return RestoreRequest(
        source=source,
        destination=destination,
        point=point,
        recover=oracle.get("recover", True) is not False,
        description=description if isinstance(description, str) else str(description),
        body=body,
        restored_from=restored_from,
    )


def _is_backup_of(job: Job, source: Target) -> bool:
    return not isinstance(job, RestoreJob) and job.entity.get("instanceId") == source.instance.id


def _usable(job: Job) -> bool:
    return job.ended_at is not None and job.killed_at is None and job.outcome == COMPLETED


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def restorable_backups(
    point: RestorePoint, source: Target, jobs: JobStore, now: float
) -> list[int]:
    """The backup jobs a restore of ``point`` reads; ``CreateTaskError`` naming what is missing."""
    where = f"instance [{source.instance.name}] on client [{source.client.name}]"
    if point.kind == "jobs":
        for job_id in point.job_ids:
            job = jobs.get(job_id)
            if job is None or isinstance(job, RestoreJob):
                raise _refuse(f"Backup job [{job_id}] not found.")
            if not _is_backup_of(job, source):
                raise _refuse(f"Backup job [{job_id}] is not a backup of {where}.")
            if job.aged:
                raise _refuse(
                    f"Backup job [{job_id}] has aged out of retention: it is not restorable."
                )
            if not _usable(job):
                raise _refuse(
                    f"Backup job [{job_id}] did not complete successfully: it is not restorable."
                )
        return list(point.job_ids)
    usable = sorted(
        (j for j in jobs.all_jobs() if _is_backup_of(j, source) and _usable(j) and not j.aged),
        key=lambda j: j.ended_at or 0.0,
    )
    if not usable:
        raise _refuse(f"No finished backup of {where} is available (none, or all aged).")
    if point.kind == "time" and point.time is not None:
        if point.time > now:
            raise _refuse(f"Point in time [{_stamp(point.time)}] is in the future.")
        # Whole seconds, as jobSummary.jobEndTime and recoverTime.time give them.
        covering = [j for j in usable if int(j.ended_at or 0.0) <= point.time]
        if not covering:
            first_end = usable[0].ended_at or 0.0
            raise _refuse(
                f"No backup of {where} covers point in time [{_stamp(point.time)}]: the earliest "
                f"restorable backup ended at [{_stamp(first_end)}]."
            )
        return [covering[-1].job_id]
    if point.kind == "scn" and point.scn is not None:
        # A backup's datafiles are consistent at the SCN it ended at.
        covering = [j for j in usable if scn_at(int(j.ended_at or 0.0)) <= point.scn]
        if not covering:
            raise _refuse(
                f"No backup of {where} covers SCN [{point.scn}]: the earliest restorable backup "
                f"ended at SCN [{scn_at(int(usable[0].ended_at or 0.0))}]."
            )
        return [covering[-1].job_id]
    return [usable[-1].job_id]


def destination_queue_id(request: RestoreRequest) -> int:
    """The queue restore jobs share: one per destination instance (apart from subclients')."""
    return -request.destination.instance.id


def summary_fields(job: Job, summary: dict[str, Any]) -> dict[str, Any]:
    """``jobSummary`` as a restore job shows it (unchanged for a backup job)."""
    if not isinstance(job, RestoreJob):
        return summary
    return {
        **summary,
        "jobType": "Restore",
        "localizedOperationName": "Restore",
        "opType": OP_TYPE_RESTORE,
        "backupLevelName": "",
        "currentPhaseName": "Restore" if summary.get("currentPhaseName") else "",
        "isAged": False,
    }


def control_fields(job: Job) -> dict[str, Any]:
    """What the control plane's job list adds for a restore job (the body as received)."""
    if not isinstance(job, RestoreJob):
        return {"jobType": "Backup", "isAged": job.aged}
    return {
        "jobType": "Restore",
        "source": job.source,
        "restorePoint": job.point.to_dict(),
        "recover": job.recover,
        "restoredFrom": [str(j) for j in job.restored_from],
        "request": job.request_body,
    }
