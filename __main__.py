"""The demo: a pre-change restore point of the default inventory's Oracle databases.

``bash tools/demo.sh`` runs it against the embedded emulator. Each run names a new change
(stack config ``demo:change``), so each ``pulumi up`` takes a new backup and keeps the
earlier one in ``history``.
"""

import pulumi

from pulumi_commvault import DatabaseArgs, OracleBackupTrigger

change = pulumi.Config("demo").get("change") or "change-1"

restore_point = OracleBackupTrigger(
    "pre-change-restore-point",
    databases=[
        DatabaseArgs(client_name="oradb01", instance_name="ORCL"),
        DatabaseArgs(client_name="oradb02", instance_name="SALES"),
    ],
    backup_level="full",
    description=f"restore point before {change}",
    triggers=[change],
    timeout_minutes=10,
)

archive_logs = OracleBackupTrigger(
    "pre-change-archive-logs",
    client_name="oradb01",
    instance_name="ORCL",
    subclient_name="archivelog",
    backup_level="incremental",
    cumulative=True,
    triggers=[change],
    opts=pulumi.ResourceOptions(depends_on=[restore_point]),
)

pulumi.export("change", change)
pulumi.export("task_id", restore_point.task_id)
pulumi.export("job_ids", restore_point.job_ids)
pulumi.export(
    "job_statuses",
    pulumi.Output.all(restore_point.jobs, archive_logs.jobs).apply(
        lambda both: {job["job_id"]: job["status"] for jobs in both for job in jobs}
    ),
)
pulumi.export("archive_log_job_ids", archive_logs.job_ids)
