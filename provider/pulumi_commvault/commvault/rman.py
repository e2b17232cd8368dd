"""Why an Oracle job failed, in RMAN's words: the deciding lines of its RMAN log.

RMAN stops at its first error and prints a stack: a banner (``RMAN-00571``, ``RMAN-00569``),
the command that failed (``RMAN-03009: failure of backup command on ch1 channel ...``), then
the Oracle error underneath (``ORA-19502: write error on file ...``). The deciding lines are
the first RMAN- error that is not the banner and the first ORA- error. They are read once per
failed job, bounded in length, with connect strings' passwords taken out.
"""

from __future__ import annotations

import logging
import re

from .client import CommvaultClient
from .errors import CommvaultError

log = logging.getLogger("pulumi_commvault")

ERROR_LINE = re.compile(r"\b(?:ORA|RMAN)-\d{5}:.*")
BANNER_CODES = ("RMAN-00571", "RMAN-00569")
MAX_LINE_CHARS = 200
# user/password@service in a connect string RMAN may echo.
_CONNECT_PASSWORD = re.compile(r"(?<![/\w])(\w+)/[^\s@/]+@")


def deciding_lines(log_text: str) -> list[str]:
    """The first RMAN- error past the banner, then the first ORA- error; either may be absent."""
    first_rman = first_ora = None
    for line in log_text.splitlines():
        found = ERROR_LINE.search(line)
        if found is None:
            continue
        text = found.group(0).strip()
        if text.startswith("ORA-") and first_ora is None:
            first_ora = text
        elif text.startswith("RMAN-") and first_rman is None and not text.startswith(BANNER_CODES):
            first_rman = text
        if first_rman and first_ora:
            break
    return [_bounded(line) for line in (first_rman, first_ora) if line]


def without_passwords(text: str) -> str:
    """``text`` with the password of every ``user/password@service`` taken out."""
    return _CONNECT_PASSWORD.sub(r"\1/[REDACTED]@", text)


def _bounded(line: str) -> str:
    line = without_passwords(line)
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 3] + "..."


def failure_reason(client: CommvaultClient, job_id: str | int) -> str | None:
    """``RMAN log of job N: <deciding lines>``, or None when the log has none or cannot be
    read (reading it must never hide the failure it explains)."""
    try:
        found = client.rman_log(job_id)
    except CommvaultError as exc:
        log.info("could not read the RMAN log of job %s: %s", job_id, exc)
        return None
    lines = deciding_lines(found.log_content)
    if not lines:
        return None
    return f"RMAN log of job {job_id}: " + "; ".join(lines)
