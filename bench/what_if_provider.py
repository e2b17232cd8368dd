"""The dynamic provider process with a proposed change applied, to measure its gain.

Bench only: ``python -m bench.what_if_provider <engine args>`` does what
``python -m pulumi.dynamic`` does, after applying inside this process the changes named in
``BENCH_WHAT_IF`` (comma-separated). The package under ``provider/`` is not modified; each
change imitates a few lines that could go into it:

- ``widen=N``: when the provider is configured (first use in the process), raise the worker
  limit of the process's thread pools, the gRPC server's included, from 4 to N, so the
  provider serves up to N calls at once. In ``provider.py`` this would be a call in
  ``OracleBackupTriggerProvider.configure`` (it runs inside the provider process, after
  ``pulumi.dynamic`` started its server with ``ThreadPoolExecutor(max_workers=4)``).
"""

from __future__ import annotations

import gc
import os
import runpy
from concurrent import futures
from typing import Any

WHAT_IF_VARIABLE = "BENCH_WHAT_IF"


def raise_worker_limit(workers: int) -> int:
    """Let every thread pool in this process grow to ``workers`` threads; how many changed.

    ``ThreadPoolExecutor`` starts a thread per submitted call while it has fewer than
    ``_max_workers``, so raising it on a running pool takes effect at the next call.
    """
    changed = 0
    for obj in gc.get_objects():
        if isinstance(obj, futures.ThreadPoolExecutor) and obj._max_workers < workers:
            obj._max_workers = workers
            changed += 1
    return changed


def widen_at_configure(workers: int) -> None:
    from pulumi_commvault.provider import OracleBackupTriggerProvider

    configure = OracleBackupTriggerProvider.configure

    def widened(self: OracleBackupTriggerProvider, req: Any) -> None:
        raise_worker_limit(workers)
        configure(self, req)

    OracleBackupTriggerProvider.configure = widened  # type: ignore[method-assign]


def apply(changes: str) -> None:
    for change in filter(None, changes.split(",")):
        name, _, value = change.partition("=")
        if name == "widen":
            widen_at_configure(int(value))
        else:
            raise SystemExit(f"{WHAT_IF_VARIABLE}: unknown change {change!r}")


def main() -> None:
    apply(os.environ.get(WHAT_IF_VARIABLE, ""))
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
