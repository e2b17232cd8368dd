"""Back up the ORCL database, wait for the job, then (and only then) run the migration.

The resource names stay the same from one schema version to the next: a new version
changes the backup's ``triggers``, which takes a new backup in place and moves the previous
one to ``history``, and updates the migration. (A name that carried the version would make
a new resource each time, and forget the earlier restore points.)
"""

import pulumi
from migration import Migration

from pulumi_commvault import OracleBackupTrigger

config = pulumi.Config()
schema_version = config.get("schemaVersion") or "42"

snapshot = OracleBackupTrigger(
    "before-migration",
    client_name="oradb01",
    instance_name="ORCL",
    backup_level="full",
    description=f"before schema migration {schema_version}",
    triggers=[schema_version],
)

migration = Migration(
    "migration",
    schema_version=schema_version,
    restore_point_job_ids=snapshot.job_ids,
    opts=pulumi.ResourceOptions(depends_on=[snapshot]),
)

pulumi.export("restore_point_jobs", snapshot.job_ids)
pulumi.export("restore_point_status", snapshot.jobs.apply(lambda jobs: [j["status"] for j in jobs]))
pulumi.export(
    "earlier_restore_points",
    snapshot.history.apply(
        lambda history: [
            {"schema_version": entry["triggers"][0], "job_ids": entry["job_ids"]}
            for entry in history
        ]
    ),
)
pulumi.export("migrated_to", migration.schema_version)
