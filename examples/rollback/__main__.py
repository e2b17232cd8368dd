"""Back up ORCL, then migrate it; when the migration fails, the restore point is in the
stack's outputs and one command restores it (README.md).

Config: ``schemaVersion`` (default 43), ``failMigration`` (default true: this example is
about the rollback).
"""

import pulumi
from migration import Migration

from pulumi_commvault import OracleBackupTrigger

config = pulumi.Config()
schema_version = config.get("schemaVersion") or "43"
fail = config.get_bool("failMigration")

# Names without the version: a new version changes `triggers` (a new backup, the earlier one
# in `history`) instead of replacing the resource (see ../pre-change-snapshot/README.md).
snapshot = OracleBackupTrigger(
    "before-migration",
    client_name="oradb01",
    instance_name="ORCL",
    backup_level="full",
    description=f"before schema migration {schema_version}",
    triggers=[schema_version],
)

# Exported before the migration runs, so a failed `pulumi up` still records them.
pulumi.export("restore_point", snapshot.job_ids)
pulumi.export("restore_database", "oradb01/ORCL")

Migration(
    "migration",
    schema_version=schema_version,
    restore_point_job_ids=snapshot.job_ids,
    fail=True if fail is None else fail,
    opts=pulumi.ResourceOptions(depends_on=[snapshot]),
)
