"""Widening the thread pool ``python -m pulumi.dynamic`` serves the engine from (4 threads)."""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

from . import sdk_source
from .fallbacks import shims_enabled, warn_fallback


def pool_problems() -> list[str]:
    """What ``widen_current_pool`` relies on that this Python or SDK does not have."""
    found: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        if pool.submit(lambda: _executor_of(threading.current_thread())).result() is not pool:
            found.append("a ThreadPoolExecutor worker thread no longer holds its executor")
        if not isinstance(getattr(pool, "_max_workers", None), int):
            found.append("ThreadPoolExecutor no longer keeps _max_workers")
    source = sdk_source.dynamic_main_source()
    if source is not None and "ThreadPoolExecutor(" not in source:
        found.append("python -m pulumi.dynamic no longer serves from a ThreadPoolExecutor")
    return found


def widen_current_pool(workers: int) -> bool:
    """Let the thread pool running this call grow to ``workers`` threads (never narrower).

    A running ``ThreadPoolExecutor`` starts another thread for each call it receives while
    it has fewer than ``_max_workers``, so the new limit applies from the next call on.
    Returns whether it could: outside a pool thread, or where the pool looks different,
    nothing changes (with a warning in the latter case).
    """
    if not shims_enabled():
        warn_fallback("serving more than 4 provider calls at once", "turned off")
        return False
    executor = _executor_of(threading.current_thread())
    if executor is None:
        return False
    limit = getattr(executor, "_max_workers", None)
    if not isinstance(limit, int):
        warn_fallback("serving more than 4 provider calls at once", "the pool looks different")
        return False
    if limit < workers:
        executor._max_workers = workers
    return True


def _executor_of(thread: threading.Thread) -> ThreadPoolExecutor | None:
    # A worker thread's target is ``concurrent.futures.thread._worker``, whose first argument
    # is a weak reference to its executor (CPython 3.8 to 3.14).
    args = getattr(thread, "_args", None)
    reference = args[0] if isinstance(args, tuple) and args else None
    executor = reference() if isinstance(reference, weakref.ReferenceType) else None
    return executor if isinstance(executor, ThreadPoolExecutor) else None
