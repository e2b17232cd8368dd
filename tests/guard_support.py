"""Requests and starts as the duplicate guard's tests make them."""

from __future__ import annotations

from pulumi_commvault.commvault.backups import (
    BackupRequest,
    Database,
    MarkedJobIndex,
    start_backup,
)
from pulumi_commvault.commvault.client import CommvaultClient
from pulumi_commvault.commvault.journal import SendJournal
from pulumi_commvault.commvault.models import JobSummary

ORCL = Database("oradb01", "ORCL")
SALES = Database("oradb02", "SALES")


def backup(marker: str, *databases: Database, level: str = "Full") -> BackupRequest:
    return BackupRequest(databases or (ORCL,), level=level, marker=marker)  # type: ignore[arg-type]


def adopt_running_or_good(summary: JobSummary) -> bool:
    return summary.status.lower().startswith(("running", "waiting", "pending", "queued")) or (
        summary.status == "Completed"
    )


def no_sleep(_s: float) -> None:
    return None


def new_process_start(
    client: CommvaultClient,
    request: BackupRequest,
    *,
    journal: SendJournal | None = None,
    notices: list[str] | None = None,
    **options: object,
) -> list[str]:
    """``start_backup`` as a new process runs it: a fresh index, nothing remembered but what
    ``journal`` (this machine's record of sends) holds; ``notices`` hears its warnings.
    Each job id, `` adopted`` if it was."""
    started = start_backup(
        client,
        request,
        adoptable=adopt_running_or_good,
        index=MarkedJobIndex(notice=(notices if notices is not None else []).append),
        journal=journal,
        sleep=no_sleep,
        **options,  # type: ignore[arg-type]
    )
    return [f"{job.job_id}{' adopted' if job.adopted else ''}" for job in started]
