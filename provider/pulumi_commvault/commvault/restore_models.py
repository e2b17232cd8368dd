"""The ``POST CreateTask`` body of an Oracle restore, as cvpysdk 11.44 builds it.

``OracleInstance.restore`` (latest, point in time, SCN; operationType 1001) and the restore
from given backup job ids (operationType 1005, ``restoreOptions.jobIds``, ``fileOption.
sourceItem`` ``"2:<job>"``). cvpysdk has no point-in-time or SCN helper for Oracle: the keys
used for them (``recoverFrom`` 4 with ``recoverTime.time``; ``recoverFrom`` 2 with
``recoverSCN``) are UNCERTAIN (docs/emulator.md, "Oracle restores").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .models import ORACLE_APP_NAME, ORACLE_APPLICATION_ID

SUBTASK_RESTORE = 3
OPERATION_RESTORE = 1001
OPERATION_RESTORE_BY_JOBS = 1005
RECOVER_FROM_LATEST = 3
RECOVER_FROM_TIME = 4
RECOVER_FROM_SCN = 2
COMMCELL_ID = 2
BROWSE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

PointKind = Literal["latest", "time", "scn", "jobs"]


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class ClientName(_Wire):
    client_name: str


class InstanceRef(_Wire):
    client_name: str
    instance_name: str
    app_name: str = ORACLE_APP_NAME


class SourceInstance(_Wire):
    """``taskInfo.associations[0]``: the instance whose backups are restored."""

    client_name: str
    instance_name: str
    app_name: str = ORACLE_APP_NAME
    application_id: int = ORACLE_APPLICATION_ID
    backupset_name: str = "default"


class Destination(_Wire):
    no_of_streams: int = 2
    dest_client: ClientName
    destination_instance: InstanceRef


class RestorePoint(_Wire):
    """What to restore: the latest backup, a point in time, an SCN, or given backup jobs."""

    kind: PointKind = "latest"
    time: datetime | None = None
    scn: int | None = Field(default=None, gt=0)
    job_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "time" and self.time is not None:
            return f"point in time {self.time.astimezone(UTC).isoformat()}"
        if self.kind == "scn":
            return f"SCN {self.scn}"
        if self.kind == "jobs":
            return f"backup jobs {', '.join(self.job_ids)}"
        return "the latest backup"


def _oracle_options(point: RestorePoint, recover: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """``oracleOpt`` for the restore point, and the browse ``timeRange`` a point in time needs."""
    oracle: dict[str, Any] = {
        "resetLogs": 1,
        "switchDatabaseMode": True,
        "noCatalog": True,
        "restoreData": True,
        "restoreFrom": RECOVER_FROM_LATEST,
        "recover": recover,
        "recoverFrom": RECOVER_FROM_LATEST,
    }
    time_range: dict[str, Any] = {}
    if point.kind == "time" and point.time is not None:
        oracle.update(
            recoverFrom=RECOVER_FROM_TIME,
            recoverTime={"time": int(point.time.timestamp())},
            timeZone={"TimeZoneName": "(UTC) Coordinated Universal Time"},
        )
        time_range["toTimeValue"] = point.time.astimezone(UTC).strftime(BROWSE_TIME_FORMAT)
    elif point.kind == "scn":
        oracle.update(recoverFrom=RECOVER_FROM_SCN, recoverSCN=str(point.scn))
    return oracle, time_range


def restore_task_body(
    *,
    source: SourceInstance,
    destination: InstanceRef,
    point: RestorePoint,
    recover: bool,
    job_description: str,
) -> dict[str, Any]:
    """The CreateTask JSON for one Oracle restore."""
    oracle, time_range = _oracle_options(point, recover)
    by_jobs = point.kind == "jobs"
    restore_options: dict[str, Any] = {"jobIds": list(point.job_ids)} if by_jobs else {}
    if by_jobs:
        source_items = [f"{COMMCELL_ID}:{job}" for job in point.job_ids]
    else:
        source_items = [f"SID: {source.instance_name}"]
    restore_options.update(
        browseOption={
            "commCellId": COMMCELL_ID,
            "backupset": {"clientName": source.client_name, "appName": ORACLE_APP_NAME},
            "timeRange": time_range,
        },
        destination=Destination(
            dest_client=ClientName(client_name=destination.client_name),
            destination_instance=destination,
        ).model_dump(by_alias=True),
        fileOption={"sourceItem": source_items},
        oracleOpt=oracle,
        commonOptions={"jobDescription": job_description},
    )
    operation = OPERATION_RESTORE_BY_JOBS if by_jobs else OPERATION_RESTORE
    return {
        "taskInfo": {
            "associations": [source.model_dump(by_alias=True)],
            "task": {
                "initiatedFrom": 2,
                "taskType": 1,
                "policyType": 0,
                "taskFlags": {"disabled": False},
            },
            "subTasks": [
                {
                    "subTaskOperation": 1,
                    "subTask": {"subTaskType": SUBTASK_RESTORE, "operationType": operation},
                    "options": {"restoreOptions": restore_options},
                }
            ],
        }
    }


class RestoreTaskRequest:
    """A CreateTask body the client sends as it is (``to_wire``), like ``CreateTaskRequest``."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def to_wire(self) -> dict[str, Any]:
        return self._body
