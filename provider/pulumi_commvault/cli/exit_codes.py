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
    INTERRUPTED = 130


MEANINGS = {
    Exit.SUCCESS: "every job finished well (without waiting: it was started or adopted)",
    Exit.JOB_FAILED: "a job ended Failed, Killed or with errors",
    Exit.BAD_INPUT: "an argument or setting is wrong, a job is unknown, or the CommServe "
    "refused the request as named; nothing was started",
    Exit.TIMED_OUT: "waiting ran out; the jobs keep running (`commvault-oracle wait` them)",
    Exit.UNREACHABLE: "the CommServe could not be reached or used (network, TLS, 5xx, "
    "credentials refused)",
    Exit.UNDECIDED: "nothing was started: a running or queued job may be the one an earlier run of "
    "this command started, and the CommServe shows no job descriptions to tell; run it "
    "again with --adopt-job JOB to adopt it, or with --new-job",
    Exit.INTERRUPTED: "interrupted (Ctrl-C) while waiting; the job keeps running: run the "
    "same command again to wait for it",
}

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
    ]
)
