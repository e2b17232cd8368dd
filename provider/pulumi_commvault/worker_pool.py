"""More provider calls at once than the 4 that ``pulumi.dynamic`` serves.

``python -m pulumi.dynamic`` serves the engine from ``ThreadPoolExecutor(max_workers=4)``,
so at most 4 calls run at once, while the engine sends up to its ``--parallel`` (4 per CPU
by default). Every create waits for at least one CommServe round trip, and a create that
waits for its backup holds its thread for the whole backup: with 4 threads, 100 resources
take 25 round trips (or backups) in a row. The pool has no public setting, so the provider
raises the limit of the pool it runs on, the first time it is configured. A running
``ThreadPoolExecutor`` starts another thread for each call it receives while it has fewer
than ``_max_workers``, so the new limit applies from the next call on.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

from .transport import CONNECTIONS_PER_HOST

#: Calls served at once: more than the engine's default ``--parallel`` on most machines,
#: and as many as the HTTP client keeps connections to the CommServe.
PROVIDER_WORKERS = CONNECTIONS_PER_HOST


def widen_current_pool(workers: int = PROVIDER_WORKERS) -> bool:
    """Let the thread pool running this call grow to ``workers`` threads.

    Returns whether it could: outside a ``ThreadPoolExecutor`` thread (or on a Python whose
    executor looks different), nothing changes and the pool keeps its limit.
    """
    executor = _executor_of(threading.current_thread())
    if executor is None:
        return False
    if getattr(executor, "_max_workers", workers) < workers:
        executor._max_workers = workers
    return True


def _executor_of(thread: threading.Thread) -> ThreadPoolExecutor | None:
    # A worker thread's target is ``concurrent.futures.thread._worker``, whose first argument
    # is a weak reference to its executor (CPython 3.8 to 3.14).
    args = getattr(thread, "_args", None)
    reference = args[0] if isinstance(args, tuple) and args else None
    executor = reference() if isinstance(reference, weakref.ReferenceType) else None
    return executor if isinstance(executor, ThreadPoolExecutor) else None
