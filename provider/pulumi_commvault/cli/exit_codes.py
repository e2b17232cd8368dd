"""The exit codes of ``commvault-oracle``, one meaning each (documented in ``--help``)."""

from __future__ import annotations

import enum
import textwrap


class Exit(enum.IntEnum):
    SUCCESS = 0
    JOB_FAILED = 1
    BAD_INPUT = 2
    TIMED_OUT = 3
    UNREACHABLE = 4
    UNDECIDED = 5
    NOT_RESTORABLE = 6
    UNKNOWN_JOB = 7
    INTERRUPTED = 130
    STDOUT_CLOSED = 141


MEANINGS = {
    Exit.SUCCESS: "every job finished well, and every backup among them is still restorable "
    "(without waiting: it was started or adopted)",
    Exit.JOB_FAILED: "a job ended Failed, Killed or with errors",
    Exit.BAD_INPUT: "an argument or setting is wrong (or no password was typed: Ctrl-D at the "
    "prompt), or the CommServe refused the request as named; nothing was started",
    Exit.TIMED_OUT: "unfinished: waiting ran out, or (status) a job is still running; the "
    "jobs keep running (`commvault-oracle wait` them)",
    Exit.UNREACHABLE: "the CommServe could not be reached or used (network, TLS, 5xx, "
    "credentials refused)",
    Exit.UNDECIDED: "nothing was started: a running or queued job may be the one an earlier run of "
    "this command started, and the CommServe shows no job descriptions to tell; run it "
    "again with --adopt-job JOB to adopt it, or with --new-job",
    Exit.NOT_RESTORABLE: "a backup finished well but is aged out of retention: it is no restore "
    "point any more",
    Exit.UNKNOWN_JOB: "a job is unknown to the CommServe: pruned (after aging), never existed, "
    "or another CommServe's",
    Exit.INTERRUPTED: "interrupted (Ctrl-C), at the password prompt or while waiting; a started "
    "job keeps running: run the same command again to wait for it (`wait` started none: its "
    "jobs run on, `wait` them again)",
    Exit.STDOUT_CLOSED: "the reader closed stdout before all was written (`| head`): the "
    "output stops quietly, as a Unix tool's ends on SIGPIPE (128+13); the command had run",
}

#: With several jobs, the exit code is the first of these that applies to one of them.
PRECEDENCE = (Exit.UNKNOWN_JOB, Exit.JOB_FAILED, Exit.NOT_RESTORABLE, Exit.TIMED_OUT)


class CliFailure(Exception):
    """A failure ``main`` prints as one line and ends with ``code``."""

    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code


def worst(codes: list[Exit]) -> Exit:
    """The exit code for several jobs' codes: the first of ``PRECEDENCE`` among them."""
    return next((code for code in PRECEDENCE if code in codes), Exit.SUCCESS)


EPILOG = "\n".join(
    [
        "exit codes:",
        *(
            textwrap.fill(
                MEANINGS[code],
                width=88,
                initial_indent=f"  {code.value:<3}  ",
                subsequent_indent=" " * 7,
                break_on_hyphens=False,
            )
            for code in Exit
        ),
        "  with several jobs: the first of "
        + ", ".join(str(code.value) for code in PRECEDENCE)
        + " that applies to one of them, else 0",
    ]
)
