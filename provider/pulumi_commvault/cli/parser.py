"""The ``commvault-oracle`` command line (argparse): subcommands, their help, the epilog."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypeAlias

from .connection import ENVIRONMENT_HELP
from .exit_codes import EPILOG, CliFailure, Exit

DESCRIPTION = """\
Back up and restore Oracle databases with Commvault, from a terminal or a pipeline, at the
moment of a rollback. It talks to the CommServe as pulumi-commvault does (same client, same
COMMVAULT_* settings) and never starts a job twice for one request: a re-run of the same
command adopts the job it started instead of starting another."""

EXAMPLES = """\
examples:
  commvault-oracle backup oradb01/ORCL                # waits; --no-wait to start and exit
  commvault-oracle status 3400891 3400892
  commvault-oracle wait 3400891 --timeout-minutes 30
  commvault-oracle logs 3400891                # its RMAN log, and why it failed
  commvault-oracle points oradb01/ORCL --since 7d   # what it can be restored to
  # the rollback: the restore point a stack recorded, restored in place
  commvault-oracle restore oradb01/ORCL --backup-job-ids \\
      "$(pulumi stack output restore_point --json)" --confirm-overwrite oradb01/ORCL
  # refresh staging from production's latest backup (out of place)
  commvault-oracle restore oradb01/ORCL --latest --to oradb02/SALES"""


DEFAULT_TIMEOUT_MINUTES = 60.0


def _minutes(text: str) -> float:
    """``--timeout-minutes``; its refusals say what the value must be (a bare ``ValueError``
    would make argparse name this function: ``invalid _minutes value``)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 7 * 24 * 60:  # NaN too
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of minutes more than 0 and at most 10080 (7 days)"
        )
    return value


@dataclass(frozen=True)
class Parents:
    """The option groups subcommands share: ``--json``/``--quiet``, ``--timeout-minutes``,
    ``--wait/--no-wait`` (with the timeout), and a request's ``--request-id`` & co."""

    common: Parser
    timeout: Parser
    waiting: Parser
    marked: Parser


class BadArguments(Exception):
    """What argparse refused, so that ``main`` can put it in the ``--json`` document too."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` (and its subcommands') whose errors raise ``BadArguments``."""

    def error(self, message: str) -> NoReturn:
        """argparse's ``argument --flag: ...`` as the CLI's own errors read: ``--flag: ...``."""
        raise BadArguments(self, message.removeprefix("argument "))


#: Where a subcommand registers its parser (``build_parser``'s ``add_subparsers``).
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"


