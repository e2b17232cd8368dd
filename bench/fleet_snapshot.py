"""Bench 2: a fleet snapshot with waiting, N databases, each backup lasting D seconds.

    .venv/bin/python -m bench.fleet_snapshot [--sizes 10,100] [--separate 10,20] [--reps 2]

- ``one resource``: one ``OracleBackupTrigger`` holding N ``databases`` (one CreateTask, one
  job each, waited for together), beside its floor: one ``Noop`` with the same inputs.
  Target at N = 100: wall time <= 2 D + floor.
- ``N resources``: for contrast, N ``OracleBackupTrigger``s of one database each, all
  waiting; the dynamic provider serves 4 calls at once, so they take about N/4 backups.
  Floor: N ``Noop``s.

The emulator: ``--job-seconds D`` (default 5), ``--latency-ms 50``, an inventory of N Oracle
clients. From its request log and job table: the polls, and how long after the last job
ended the provider noticed (``notice lag``). Writes ``bench/results/fleet_snapshot.json``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import Any

from commvault_emulator.process import EmulatorProcess

from .common import (
    Engine,
    Fleet,
    Program,
    Run,
    emulator,
    emulator_config,
    machine,
    machine_line,
    median,
    one_each,
    publish,
    say,
    scratch,
    spread,
    table,
    timed_up,
    verdict,
)

NAME = "fleet_snapshot"
TARGET_SIZE = 100
POLL_ENDPOINTS = ("Job", "Jobs")


def poll_facts(run: Run, emu: EmulatorProcess) -> dict[str, Any]:
    """From the request log and the job table: calls, polls, and the notice lag."""
    log = run.log
    creates = [r for r in log if r["endpoint"] == "CreateTask"]
    first_create = min(float(r["time"]) for r in creates)
    jobs = emu.control.jobs()
    ended = [float(j["endedAt"]) for j in jobs if j.get("endedAt") is not None]
    polls = [r for r in log if r["endpoint"] in POLL_ENDPOINTS and float(r["time"]) > first_create]
    last_poll = max((float(r["time"]) for r in polls), default=first_create)
    return {
        "jobs": len(jobs),
        "create_task_calls": len(creates),
        "poll_requests": len(polls),
        "poll_requests_per_job": len(polls) / max(len(jobs), 1),
        "first_create_to_last_job_end_s": max(ended) - first_create if ended else None,
        "notice_lag_s": last_poll - max(ended) if ended else None,
        "first_create_to_last_poll_s": last_poll - first_create,
    }


def run(
    sizes: Sequence[int], separate: Sequence[int], reps: int, seconds: float, latency_ms: float
) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    runs: list[dict[str, Any]] = []
    plan = [("one resource", n, r) for r in range(reps) for n in sizes]
    plan += [("N resources", n, 0) for n in separate]
    with (
        scratch(NAME) as tmp,
        emulator(
            tmp, Fleet(max([*sizes, *separate])), job_seconds=seconds, latency_ms=latency_ms
        ) as emu,
    ):
        engine = Engine(tmp)
        for shape, n, rep in plan:
            databases = Fleet(n).databases()
            groups = [databases] if shape == "one resource" else one_each(databases)
            order = ("noop", "trigger") if rep % 2 == 0 else ("trigger", "noop")
            for kind in order:
                stack = engine.stack(Program(kind, groups, wait=True), emulator_config(emu))
                result = timed_up(stack, emu if kind == "trigger" else None)
                if result.changes.get("create") != len(groups) + 1:
                    raise RuntimeError(f"{shape} N={n} {kind}: changes {result.changes}")
                entry: dict[str, Any] = {
                    "shape": shape,
                    "n": n,
                    "rep": rep,
                    "kind": kind,
                    **result.as_dict(),
                }
                if kind == "trigger":
                    entry.update(poll_facts(result, emu))
                    emu.control.reset()
                runs.append(entry)
                say(f"  {shape:<12} N={n:<4} {kind:<7} {result.wall_s:6.2f} s")
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "sizes": list(sizes),
            "separate": list(separate),
            "reps": reps,
            "job_seconds": seconds,
            "latency_ms": latency_ms,
            "target": f"one resource, N = {TARGET_SIZE}: wall <= 2 D + floor",
        },
        "summary": summarize(runs, seconds),
        "runs": runs,
    }


def summarize(runs: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    keys = sorted(
        {(r["shape"], r["n"]) for r in runs}, key=lambda k: (k[0] != "one resource", k[1])
    )
    for shape, n in keys:
        triggers = [r for r in runs if (r["shape"], r["n"], r["kind"]) == (shape, n, "trigger")]
        noops = [r for r in runs if (r["shape"], r["n"], r["kind"]) == (shape, n, "noop")]
        wall = median([r["wall_s"] for r in triggers])
        floor = median([r["wall_s"] for r in noops])
        row: dict[str, Any] = {
            "shape": shape,
            "n": n,
            "walls": [r["wall_s"] for r in triggers],
            "wall_s": wall,
            "floor_s": floor,
            "wall_over_d": wall / seconds,
            "above_floor_over_d": (wall - floor) / seconds,
            "ideal_waves": 1 if shape == "one resource" else math.ceil(n / 4),
        }
        for key in (
            "create_task_calls",
            "poll_requests",
            "poll_requests_per_job",
            "notice_lag_s",
            "first_create_to_last_poll_s",
            "provider_peak_rss_mib",
        ):
            row[key] = median([r[key] for r in triggers if r.get(key) is not None])
        if shape == "one resource" and n == TARGET_SIZE:
            row["met"] = wall <= 2 * seconds + floor
        else:
            row["met"] = None
        rows.append(row)
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    d = result["config"]["job_seconds"]
    rows = []
    for row in result["summary"]:
        rows.append(
            [
                row["shape"],
                row["n"],
                f"{row['wall_s']:.1f} ({spread(row['walls'])})",
                f"{row['floor_s']:.1f}",
                f"{row['wall_over_d']:.2f}",
                f"{row['above_floor_over_d']:.2f}",
                f"{row['create_task_calls']:.0f}",
                f"{row['poll_requests']:.0f} ({row['poll_requests_per_job']:.2f}/job)",
                f"{row['notice_lag_s']:.1f}",
                verdict(row["met"]),
            ]
        )
    return [
        table(
            f"Fleet snapshot with waiting: each backup D = {d:g} s, emulator latency "
            f"{result['config']['latency_ms']:g} ms (median wall s; target: one resource, "
            f"N = {TARGET_SIZE}, wall <= 2 D + floor)",
            [
                "shape",
                "N",
                "wall s (min-max)",
                "floor s",
                "wall / D",
                "(wall - floor) / D",
                "CreateTask",
                "job reads",
                "notice lag s",
                "target",
            ],
            rows,
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100", help="N for one resource with N databases")
    parser.add_argument("--separate", default="10,20", help="N for N waiting resources ('' none)")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--job-seconds", type=float, default=5.0)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    separate = [int(s) for s in args.separate.split(",") if s]
    result = run(sizes, separate, args.reps, args.job_seconds, args.latency_ms)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
