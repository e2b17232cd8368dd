"""A schema migration of ORCL, protected by a pre-change backup the engine asks for.

No ``triggers`` and no ``depends_on``: the hook is bound to the migration, so the engine
backs ORCL up before each update of the migration, before a replacement drops the old
schema, and before ``pulumi destroy --run-program`` deletes it, and waits until the backup
finished well.
"""

import pulumi
from migration import SchemaMigration

from pulumi_commvault import oracle_backup_hook

config = pulumi.Config()

before_change = oracle_backup_hook(
    "orcl-before-change",
    client_name="oradb01",
    instance_name="ORCL",
    backup_level="full",
    description="protect-database example",
    timeout_minutes=config.get_float("backupTimeoutMinutes") or 10,
)

migration = SchemaMigration(
    "schema",
    schema=config.get("schema") or "APP",
    schema_version=config.get("schemaVersion") or "1",
    fail=config.get_bool("failMigration") or False,
    opts=pulumi.ResourceOptions(hooks=before_change.binding()),
)

pulumi.export("schema", migration.schema)
pulumi.export("schema_version", migration.schema_version)
