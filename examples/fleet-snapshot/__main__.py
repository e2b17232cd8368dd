"""Snapshot every database listed in stack config ``databases``, with one Commvault task.

The backups run side by side, so the fleet takes about as long as its slowest backup, and
one CreateTask call starts them all (Commvault's SaaS allows 100 API writes an hour).
"""

import pulumi

from pulumi_commvault import OracleBackupTrigger

HOW_TO_LIST = """\
no databases to back up: list them in the stack config, one client and instance each:
    pulumi config set --path 'databases[0].client_name' oradb01
    pulumi config set --path 'databases[0].instance_name' ORCL
    pulumi config set --path 'databases[1].client_name' oradb02
    pulumi config set --path 'databases[1].instance_name' SALES"""

config = pulumi.Config()
try:
    databases = config.get_object("databases")
except pulumi.ConfigTypeError:  # e.g. `pulumi config set databases oradb01`: not a list
    databases = None
if not isinstance(databases, list) or not databases:
    raise pulumi.RunError(HOW_TO_LIST)
patch = config.get("patch") or "patch-2026-12"

snapshot = OracleBackupTrigger(
    "fleet-snapshot",
    databases=databases,
    backup_level=config.get("backupLevel") or "full",
    description=f"fleet snapshot before {patch}",
    triggers=[patch],
    timeout_minutes=config.get_float("timeoutMinutes") or 120,
)

pulumi.export("task_id", snapshot.task_id)
pulumi.export(
    "jobs",
    snapshot.jobs.apply(
        lambda jobs: {f"{j['client_name']}/{j['instance_name']}": j["job_id"] for j in jobs}
    ),
)
