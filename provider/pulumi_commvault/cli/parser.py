"""The ``commvault-oracle`` command line (argparse): subcommands, their help, the epilog."""

from __future__ import annotations

import argparse

from . import dba_commands
from .connection import ENVIRONMENT_HELP
from .exit_codes import EPILOG

DESCRIPTION = """\
Back up and restore Oracle databases with Commvault, from a terminal or a pipeline, at the
moment of a rollback. It talks to the CommServe as pulumi-commvault does (same client, same
COMMVAULT_* settings) and never starts a job twice for one request: a re-run of the same
command adopts the job it started instead of starting another."""

EXAMPLES = """\
examples:
  commvault-oracle backup oradb01/ORCL --wait
  commvault-oracle status 3400891 3400892
  commvault-oracle wait 3400891 --timeout-minutes 30
  commvault-oracle logs 3400891                # its RMAN log, and why it failed
  commvault-oracle points oradb01/ORCL --since 7d   # what it can be restored to
  # the rollback: the restore point a stack recorded, restored in place
  commvault-oracle restore oradb01/ORCL --backup-job-ids \\
      "$(pulumi stack output restore_point --json)" --confirm-overwrite oradb01/ORCL
  # refresh staging from production's latest backup (out of place)
  commvault-oracle restore oradb01/ORCL --latest --to oradb02/SALES"""


def _minutes(text: str) -> float:
    value = float(text)
    if not 0 < value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 10080 (7 days)")
    return value


def build_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="commvault-oracle",
        description=DESCRIPTION,
        epilog=f"{EXAMPLES}\n\n{EPILOG}\n\n{ENVIRONMENT_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout (for pipelines)"
    )
    common.add_argument("--quiet", action="store_true", help="no progress bar, no lines")
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument(
        "--timeout-minutes",
        type=_minutes,
        default=60.0,
        help="how long to wait (default 60); the jobs keep running after it (exit 3)",
    )
    marked = argparse.ArgumentParser(add_help=False)
    marked.add_argument(
        "--request-id",
        default=None,
        help="names the request (default: today's UTC date): the same command with the same "
        "request id adopts the job it started, running or finished well; a new id runs a new job",
    )
    marked.add_argument("--description", default=None, help="text for the job description")
    decided = marked.add_mutually_exclusive_group()
    decided.add_argument(
        "--adopt-job",
        metavar="JOB[,JOB]",
        action="append",
        default=[],
        help="after exit 5 (the CommServe shows no job descriptions, and a job may be an "
        "earlier run's): adopt JOB as this request's own, one per database (repeat the "
        "option, or separate ids with commas)",
    )
    decided.add_argument(
        "--new-job",
        action="store_true",
        help="after exit 5: start a new job anyway; the jobs the stop named are not this request's",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    backup = commands.add_parser(
        "backup",
        parents=[common, waiting, marked],
        help="back up one or more databases (one task, one job each)",
        description="Start a Commvault backup of each DATABASE (client/instance[/subclient]).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument(
        "databases", nargs="+", metavar="DATABASE", help="client/instance[/subclient]"
    )
    backup.add_argument(
        "--level", choices=("full", "incremental"), default="full", help="default: full"
    )
    backup.add_argument("--wait", action="store_true", help="wait for the jobs to finish")

    status = commands.add_parser(
        "status",
        parents=[common],
        help="show jobs' status (and whether a backup is still restorable)",
        description="Show each JOB's status; exit 2 when one is unknown to the CommServe.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("job_ids", nargs="+", metavar="JOB")

    wait = commands.add_parser(
        "wait",
        parents=[common, waiting],
        help="wait for jobs to finish",
        description="Wait for each JOB: exit 0 if all finished well, 1 if one failed, "
        "3 on timeout.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wait.add_argument("job_ids", nargs="+", metavar="JOB")

    restore = commands.add_parser(
        "restore",
        parents=[common, waiting, marked],
        help="restore a database from its backups (in place or onto another instance)",
        description="Restore SOURCE (client/instance) from one restore point, onto --to "
        "(out of place) or onto itself (in place, which needs --confirm-overwrite "
        "SOURCE). Waits for the restore job unless --no-wait.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument(
        "source", metavar="SOURCE", help="client/instance whose backups are restored"
    )
    point = restore.add_mutually_exclusive_group(required=True)
    point.add_argument(
        "--backup-job-ids",
        metavar="IDS",
        help="the backup jobs to restore from: separated by commas or spaces, or a JSON list "
        "(`pulumi stack output NAME --json`)",
    )
    point.add_argument("--point-in-time", metavar="ISO8601", help="e.g. 2026-03-01T14:30:00Z")
    point.add_argument("--scn", metavar="SCN", help="an Oracle SCN")
    point.add_argument("--latest", action="store_true", help="the latest restorable backup")
    restore.add_argument("--to", metavar="CLIENT/INSTANCE", help="out of place: restore onto this")
    restore.add_argument(
        "--confirm-overwrite",
        metavar="CLIENT/INSTANCE",
        help="in place: the database being overwritten, typed out as a guard",
    )
    restore.add_argument("--no-recover", action="store_true", help="restore without recovering")
    restore.add_argument("--no-wait", action="store_true", help="start the job and exit")
    dba_commands.add_parsers(commands, common)
    return root
