"""How a pre-change backup's job description names the Pulumi resource it protects, so
``commvault-oracle status --urn`` finds the jobs ``oracle_backup_hook`` took for it."""

from __future__ import annotations

from .client import CommvaultClient
from .models import ORACLE_APPLICATION_ID

#: How far back ``jobs_of_urn`` looks by default: a week of pre-change backups.
LOOKUP_S = 7 * 24 * 3600
_PAGE = 1000
_MAX_PAGES = 100


def pre_change_text(urn: str, operation: str) -> str:
    """``pre-change backup of <urn> before <operation>``: part of the job description."""
    return f"pre-change backup of {urn} before {operation}"


def jobs_of_urn(client: CommvaultClient, urn: str, *, lookup_s: int = LOOKUP_S) -> list[str]:
    """The Oracle jobs of the last ``lookup_s`` whose description names ``urn``'s pre-change
    backup, oldest first. Needs listings that show ``jobDescription``."""
    wanted = pre_change_text(urn, "")
    found: list[str] = []
    for page in range(_MAX_PAGES):
        jobs = client.list_jobs(
            lookup_s=lookup_s,
            limit=_PAGE,
            offset=page * _PAGE,
            application_id=ORACLE_APPLICATION_ID,
        )
        found += [str(j.job_id) for j in jobs if wanted in (j.job_description or "")]
        if len(jobs) < _PAGE:
            break
    return sorted(set(found), key=int)
