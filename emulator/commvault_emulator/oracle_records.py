"""What an Oracle job leaves behind: its RMAN log, its backup pieces and SCN range, its events.

All of it is computed from the job and its snapshot, so it is the same on every read. A job
that failed or was killed ends its log with the RMAN stack Commvault shows: ``RMAN-03009``
naming the channel, then the ORA- error (the one the control plane chose for it, else the
default for its outcome). UNCERTAIN: the exact transcript of Commvault's RMAN scripts;
these follow RMAN's own output for ``backup ... plus archivelog``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commvault_emulator.jobs import COMPLETED, FAILED, KILLED, Job, Snapshot
from commvault_emulator.restores import RestoreJob
from commvault_emulator.scn import scn_at
from commvault_emulator.summaries import sizes

DEFAULT_ERRORS = {
    FAILED: "ORA-19511: non RMAN, but media manager or vendor specific failure, error text:\n"
    "   CVMA: Failed to write to the media agent (emulated)",
    KILLED: "ORA-01013: user requested cancel of current operation",
}


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%d-%b-%y %H:%M:%S").upper()


def _tag(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("TAG%Y%m%dT%H%M%S")


def error_lines(job: Job, snap: Snapshot) -> list[str]:
    """The deciding lines of a job that did not complete: ``RMAN-03009`` and the ORA- error."""
    if not snap.finished or snap.status.startswith(COMPLETED):
        return []
    error = job.rman_error or DEFAULT_ERRORS.get(snap.status, DEFAULT_ERRORS[FAILED])
    when = _stamp(snap.ended or job.created)
    command = "restore" if isinstance(job, RestoreJob) else "backup"
    return [
        "RMAN-00571: ===========================================================",
        "RMAN-00569: =============== ERROR MESSAGE STACK FOLLOWS ===============",
        "RMAN-00571: ===========================================================",
        f"RMAN-03009: failure of {command} command on ch1 channel at {when}",
        *error.splitlines(),
    ]


def _backup_body(job: Job, start: float) -> list[str]:
    level = "0" if job.backup_level == "Full" else "1"
    cumulative = " cumulative" if job.cumulative else ""
    archive = "archivelog" in str(job.entity.get("subclientName", "")).casefold()
    what = "archivelog all" if archive else f"incremental level {level}{cumulative} database"
    return [
        f"RMAN> backup {what} plus archivelog;",
        f"Starting backup at {_stamp(start)}",
        "channel ch1: starting compressed full datafile backup set"
        if not archive
        else "channel ch1: starting archived log backup set",
        f"channel ch1: starting piece 1 at {_stamp(start)}",
    ]


def _restore_body(job: RestoreJob, start: float) -> list[str]:
    until = ""
    if job.point.kind == "time" and job.point.time is not None:
        until = f" until time \"to_date('{_stamp(job.point.time)}','DD-MON-YY HH24:MI:SS')\""
    elif job.point.kind == "scn" and job.point.scn is not None:
        until = f" until scn {job.point.scn}"
    return [
        f"RMAN> run {{ set{until}; restore database; recover database; }}",
        f"Starting restore at {_stamp(start)}",
        "channel ch1: starting datafile backup set restore",
    ]


def rman_log(job: Job, snap: Snapshot) -> str:
    """The job's RMAN transcript so far."""
    start = snap.started if snap.started is not None else job.created
    sid = job.entity.get("instanceName", "")
    lines = [
        "Recovery Manager: Release 19.0.0.0.0 - Production",
        f"connected to target database: {sid} (DBID={job.entity.get('instanceId', 0)})",
        "using target database control file instead of recovery catalog",
        "allocated channel: ch1",
        f"channel ch1: SID=128 device type=SBT_TAPE (job {job.job_id})",
    ]
    if isinstance(job, RestoreJob):
        lines += _restore_body(job, start)
    else:
        lines += _backup_body(job, start)
    if snap.finished and snap.status.startswith(COMPLETED):
        lines += [
            f"channel ch1: finished piece 1 at {_stamp(snap.ended or start)}",
            f"piece handle={_piece_name(job, 1)} tag={_tag(start)} comment=API Version 2.0",
            f"Finished {'restore' if isinstance(job, RestoreJob) else 'backup'} at "
            f"{_stamp(snap.ended or start)}",
            "Recovery Manager complete.",
        ]
    lines += error_lines(job, snap)
    return "\n".join(lines) + "\n"


def _piece_name(job: Job, number: int) -> str:
    return f"{job.job_id}_{job.entity.get('instanceName', '')}_{number}_1"


def covered_range(job: Job, snap: Snapshot) -> tuple[int, int, int, int]:
    """(start time, end time, first SCN, next SCN) a finished backup job covers."""
    start = int(snap.started if snap.started is not None else job.created)
    end = int(snap.ended if snap.ended is not None else start)
    return start, end, scn_at(start), scn_at(end)


def backup_piece(job: Job, snap: Snapshot) -> dict[str, Any]:
    """One ``backupPieces[]`` entry: the Terraform handler's fields, then the SCN range and job.

    UNCERTAIN: ``jobId``, ``backupLevel``, ``startSCN`` and ``endSCN``; the handler reads
    only name, tag, start/end time, type and size."""
    start, end, first_scn, next_scn = covered_range(job, snap)
    archive = "archivelog" in str(job.entity.get("subclientName", "")).casefold()
    return {
        "backupPieceName": _piece_name(job, 1),
        "tag": _tag(start),
        "startTime": start,
        "endTime": end,
        "backupType": "ARCHIVELOG" if archive else "DATAFILE",
        "backupLevel": job.backup_level,
        "size": sizes(job, snap)[0],
        "jobId": job.job_id,
        "startSCN": first_scn,
        "endSCN": next_scn,
    }


def events(job: Job, snap: Snapshot) -> list[dict[str, Any]]:
    """``commservEvents`` of a job (cvpysdk ``Job.get_events``): start, and end if ended."""
    client = {
        "clientName": job.entity.get("clientName", ""),
        "clientId": job.entity.get("clientId"),
    }
    started = int(snap.started if snap.started is not None else job.created)
    found = [_event(job, 1, started, "Information", f"Job [{job.job_id}] started.", client)]
    if snap.finished:
        severity = "Information" if snap.status.startswith(COMPLETED) else "Major"
        text = f"Job [{job.job_id}] ended with status [{snap.status}]."
        if snap.pending_reason:
            text += f" {snap.pending_reason}"
        found.append(_event(job, 2, int(snap.ended or started), severity, text, client))
    return found


def _event(
    job: Job, n: int, when: int, severity: str, text: str, client: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": job.job_id * 10 + n,
        "severity": severity,
        "eventCode": "19:857" if severity == "Major" else "7:311",  # UNCERTAIN: codes invented
        "jobId": job.job_id,
        "subsystem": "JobManager",
        "timeSource": when,
        "description": text,
        "clientEntity": client,
    }
