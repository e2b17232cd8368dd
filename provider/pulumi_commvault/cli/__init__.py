"""``commvault-oracle``: back up, watch and restore Oracle databases from a terminal.

``main`` parses the arguments, resolves the CommServe from ``COMMVAULT_*`` (a password is
prompted for, never read from argv), runs one subcommand, and turns every failure into one
line on stderr and a documented exit code (``exit_codes.Exit``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..commvault.client import CommvaultClient
from ..commvault.errors import (
    AuthenticationError,
    CommvaultError,
    InvalidRequestError,
    UnknownDecisionError,
    UnrecognisedJobsError,
    WaitTimeoutError,
)
from ..runtime.settings import SettingsError
from . import commands, dba_commands
from .commands import CliFailure
from .connection import settings_from_environment
from .display import Display
from .exit_codes import Exit
from .parser import build_parser

Command = Callable[[CommvaultClient, argparse.Namespace, Display], Exit]
COMMANDS: dict[str, Command] = {
    "backup": commands.backup,
    "status": commands.status,
    "wait": commands.wait,
    "restore": commands.restore,
    "logs": dba_commands.logs,
    "points": dba_commands.points,
}


def run(args: argparse.Namespace, display: Display) -> Exit:
    try:
        settings = settings_from_environment()
    except SettingsError as exc:
        display.error(str(exc))
        return Exit.BAD_INPUT
    try:
        with CommvaultClient.from_settings(settings) as client:
            return COMMANDS[args.command](client, args, display)
    except KeyboardInterrupt:
        display.error(
            "interrupted; a job already started keeps running in Commvault: run the same "
            "command again to wait for it (it adopts the job instead of starting another)"
        )
        return Exit.INTERRUPTED
    except CliFailure as exc:
        display.error(str(exc))
        return exc.code
    except WaitTimeoutError as exc:
        display.put(job_ids_unfinished=exc.job_ids)
        display.error(
            f"{exc.detail}; the jobs keep running in Commvault: `commvault-oracle wait "
            f"{' '.join(exc.job_ids)}` picks them up again"
        )
        return Exit.TIMED_OUT
    except UnrecognisedJobsError as exc:
        display.put(job_ids_undecided=exc.job_ids)
        ones = "the ones" if exc.databases > 1 else "the one"
        new = "new jobs" if exc.databases > 1 else "a new job"
        display.error(
            f"nothing was started, as {exc.which} may be {ones} an earlier run of this "
            f"command started: to adopt {exc.them}, run it again with --adopt-job "
            f"{','.join(exc.suggested)}; to start {new}, with --new-job. {exc}"
        )
        return Exit.UNDECIDED
    except UnknownDecisionError as exc:
        display.error(f"--adopt-job: {exc}")
        return Exit.BAD_INPUT
    except AuthenticationError as exc:
        display.error(f"the CommServe refused the credentials: {exc}")
        return Exit.UNREACHABLE
    except InvalidRequestError as exc:
        display.error(f"the CommServe refused the request: {exc}")
        return Exit.BAD_INPUT
    except CommvaultError as exc:
        display.error(f"cannot reach the CommServe: {exc}")
        return Exit.UNREACHABLE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    display = Display(as_json=args.json, quiet=args.quiet)
    code = run(args, display)
    display.finish(int(code))
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
