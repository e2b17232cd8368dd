"""Many ``OracleBackupTrigger`` creates in this process, one thread each, as one provider
process serves them: the provider's own code (guard, CreateTask, the shared job watcher)
over real HTTP to the emulator, without the engine in between.

The engine adds nothing to what the provider reads from the CommServe, but it limits the
creates served at once (``--parallel``, and the provider's 16 workers); here every resource
waits at the same time, which is the case the watcher is for. Used by ``bench.guard_cost``,
``bench.waiting_reads`` and ``bench.tenant_limit``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from commvault_emulator.process import EmulatorProcess
from pulumi_commvault.provider import OracleBackupTriggerProvider
from pulumi_commvault.runtime import connections, settings

from .common import Fleet, emulator

#: The emulator's pre-issued token for this run (made up afresh: nothing to keep secret).
TOKEN = secrets.token_hex(16)


@dataclass
class Outcome:
    """One create: when it returned (epoch s), its job, and its error if it failed."""

    index: int
    returned_at: float
    job_id: str | None = None
    error: str | None = None


@dataclass
class Batch:
    started_at: float
    outcomes: list[Outcome]
    requests: list[dict[str, Any]]
    jobs: list[dict[str, Any]]
    watcher: dict[str, int] = field(default_factory=dict)
    guard_listings: int = 0

    @property
    def wall_s(self) -> float:
        return max(o.returned_at for o in self.outcomes) - self.started_at

    def count(self, *endpoints: str) -> int:
        return sum(1 for r in self.requests if r["endpoint"] in endpoints)

    def notice_latencies(self) -> list[float]:
        """Per resource: from its job's end (the emulator's clock) to its create's return."""
        ended = {str(j["jobId"]): j.get("endedAt") for j in self.jobs}
        return [
            o.returned_at - float(ended[o.job_id])
            for o in self.outcomes
            if o.job_id is not None and ended.get(o.job_id) is not None
        ]


@contextmanager
def emulator_process(
    fleet: Fleet, workdir: Any, *, job_seconds: float, latency_ms: float, extra: list[str]
) -> Iterator[EmulatorProcess]:
    """``common.emulator`` with the bench token, given time to seed a large history."""
    with emulator(
        workdir,
        fleet,
        job_seconds=job_seconds,
        latency_ms=latency_ms,
        token=TOKEN,
        extra=extra,
        startup_timeout_s=600,
    ) as process:
        yield process


@contextmanager
def provider_for(emu: EmulatorProcess, *, max_reads_per_hour: int | None) -> Iterator[None]:
    """A fresh provider process state (settings, client, guard index, watcher) for ``emu``."""
    env = {"COMMVAULT_URL": emu.url, "COMMVAULT_AUTHTOKEN": TOKEN}
    if max_reads_per_hour is not None:
        env["COMMVAULT_MAX_READS_PER_HOUR"] = str(max_reads_per_hour)
    saved = {k: os.environ.get(k) for k in (*env, "COMMVAULT_MAX_READS_PER_HOUR")}
    os.environ.update(env)
    if max_reads_per_hour is None:
        os.environ.pop("COMMVAULT_MAX_READS_PER_HOUR", None)
    connections.close_all()
    settings.forget()
    try:
        yield
    finally:
        connections.close_all()
        settings.forget()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def create_all(
    emu: EmulatorProcess,
    n: int,
    *,
    wait: bool,
    tag: str,
    max_reads_per_hour: int | None = None,
    timeout_minutes: float = 30,
    read_jobs: bool = True,
) -> Batch:
    """``n`` creates at once, database ``i`` of the fleet each; what they cost."""
    emu.control.clear_requests()
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    databases = Fleet(n).databases()
    with provider_for(emu, max_reads_per_hour=max_reads_per_hour):
        provider = OracleBackupTriggerProvider()

        def create(index: int) -> None:
            props = {
                **databases[index],
                "backup_level": "full",
                "triggers": [tag],
                "wait_for_completion": wait,
                "timeout_minutes": timeout_minutes,
                "request_name": f"bench/dev/r{index:04d}",
            }
            outcome = Outcome(index, 0.0)
            try:
                outs = provider.create(props).outs
                outcome.job_id = str(outs["job_ids"][0])
            except Exception as exc:
                outcome.error = str(exc)
            outcome.returned_at = time.time()
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=create, args=(i,)) for i in range(n)]
        # The progress lines (printed, as no engine takes them here) would drown the tables.
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            started = time.time()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        current = settings.current()
        watcher = connections.watcher_for(current, max_reads_per_hour=max_reads_per_hour)
        stats = watcher.stats
        guard = connections.marked_jobs_for(current).listings
    return Batch(
        started_at=started,
        outcomes=sorted(outcomes, key=lambda o: o.index),
        requests=emu.control.requests(),
        jobs=emu.control.jobs() if read_jobs else [],
        watcher={
            "rounds": stats.rounds,
            "listings": stats.listings,
            "job_reads": stats.job_reads,
            "rate_limited": stats.rate_limited,
        },
        guard_listings=guard,
    )
