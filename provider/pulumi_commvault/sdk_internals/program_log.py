"""A program's line on a resource's row, sent before the program goes on.

``pulumi.log.info(line, resource)`` sends a line for a resource from an asyncio task of its
own (it resolves the URN first) and returns at once. A resource hook that returns right after
it lets the engine run the change it guards before the line arrives, and ``pulumi up`` then
shows a pre-change backup ending after the change. Relies on that task being created by the
call (``asyncio.ensure_future`` in ``pulumi.log._log``, every supported SDK). Fallback: a line
sent another way is not waited for, as before.
"""

from __future__ import annotations

import asyncio
import inspect

import pulumi

from .fallbacks import shims_enabled


async def log_sent(line: str, resource: pulumi.Resource) -> None:
    """``pulumi.log.info(line, resource)``, returning once the engine has the line."""
    before = asyncio.all_tasks()
    pulumi.log.info(line, resource)
    if not shims_enabled():
        return
    sending = asyncio.all_tasks() - before
    # A line that cannot be sent never fails the caller, as with pulumi.log itself.
    await asyncio.gather(*sending, return_exceptions=True)


def program_log_problems() -> list[str]:
    """What ``log_sent`` relies on that the installed SDK does not do."""
    log = getattr(pulumi.log, "_log", None)
    if log is None:
        return ["pulumi.log._log is gone: re-check how a resource's line is sent"]
    if "ensure_future" not in inspect.getsource(log):
        return ["pulumi.log no longer sends a resource's line from a task: re-check log_sent"]
    return []