def build_parser() -> Parser:
    root = Parser(
        prog="commvault-oracle",
        description=DESCRIPTION,
        epilog=f"{EXAMPLES}\n\n{EPILOG}\n\n{ENVIRONMENT_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = _parents()
    for register in SUBCOMMANDS:
        register(commands, parents)
    return root


def subcommand(
    commands: Commands,
    name: str,
    parents: list[Parser],
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """One subcommand's parser, its help ending in the exit codes."""
    return commands.add_parser(
        name,
        parents=parents,
        help=summary,
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parents() -> Parents:
    common = Parser(add_help=False)
    common.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout (for pipelines)"
    )
    common.add_argument("--quiet", action="store_true", help="no progress bar, no lines")
    timeout = Parser(add_help=False)
    timeout.add_argument(
        "--timeout-minutes",
        type=_minutes,
        default=None,
        help="how long to wait (default 60); the jobs keep running after it (exit 3)",
    )
    waiting = Parser(add_help=False, parents=[timeout])
    waiting.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="wait for the jobs to finish (the default); --no-wait starts them and exits 0",
    )
    return Parents(common=common, timeout=timeout, waiting=waiting, marked=_marked())


def _marked() -> Parser:
    marked = Parser(add_help=False)
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
    return marked


def _backup(commands: Commands, parents: Parents) -> None:
    backup = subcommand(
        commands,
        "backup",
        [parents.common, parents.waiting, parents.marked],
        "back up one or more databases (one task, one job each)",
        "Start a Commvault backup of each DATABASE (client/instance[/subclient]).",
    )
    backup.add_argument(
        "databases", nargs="+", metavar="DATABASE", help="client/instance[/subclient]"
    )
    backup.add_argument(
        "--level",
        type=str.lower,
        choices=("full", "incremental"),
        default="full",
        help="full or incremental, in any case (default: full)",
    )


def _status(commands: Commands, parents: Parents) -> None:
    status = subcommand(
        commands,
        "status",
        [parents.common],
        "show jobs' status (and whether a backup is still restorable)",
        "Show each JOB's status and whether a backup is still restorable: exit 0 "
        "only when every job finished well and every backup is restorable (the exit codes "
        "below say what else). With --urn instead of JOBs: the pre-change backups "
        "oracle_backup_hook took for that Pulumi resource in the last 7 days.",
    )
    status.add_argument("job_ids", nargs="*", metavar="JOB")
    status.add_argument(
        "--urn",
        metavar="URN",
        help="instead of JOB ids: the jobs of this resource's pre-change backups (their job "
        "description names it)",
    )


def _wait(commands: Commands, parents: Parents) -> None:
    wait = subcommand(
        commands,
        "wait",
        [parents.common, parents.timeout],
        "wait for jobs to finish",
        "Wait for each JOB: exit 0 if all finished well (and every backup is still "
        "restorable), 1 if one failed, 3 on timeout, 7 at once for a job the CommServe does "
        "not show.",
    )
    wait.add_argument("job_ids", nargs="+", metavar="JOB")


def _restore(commands: Commands, parents: Parents) -> None:
    restore = subcommand(
        commands,
        "restore",
        [parents.common, parents.waiting, parents.marked],
        "restore a database from its backups (in place or onto another instance)",
        "Restore SOURCE (client/instance) from one restore point, onto --to "
        "(out of place) or onto itself (in place, which needs --confirm-overwrite "
        "SOURCE). Waits for the restore job unless --no-wait. The same command again adopts "
        "the restore job it started; to restore again, give a new --request-id.",
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


def _logs(commands: Commands, parents: Parents) -> None:
    logs = subcommand(
        commands,
        "logs",
        [parents.common],
        "print a job's RMAN log and why it failed",
        "Print JOB's RMAN log (as the CommServe keeps it); the first RMAN- and ORA- errors "
        "are named at the end (and as `errors` with --json).",
    )
    logs.add_argument("job_id", metavar="JOB")


def _points(commands: Commands, parents: Parents) -> None:
    points = subcommand(
        commands,
        "points",
        [parents.common],
        "list what a database can be restored to (restorable backups)",
        "List the restorable backups of DATABASE (client/instance): the time and SCN range "
        "each covers, its level and size, oldest first.",
    )
    points.add_argument("database", metavar="CLIENT/INSTANCE")
    points.add_argument(
        "--since",
        metavar="WHEN",
        help="only backups that ended since: an ISO 8601 time (UTC unless it has an offset) "
        "or a duration back from now (30m, 24h, 7d)",
    )


#: One registration per subcommand, in the order ``--help`` lists them.
SUBCOMMANDS: list[Callable[[Commands, Parents], None]] = [
    _backup,
    _status,
    _wait,
    _restore,
    _logs,
    _points,
]


def resolve_timeout(args: argparse.Namespace) -> None:
    """``--timeout-minutes`` defaults to 60, and is refused with ``--no-wait``, which would
    ignore it."""
    if not hasattr(args, "timeout_minutes"):
        return
    if getattr(args, "wait", True) is False and args.timeout_minutes is not None:
        raise CliFailure(
            Exit.BAD_INPUT,
            "--timeout-minutes: nothing is waited for with --no-wait; drop one of the two",
        )
    if args.timeout_minutes is None:
        args.timeout_minutes = DEFAULT_TIMEOUT_MINUTES
