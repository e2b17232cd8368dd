"""Bench: what the duplicate guard costs the first create on a busy CommServe.

    .venv/bin/python -m bench.guard_cost [--history 0,10000,100000] [--reps 5]

One emulator per history size, seeded with that many unrelated jobs (``--history-jobs``:
many clients and applications, the last days, every terminal status), side by side; each
round, for each size in turn (the order rotates), a fresh provider state (no client, no
guard index) creates one ``OracleBackupTrigger`` without waiting, in this process
(``bench.inprocess``): login-free token auth, ``GET Client``, the guard's listings, one
CreateTask. Measured: that create's wall time and the listing calls it made. For contrast,
one round of the guard as it was before (every client, every job type, 1,000 a page, at most
20 pages: ``unfiltered``), timed alone. Target: with
100,000 unrelated jobs at most 1.2x the time with none, and at most 2 listing calls.
Writes ``bench/results/guard_cost.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Sequence
from typing import Any

from pulumi_commvault import CommvaultClient

from .common import (
    Fleet,
    history_emulators,
    machine,
    machine_line,
    median,
    publish,
    say,
    scratch,
    spread,
    table,
    verdict,
)
from .inprocess import TOKEN, create_all, emulator_process

NAME = "guard_cost"
TARGET_RATIO = 1.2
TARGET_LISTINGS = 2
TARGET_HISTORY = 100_000
FLEET = 10


def run(history: Sequence[int], reps: int, latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    runs: list[dict[str, Any]] = []
    with scratch(NAME) as tmp, contextlib.ExitStack() as stack:
        emulators = history_emulators(
            stack,
            history,
            lambda extra: emulator_process(
                Fleet(FLEET), tmp, job_seconds=3600, latency_ms=latency_ms, extra=extra
            ),
        )
        for rep in range(reps):
            order = list(history)[rep % len(history) :] + list(history)[: rep % len(history)]
            for size in order:
                batch = create_all(emulators[size], 1, wait=False, tag=f"r{rep}", read_jobs=False)
                [outcome] = batch.outcomes
                if outcome.error:
                    raise RuntimeError(f"history {size}: {outcome.error}")
                entry = {
                    "history": size,
                    "rep": rep,
                    "wall_s": batch.wall_s,
                    "listings": batch.count("Jobs"),
                    "calls": len(batch.requests),
                    "guard_listings": batch.guard_listings,
                }
                runs.append(entry)
                say(
                    f"  round {rep + 1} history {size:>6}: {entry['wall_s'] * 1000:7.1f} ms, "
                    f"{entry['listings']} listing(s), {entry['calls']} calls"
                )
        unfiltered = {size: old_guard(emulators[size]) for size in history}
    return {
        "bench": NAME,
        "unfiltered": unfiltered,
        "machine": info,
        "config": {
            "history": list(history),
            "reps": reps,
            "latency_ms": latency_ms,
            "target_ratio": TARGET_RATIO,
            "target_listings": TARGET_LISTINGS,
        },
        "summary": summarize(runs, history),
        "runs": runs,
    }


def old_guard(emu: Any) -> dict[str, Any]:
    """The guard before: ``POST Jobs`` of every client and job type, 1,000 a page, <= 20."""
    with CommvaultClient(emu.url, token=TOKEN) as client:
        started = time.monotonic()
        pages = jobs = 0
        for offset in range(0, 20_000, 1000):
            page = client.list_jobs(lookup_s=24 * 3600, limit=1000, offset=offset)
            pages += 1
            jobs += len(page)
            if len(page) < 1000:
                break
        wall = time.monotonic() - started
    say(f"  unfiltered guard: {pages} listing(s), {jobs} jobs, {wall:.2f} s")
    return {"listings": pages, "jobs": jobs, "wall_s": wall, "stopped_at_cap": jobs >= 20_000}


def summarize(runs: list[dict[str, Any]], history: Sequence[int]) -> list[dict[str, Any]]:
    base = {r["rep"]: r["wall_s"] for r in runs if r["history"] == 0}
    rows = []
    for size in history:
        mine = [r for r in runs if r["history"] == size]
        ratios = [r["wall_s"] / base[r["rep"]] for r in mine if r["rep"] in base]
        row = {
            "history": size,
            "wall_ms": median([r["wall_s"] * 1000 for r in mine]),
            "walls_ms": [r["wall_s"] * 1000 for r in mine],
            "ratio": median(ratios),
            "ratios": ratios,
            "listings": max(r["listings"] for r in mine),
            "calls": max(r["calls"] for r in mine),
        }
        row["met"] = (
            row["ratio"] <= TARGET_RATIO and row["listings"] <= TARGET_LISTINGS
            if size == TARGET_HISTORY
            else None
        )
        rows.append(row)
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    return [
        table(
            f"Duplicate guard: the first create (no waiting) with unrelated history jobs on the "
            f"CommServe, emulator latency {cfg['latency_ms']:g} ms, {cfg['reps']} rounds "
            f"(target at 100,000: <= {cfg['target_ratio']}x the time with none, <= "
            f"{cfg['target_listings']} listings)",
            [
                "history jobs",
                "create (ms, median)",
                "ratio to none (min-max)",
                "listings",
                "calls in all",
                "target",
                "before: unfiltered listings",
                "before: their time (s)",
            ],
            [
                [
                    r["history"],
                    r["wall_ms"],
                    f"{r['ratio']:.2f}x ({spread(r['ratios'])})",
                    r["listings"],
                    r["calls"],
                    verdict(r["met"]),
                    result.get("unfiltered", {}).get(r["history"], {}).get("listings", "-"),
                    result.get("unfiltered", {}).get(r["history"], {}).get("wall_s", "-"),
                ]
                for r in result["summary"]
            ],
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", default="0,10000,100000")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    history = [int(s) for s in args.history.split(",")]
    publish(NAME, run(history, args.reps, args.latency_ms), tables)


if __name__ == "__main__":
    main()
