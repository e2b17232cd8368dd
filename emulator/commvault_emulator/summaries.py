"""The JSON a CommServe gives for a job: ``jobSummary`` (Job, Jobs) and ``job`` (JobDetails).

Field names are the ones cvpysdk 11.44 reads (``job.py``); the JobDetails layout follows
Commvault's "Get Job Details" API page.
"""

from __future__ import annotations

import zlib
from typing import Any

from commvault_emulator.jobs import COMPLETED, Job, Snapshot

OP_TYPE_BACKUP = 4  # UNCERTAIN: the numeric opType of a backup in jobSummary.
USER_ID = 1
_MIB = 1024 * 1024


def _full_size(job: Job) -> int:
    """A stable, plausible size for the job's data: 2-8 GiB full, 64-576 MiB incremental."""
    seed = zlib.crc32(str(job.job_id).encode())
    if job.backup_level == "Full":
        return (2048 + seed % 6144) * _MIB
    return (64 + seed % 512) * _MIB


def sizes(job: Job, snap: Snapshot) -> tuple[int, int]:
    """(sizeOfApplication, sizeOfMediaOnDisk) in bytes: growing while running, >0 when done."""
    fraction = 1.0 if snap.status.startswith(COMPLETED) else snap.percent / 100
    application = int(_full_size(job) * fraction)
    return application, int(application * 0.45)


def _epoch(value: float | None) -> int:
    return int(value) if value is not None else 0


def _elapsed(snap: Snapshot, now: float) -> int:
    if snap.started is None:
        return 0
    return int(max(0.0, (snap.ended if snap.ended is not None else now) - snap.started))


def job_summary(
    job: Job, snap: Snapshot, now: float, with_description: bool = True
) -> dict[str, Any]:
    """The ``jobSummary`` object of ``GET Job/{id}`` and ``POST Jobs``; without
    ``jobDescription`` when ``with_description`` is off (``--omit-job-description``)."""
    application, media = sizes(job, snap)
    summary = {
        "jobId": job.job_id,
        "status": snap.status,
        "localizedStatus": snap.status,
        "percentComplete": snap.percent,
        "jobStartTime": _epoch(snap.started),
        "jobEndTime": _epoch(snap.ended),
        "lastUpdateTime": _epoch(snap.last_update),
        "jobElapsedTime": _elapsed(snap, now),
        "pendingReason": snap.pending_reason,
        "jobType": "Backup",
        "localizedOperationName": "Backup",
        "opType": OP_TYPE_BACKUP,
        "backupLevelName": job.backup_level,
        "appTypeName": job.entity["appName"],
        "currentPhaseName": snap.phase,
        "sizeOfApplication": application,
        "sizeOfMediaOnDisk": media,
        "userName": {"userName": job.user_name, "userId": USER_ID},
        "isVisible": True,
        "jobDescription": job.description,
        "subclient": dict(job.entity),
        "destClientName": job.entity["clientName"],
        "destinationClient": {
            "clientId": job.entity["clientId"],
            "clientName": job.entity["clientName"],
        },
    }
    if not with_description:
        del summary["jobDescription"]
    return summary


def job_details(job: Job, snap: Snapshot, now: float) -> dict[str, Any]:
    """The ``job`` object of ``POST JobDetails``; the failure reason is in
    ``jobDetail.progressInfo.reasonForJobDelay`` (what cvpysdk's ``delay_reason`` reads)."""
    application, media = sizes(job, snap)
    files = snap.percent * 3
    return {
        "jobDetail": {
            "generalInfo": {
                "jobId": job.job_id,
                "operationType": "Backup",
                "backupType": job.backup_level,
                "jobStartedBy": job.user_name,
                "jobStartedFrom": "Interactive",
                "startTime": _epoch(snap.started),
                "description": job.description,
                "subclient": dict(job.entity),
                "taskData": {"taskId": job.task_id, "subtaskId": 1, "taskName": ""},
            },
            "progressInfo": {
                "state": snap.status,
                "reasonForJobDelay": snap.pending_reason,
                "percentComplete": snap.percent,
                "currentPhase": snap.phase,
                "numOfFilesTransferred": files,
            },
            "detailInfo": {
                "startTime": _epoch(snap.started),
                "endTime": _epoch(snap.ended),
                "sizeOfApplication": str(application),
                "sizeOfMediaOnDisk": media,
                "unCompressedBytes": application,
                "compressedBytes": media,
                "numOfObjects": files,
                "transferTime": str(_elapsed(snap, now)),
            },
            "attemptsInfo": [
                {
                    "attemptNumber": 1,
                    "phaseName": snap.phase or "Backup",
                    "status": snap.status,
                    "startTime": _epoch(snap.started),
                    "endTime": _epoch(snap.ended),
                }
            ],
        }
    }
