"""``commvault-oracle``: back up, watch and restore Oracle databases from a terminal.

``main`` parses the arguments, resolves the CommServe from ``COMMVAULT_*`` (a password is
prompted for, never read from argv), runs one subcommand, and turns every failure into one
line on stderr and a documented exit code (``exit_codes.Exit``). Errors name the
``COMMVAULT_*`` variables and the flags, the CLI's own words (``settings.ENVIRONMENT``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..commvault.client import CommvaultClient
from ..commvault.connection import ConnectionSettings
from ..commvault.errors import (
    AuthenticationError,
    CommvaultError,
    ConnectionFailedError,
    InvalidRequestError,
    UnknownDecisionError,
    UnrecognisedJobsError,
    WaitTimeoutError,
)
from ..runtime import advice
from ..runtime.settings import ENVIRONMENT, SettingsError
from . import commands, dba_commands
from .connection import settings_from_environment
from .display import Display, stdout_closed
from .exit_codes import CliFailure, Exit
from .parser import BadArguments, build_parser, resolve_timeout

Command = Callable[[CommvaultClient, argparse.Namespace, Display], Exit]
#: One registration per subcommand: its parser in ``parser.py``, its function here.
COMMANDS: dict[str, Command] = {
    "backup": commands.backup,
    "status": commands.status,
    "wait": commands.wait,
    "restore": commands.restore,
    "logs": dba_commands.logs,
    "points": dba_commands.points,
}


def run(args: argparse.Namespace, display: Display) -> Exit:
    display.put(command=args.command)
    settings: ConnectionSettings | None = None
    try:
        resolve_timeout(args)
        settings = settings_from_environment()
        with CommvaultClient.from_settings(settings) as client:
            return COMMANDS[args.command](client, args, display)
    except KeyboardInterrupt:
        display.error(_interrupted(args, display))
        return Exit.INTERRUPTED
    except CliFailure as exc:
        display.error(str(exc))
        return exc.code
    except SettingsError as exc:
        display.error(str(exc))
        return Exit.BAD_INPUT
    except WaitTimeoutError as exc:
        display.put(job_ids_unfinished=exc.job_ids)
        display.error(
            f"{exc.detail}; the jobs keep running in Commvault: `commvault-oracle wait "
            f"{' '.join(exc.job_ids)}` picks them up again"
        )
        return Exit.TIMED_OUT
    except UnrecognisedJobsError as exc:
        display.put(job_ids_undecided=exc.job_ids)
        display.error(_undecided(exc))
        return Exit.UNDECIDED
    except CommvaultError as exc:
        return _commserve_failure(exc, settings, display)


def _interrupted(args: argparse.Namespace, display: Display) -> str:
    """What Ctrl-C left behind: ``backup``/``restore`` may have started a job, which a re-run
    adopts; ``wait`` started none, its jobs run on; the others only read."""
    if args.command in ("backup", "restore"):
        return (
            "interrupted; a job already started keeps running in Commvault: run the same "
            "command again to wait for it (it adopts the job instead of starting another)"
        )
    if args.command == "wait":
        ids = display.document.get("job_ids_unfinished") or display.document.get("job_ids")
        again = f"`commvault-oracle wait {' '.join(ids)}`" if ids else "`commvault-oracle wait`"
        return f"interrupted; the jobs keep running in Commvault: run {again} again to wait"
    return "interrupted; nothing was started (it only reads)"


def _undecided(exc: UnrecognisedJobsError) -> str:
    ones = "the ones" if exc.databases > 1 else "the one"
    new = "new jobs" if exc.databases > 1 else "a new job"
    return (
        f"nothing was started, as {exc.which} may be {ones} an earlier run of this "
        f"command started: to adopt {exc.them}, run it again with --adopt-job "
        f"{','.join(exc.suggested)}; to start {new}, with --new-job. {exc}"
    )


def _commserve_failure(
    exc: CommvaultError, settings: ConnectionSettings | None, display: Display
) -> Exit:
    """One line for a failed CommServe call, naming the variable or flag to change."""
    if isinstance(exc, UnknownDecisionError):
        display.error(f"--adopt-job: {exc}")
        return Exit.BAD_INPUT
    password = settings is not None and settings.username is not None
    fix = advice.for_connection(exc, logs_in_with_password=password, vocabulary=ENVIRONMENT)
    if fix is not None:
        unreached = "cannot reach the CommServe: " if isinstance(exc, ConnectionFailedError) else ""
        display.error(f"{unreached}{exc}; {fix}")
        return Exit.UNREACHABLE
    if isinstance(exc, AuthenticationError):
        display.error(f"the CommServe refused the credentials: {exc}")
        return Exit.UNREACHABLE
    if isinstance(exc, InvalidRequestError):
        display.error(f"the CommServe refused the request: {exc}")
        return Exit.BAD_INPUT
    display.error(f"cannot reach the CommServe: {exc}")
    return Exit.UNREACHABLE


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = build_parser().parse_args(given)
        except BadArguments as exc:
            return _refuse_arguments(exc, given)
        display = Display(as_json=args.json, quiet=args.quiet)
        code = run(args, display)
        display.finish(int(code))
    except BrokenPipeError:  # the reader closed stdout (`| head`): stop quietly, as cat does
        stdout_closed()
        return int(Exit.STDOUT_CLOSED)
    return int(code)


def _refuse_arguments(exc: BadArguments, given: list[str]) -> int:
    """The error first, then argparse's usage, on stderr; with ``--json``, the document too."""
    print(f"{exc.parser.prog}: error: {exc}", file=sys.stderr)
    exc.parser.print_usage(sys.stderr)
    if "--json" in given:
        display = Display(as_json=True)
        display.put(command=next((a for a in given if a in COMMANDS), None), error=str(exc))
        display.finish(int(Exit.BAD_INPUT))
    return int(Exit.BAD_INPUT)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
