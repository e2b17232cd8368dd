"""Which backup jobs a ``latest`` restore records: a decision over a job listing (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_commvault.commvault.models import JobSummary, SubclientEntity
from pulumi_commvault.commvault.restores import Instance
from pulumi_commvault.provider.restore import latest_chain

ORCL = Instance("oradb01", "ORCL")


def job(job_id: int, end: int, level: str = "Full", **overrides: Any) -> JobSummary:
    fields: dict[str, Any] = {
        "job_id": job_id,
        "status": "Completed",
        "job_end_time": end,
        "backup_level_name": level,
        "job_type": "Backup",
        "subclient": SubclientEntity(client_name="oradb01", instance_name="ORCL"),
        **overrides,
    }
    return JobSummary(**fields)


@pytest.mark.parametrize(
    ("listing", "chain"),
    [
        pytest.param([job(1, 10), job(2, 20)], ["2"], id="the newest full"),
        pytest.param(
            [job(1, 10), job(2, 20, "Incremental"), job(3, 30, "Incremental")],
            ["1", "2", "3"],
            id="a full and the incrementals after it",
        ),
        pytest.param(
            [job(1, 10), job(2, 20, is_aged=True), job(3, 30, "Incremental")],
            ["1", "3"],
            id="an aged full is no restore point",
        ),
        pytest.param(
            [job(1, 10), job(2, 20, status="Failed"), job(3, 30, job_type="Restore")],
            ["1"],
            id="failed backups and restore jobs are left out",
        ),
        pytest.param(
            [job(1, 10), job(2, 20, subclient=SubclientEntity(client_name="oradb02"))],
            ["1"],
            id="another database's backups are left out",
        ),
        pytest.param([job(1, 10, "Incremental")], ["1"], id="no full listed: the newest"),
        pytest.param([], [], id="nothing restorable: nothing recorded"),
    ],
)
def test_latest_chain_is_the_newest_restorable_full_and_what_follows(listing, chain):
    assert latest_chain(listing, ORCL) == chain
