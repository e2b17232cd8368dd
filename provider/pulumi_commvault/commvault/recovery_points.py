"""What an Oracle database can be restored to: its restorable backups and what they cover.

A recovery point is one backup job that completed: the time and SCN range it covers, its
level and size, read from the CommServe's backup pieces of the instance (one request,
filtered by instance and window on the CommServe's side, so a busy CommServe costs the same).
A point in time or an SCN is covered from the end of the first restorable backup on: before
it there is nothing to restore from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .client import CommvaultClient
from .errors import NotFoundError
from .oracle_models import BackupPiece


@dataclass(frozen=True)
class RecoveryPoint:
    """One restorable backup job (its pieces taken together)."""

    job_id: str
    level: str
    kind: str
    start: datetime
    end: datetime
    first_scn: int | None
    next_scn: int | None
    size_bytes: int

    def describe(self) -> str:
        scn = f", SCN {self.first_scn}-{self.next_scn}" if self.first_scn is not None else ""
        return f"{self.end.isoformat()} (job {self.job_id}{scn})"


def _when(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _grouped(pieces: list[BackupPiece]) -> list[RecoveryPoint]:
    by_job: dict[str, list[BackupPiece]] = {}
    for piece in pieces:
        key = (
            str(piece.job_id) if piece.job_id is not None else piece.tag or piece.backup_piece_name
        )
        by_job.setdefault(key, []).append(piece)
    points = []
    for job_id, group in by_job.items():
        first_scns = [p.start_scn for p in group if p.start_scn is not None]
        next_scns = [p.end_scn for p in group if p.end_scn is not None]
        points.append(
            RecoveryPoint(
                job_id=job_id,
                level=group[0].backup_level,
                kind=group[0].backup_type,
                start=_when(min(p.start_time for p in group)),
                end=_when(max(p.end_time for p in group)),
                first_scn=min(first_scns) if first_scns else None,
                next_scn=max(next_scns) if next_scns else None,
                size_bytes=sum(p.size for p in group),
            )
        )
    return sorted(points, key=lambda p: (p.end, p.job_id))


def recovery_points(
    client: CommvaultClient, client_name: str, instance_name: str, since: datetime | None = None
) -> list[RecoveryPoint]:
    """The instance's restorable backups that ended at or after ``since``, oldest first.

    Raises ``NotFoundError`` when the CommServe lists no such Oracle instance."""
    instance_id = client.oracle_instance_id(client_name, instance_name)
    if instance_id is None:
        raise NotFoundError(
            f"no Oracle instance {instance_name!r} on client {client_name!r}",
            commserve=client.base_url,
            operation="GET instance",
        )
    from_time = int(since.timestamp()) if since is not None else 0
    return _grouped(client.backup_pieces(instance_id, from_time=from_time))


def uncovered_time(point: datetime, points: list[RecoveryPoint], source: str) -> str | None:
    """Why no backup covers ``point`` (naming the nearest covered point), or None."""
    if not points:
        return f"{source} has no restorable backup"
    first = points[0]
    if point < first.end:
        return (
            f"{point.isoformat()} is before the first restorable backup of {source} "
            f"(it ended at {first.end.isoformat()}); the nearest covered point is "
            f"{first.describe()}"
        )
    return None


def uncovered_scn(scn: int, points: list[RecoveryPoint], source: str) -> str | None:
    """Why no backup covers SCN ``scn`` (naming the nearest covered SCN), or None; None too
    when the CommServe gives no SCNs (it cannot be checked here)."""
    with_scn = [p for p in points if p.next_scn is not None]
    if not points:
        return f"{source} has no restorable backup"
    if not with_scn:
        return None
    first = with_scn[0]
    if first.next_scn is not None and scn < first.next_scn:
        return (
            f"SCN {scn} is before the first restorable backup of {source} (it ended at SCN "
            f"{first.next_scn}); the nearest covered point is {first.describe()}"
        )
    return None
