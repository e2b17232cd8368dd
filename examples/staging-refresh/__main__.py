"""Refresh staging from production: an out-of-place restore of oradb01/ORCL's latest backup
onto oradb02/SALES, run again whenever the week changes (``triggers``).

Config: ``week`` (default: the current ISO week, e.g. 2026-W49), so a weekly scheduled
``pulumi up`` refreshes staging once a week and is a no-op the rest of the week.
"""

from datetime import UTC, datetime

import pulumi

from pulumi_commvault import OracleRestore

config = pulumi.Config()
week = config.get("week") or datetime.now(UTC).strftime("%G-W%V")

staging = OracleRestore(
    "staging-from-production",
    client_name="oradb01",
    instance_name="ORCL",
    latest=True,
    destination_client_name="oradb02",
    destination_instance_name="SALES",
    description=f"weekly staging refresh {week}",
    triggers=[week],
)

pulumi.export("restore_job", staging.job_id)
pulumi.export("restore_point", staging.restore_point)
pulumi.export("status", staging.jobs.apply(lambda jobs: [j.get("status") for j in jobs]))
