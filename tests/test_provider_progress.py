"""What a resource shows while it waits: every job's latest state in the one line a row
holds (pure: no server; outside the engine the line is printed, prefixed with the name)."""

from __future__ import annotations

import pytest

from pulumi_commvault.commvault.backups import Database, StartedJob
from pulumi_commvault.commvault.models import JobSummary
from pulumi_commvault.provider.progress import Progress, backups_started

ORCL = StartedJob("11", Database("oradb01", "ORCL"), 7, False)
SALES = StartedJob("12", Database("oradb02", "SALES"), 7, False)


def summary(job_id: int, status: str, percent: float, reason: str = "") -> JobSummary:
    return JobSummary(job_id=job_id, status=status, percent_complete=percent, pending_reason=reason)


@pytest.mark.parametrize(
    ("started", "by_database", "updates", "shown"),
    [
        pytest.param(
            [ORCL, SALES],
            True,
            [summary(11, "Running", 40), summary(12, "Running", 10), summary(11, "Running", 60)],
            "snap: oradb01/ORCL/default: job 11 Running 60%; "
            "oradb02/SALES/default: job 12 Running 10%",
            id="several databases: each one's latest, not only the last to move",
        ),
        pytest.param(
            [ORCL],
            True,
            [summary(11, "Waiting", 0, "The job is queued")],
            "snap: oradb01/ORCL/default: job 11 Waiting 0% - The job is queued",
            id="one database, with the pending reason",
        ),
        pytest.param(
            [],
            False,
            [summary(31, "Running", 5), summary(31, "Completed", 100)],
            "snap: job 31 Completed 100%",
            id="a restore: its one job",
        ),
    ],
)
def test_progress_shows_every_jobs_latest_state(capsys, started, by_database, updates, shown):
    progress = Progress("snap", None, started, by_database=by_database)

    for update in updates:
        progress.job(update)

    assert capsys.readouterr().out.splitlines()[-1] == shown


def test_backups_started_names_each_job_and_what_was_adopted():
    adopted = StartedJob("12", Database("oradb02", "SALES"), None, True)

    assert backups_started([ORCL, adopted]) == (
        "started job 11 (oradb01/ORCL/default), Commvault task 7; this request already "
        "started job 12 (oradb02/SALES/default, adopted); following it instead of starting "
        "another backup"
    )
