"""``commvault-oracle logs JOB`` and ``points CLIENT/INSTANCE``: what a DBA asks next.

``logs`` prints a job's RMAN log and its deciding lines (the first RMAN- and ORA- errors);
``points`` lists the restorable backups of a database with the time and SCN range each
covers, its level and size. Both only read.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..commvault.client import CommvaultClient
from ..commvault.recovery_points import RecoveryPoint, recovery_points
from ..commvault.rman import deciding_lines, without_passwords
from .commands import UNKNOWN_HINT, CliFailure
from .display import Display
from .exit_codes import Exit

_DURATION = re.compile(r"(\d+)\s*([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_GIB = 1024**3


def since(text: str, now: datetime) -> datetime:
    """``--since`` as a UTC time; ``CliFailure`` naming the flag when it is neither form."""
    duration = _DURATION.fullmatch(text.strip().lower())
    if duration:
        return now - timedelta(**{_UNITS[duration.group(2)]: int(duration.group(1))})
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CliFailure(
            Exit.BAD_INPUT,
            f"--since: {text!r} is neither an ISO 8601 time (2026-03-01T14:30:00Z) nor a "
            "duration (30m, 24h, 7d)",
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def logs(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    job_id = args.job_id.strip()
    if not job_id.isdigit():
        raise CliFailure(Exit.BAD_INPUT, f"JOB: {args.job_id!r} is not a job id")
    display.put(job_id=job_id, job_ids=[job_id])
    found = client.rman_log(job_id)
    if found.error_string:
        if client.find_job(job_id) is None:
            raise CliFailure(
                Exit.UNKNOWN_JOB,
                f"job {job_id}: unknown to the CommServe, no RMAN log ({found.error_string}); "
                f"{UNKNOWN_HINT}",
            )
        raise CliFailure(Exit.BAD_INPUT, f"job {job_id}: {found.error_string}")
    text = without_passwords(found.log_content)
    errors = deciding_lines(text)
    display.put(log=text, errors=errors)
    display.line(text.rstrip("\n"))
    if errors:
        display.line(f"job {job_id} failed on: " + "; ".join(errors))
    return Exit.SUCCESS


def _point_fields(point: RecoveryPoint) -> dict[str, Any]:
    return {
        "job_id": point.job_id,
        "level": point.level or None,
        "kind": point.kind or None,
        "start_time": point.start.isoformat(),
        "end_time": point.end.isoformat(),
        "first_scn": point.first_scn,
        "next_scn": point.next_scn,
        "size_bytes": point.size_bytes,
    }


def _point_line(point: RecoveryPoint) -> str:
    scn = f"SCN {point.first_scn}-{point.next_scn}" if point.first_scn is not None else "SCN ?"
    level = point.level or point.kind or "backup"
    return (
        f"job {point.job_id}  {level:<11}  {point.start:%Y-%m-%d %H:%M:%S} -> "
        f"{point.end:%Y-%m-%d %H:%M:%S} UTC  {scn}  {point.size_bytes / _GIB:.2f} GiB"
    )


def points(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    parts = [p.strip() for p in args.database.split("/")]
    if len(parts) != 2 or not all(parts):
        raise CliFailure(
            Exit.BAD_INPUT, f"CLIENT/INSTANCE: {args.database!r} is not client/instance"
        )
    window = since(args.since, datetime.now(UTC)) if args.since else None
    found = recovery_points(client, parts[0], parts[1], window)
    display.put(
        command="points",
        database=f"{parts[0]}/{parts[1]}",
        since=window.isoformat() if window else None,
        points=[_point_fields(p) for p in found],
    )
    if not found:
        display.line(
            f"{parts[0]}/{parts[1]}: no restorable backup" + (" in that window" if window else "")
        )
    for point in found:
        display.line(_point_line(point))
    return Exit.SUCCESS
