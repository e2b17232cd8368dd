"""Back up the ORCL database, wait for the job, then (and only then) run the migration."""

import pulumi
from migration import Migration

from pulumi_commvault import OracleBackupTrigger

config = pulumi.Config()
schema_version = config.get("schemaVersion") or "42"

snapshot = OracleBackupTrigger(
    f"before-migration-{schema_version}",
    client_name="oradb01",
    instance_name="ORCL",
    backup_level="full",
    description=f"before schema migration {schema_version}",
    triggers=[schema_version],
)

migration = Migration(
    f"migration-{schema_version}",
    schema_version=schema_version,
    restore_point_job_ids=snapshot.job_ids,
    opts=pulumi.ResourceOptions(depends_on=[snapshot]),
)

pulumi.export("restore_point_jobs", snapshot.job_ids)
pulumi.export("restore_point_status", snapshot.jobs.apply(lambda jobs: [j["status"] for j in jobs]))
pulumi.export("migrated_to", migration.schema_version)
