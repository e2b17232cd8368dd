"""Bench 3: API economy, read from the emulator's request log and job table.

    .venv/bin/python -m bench.api_economy [--job-seconds 5] [--latency-ms 50]

One stack of three ``OracleBackupTrigger``s over 26 databases: ``fleet`` (20 databases,
waiting), ``single`` (1 database, waiting) and ``nowait`` (5 databases, not waiting). The
steps: preview, up, preview after a trigger change, up (the change), up (no change),
refresh. For each: the API calls by endpoint, the jobs started (per database), the provider
processes. Checked: exactly one job per database per trigger change; one CreateTask per
resource; one login per provider process; zero calls in preview. Also: job reads (``GET Job``
and ``POST Jobs`` other than the one look-up before each CreateTask) per job waited for.
Writes ``bench/results/api_economy.json``.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from commvault_emulator.process import EmulatorProcess

from .common import (
    Engine,
    Fleet,
    ProcessWatcher,
    Program,
    emulator,
    emulator_config,
    endpoint_counts,
    machine,
    machine_line,
    publish,
    say,
    scratch,
    table,
    verdict,
)

NAME = "api_economy"
SHAPE = (("fleet", 20, True), ("single", 1, True), ("nowait", 5, False))


def observe(
    label: str, emu: EmulatorProcess, operation: Callable[[], Any], waited_jobs: int
) -> dict[str, Any]:
    """Run one operation; what it cost the CommServe and which jobs it started."""
    emu.control.clear_requests()
    before = {j["jobId"] for j in emu.control.jobs()}
    started = time.monotonic()
    with ProcessWatcher() as watcher:
        result = operation()
    seconds = time.monotonic() - started
    log = emu.control.requests()
    calls = endpoint_counts(log)
    new_jobs = [j for j in emu.control.jobs() if j["jobId"] not in before]
    per_db = Counter(
        (j["jobSummary"]["subclient"]["clientName"], j["jobSummary"]["subclient"]["instanceName"])
        for j in new_jobs
    )
    creates = calls.get("CreateTask", 0)
    # job reads while waiting: each CreateTask follows one look-up (POST Jobs) of its own
    polls = calls.get("Job", 0) + calls.get("Jobs", 0) - creates
    summary = getattr(result, "summary", None)
    changes = getattr(summary, "resource_changes", None) or getattr(result, "change_summary", {})
    return {
        "step": label,
        "seconds": seconds,
        "calls": sum(calls.values()),
        "by_endpoint": calls,
        "changes": {str(k): int(v) for k, v in (changes or {}).items()},
        "jobs_started": len(new_jobs),
        "databases_backed_up": len(per_db),
        "jobs_per_database": sorted(set(per_db.values())),
        "provider_processes": len(watcher.of("provider")),
        "job_reads": polls,
        "waited_jobs": waited_jobs,
    }


def run(seconds: float, latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    databases = Fleet(sum(size for _, size, _ in SHAPE)).databases()
    groups, waits, start = [], [], 0
    for _, size, wait in SHAPE:
        groups.append(databases[start : start + size])
        waits.append(wait)
        start += size
    waited = sum(size for _, size, wait in SHAPE if wait)
    steps: list[dict[str, Any]] = []
    with (
        scratch(NAME) as tmp,
        emulator(tmp, Fleet(len(databases)), job_seconds=seconds, latency_ms=latency_ms) as emu,
    ):
        program = Program("trigger", groups, wait=waits)
        stack = Engine(tmp).stack(program, emulator_config(emu))

        def step(label: str, operation: Callable[[], Any], waited_jobs: int = 0) -> None:
            entry = observe(label, emu, operation, waited_jobs)
            steps.append(entry)
            say(f"  {label:<34} {entry['calls']:>4} calls  {entry['by_endpoint']}")

        quiet: dict[str, Any] = {"color": "never"}
        step("preview (new stack)", lambda: stack.preview(**quiet))
        step("up (create)", lambda: stack.up(**quiet), waited)
        program.tag = "v2"
        step("preview (trigger changed)", lambda: stack.preview(**quiet))
        step("up (trigger changed)", lambda: stack.up(**quiet), waited)
        step("up (no change)", lambda: stack.up(**quiet))
        step("refresh", lambda: stack.refresh(**quiet))
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "resources": [
                {"name": n, "databases": s, "wait_for_completion": w} for n, s, w in SHAPE
            ],
            "job_seconds": seconds,
            "latency_ms": latency_ms,
        },
        "steps": steps,
        "checks": checks(steps, len(SHAPE), len(databases)),
    }


def checks(steps: list[dict[str, Any]], resources: int, databases: int) -> list[dict[str, Any]]:
    by = {s["step"]: s for s in steps}
    ups = [by["up (create)"], by["up (trigger changed)"]]
    previews = [by["preview (new stack)"], by["preview (trigger changed)"]]
    waited = sum(s["waited_jobs"] for s in ups)
    reads = sum(s["job_reads"] for s in ups)
    logins = [s["by_endpoint"].get("Login", 0) for s in ups]
    processes = [s["provider_processes"] for s in ups]
    return [
        {
            "metric": "jobs per database per trigger change",
            "value": " / ".join(
                f"{s['jobs_per_database']} over {s['databases_backed_up']} of {databases} dbs"
                for s in ups
            ),
            "target": "exactly 1",
            "met": all(
                s["jobs_per_database"] == [1] and s["databases_backed_up"] == databases for s in ups
            ),
        },
        {
            "metric": "CreateTask calls per up",
            "value": " / ".join(str(s["by_endpoint"].get("CreateTask", 0)) for s in ups)
            + f" for {resources} resources, {databases} databases",
            "target": "one per resource",
            "met": all(s["by_endpoint"].get("CreateTask", 0) == resources for s in ups),
        },
        {
            "metric": "logins per up / provider processes",
            "value": " / ".join(
                f"{lg} login, {p} process" for lg, p in zip(logins, processes, strict=True)
            ),
            "target": "one per provider process",
            "met": all(lg == p == 1 for lg, p in zip(logins, processes, strict=True)),
        },
        {
            "metric": "API calls in preview",
            "value": " / ".join(str(s["calls"]) for s in previews),
            "target": "0",
            "met": all(s["calls"] == 0 for s in previews),
        },
        {
            "metric": "API calls in an up without changes",
            "value": str(by["up (no change)"]["calls"]),
            "target": "0",
            "met": by["up (no change)"]["calls"] == 0,
        },
        {
            "metric": "CreateTask calls in refresh",
            "value": str(by["refresh"]["by_endpoint"].get("CreateTask", 0)),
            "target": "0",
            "met": by["refresh"]["by_endpoint"].get("CreateTask", 0) == 0,
        },
        {
            "metric": "job reads per job waited for (GET Job + POST Jobs polls)",
            "value": f"{reads / waited:.2f} ({reads} reads, {waited} jobs)",
            "target": "few (one listing per round serves all jobs of a resource)",
            "met": None,
        },
    ]


def tables(result: dict[str, Any]) -> list[str]:
    endpoints = ["Login", "Client", "Jobs", "Job", "CreateTask"]
    step_rows = [
        [
            s["step"],
            s["calls"],
            *[s["by_endpoint"].get(e, 0) for e in endpoints],
            s["jobs_started"],
            s["provider_processes"],
            f"{s['seconds']:.1f}",
        ]
        for s in result["steps"]
    ]
    check_rows = [
        [
            c["metric"],
            c["value"],
            c["target"],
            verdict(c["met"]),
        ]
        for c in result["checks"]
    ]
    cfg = result["config"]
    shape = ", ".join(
        f"{r['name']} ({r['databases']} dbs{'' if r['wait_for_completion'] else ', no wait'})"
        for r in cfg["resources"]
    )
    return [
        table(
            f"API economy, step by step: {shape}; D = {cfg['job_seconds']:g} s, latency "
            f"{cfg['latency_ms']:g} ms",
            ["step", "calls", *endpoints, "jobs started", "provider procs", "s"],
            step_rows,
        ),
        table("API economy, checks", ["metric", "value", "target", "verdict"], check_rows),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--job-seconds", type=float, default=5.0)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    result = run(args.job_seconds, args.latency_ms)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
