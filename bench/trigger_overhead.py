"""Bench 1: what N ``OracleBackupTrigger``s (no waiting) cost ``pulumi up`` beyond the engine.

    .venv/bin/python -m bench.trigger_overhead [--sizes 1,10,100,500] [--reps 3]

For each N, fresh stacks of N resources, one database each (an emulator inventory of N Oracle
clients), side by side in one run:

- ``noop``: N ``bench.noop.Noop`` (the engine's floor), same inputs;
- ``trigger``: N ``OracleBackupTrigger(wait_for_completion=False)`` against the emulator
  with ``--latency-ms 50``;

repeated ``--reps`` times, interleaved (the order rotates each round), and the ratio
``trigger / noop`` taken per round. The physical floor of a trigger stack is the no-op's wall
plus ``ceil(N / P)`` round trips of the emulator's latency, P being the engine's default
``--parallel`` (4 x CPUs): each create must wait for at least one CreateTask answer, P at
a time. ``trigger / physical floor`` is reported beside it (target: <= 1.1 at N = 100, 500).
Diagnostics (``--diagnostic-reps``, default 1) split the
gap: ``noop-shaped`` (a Noop registered with every property an OracleBackupTrigger
registers), ``trigger-0ms`` (the emulator without latency) and ``trigger-warm`` (the
provider process imports ``pulumi_commvault`` before the engine's first call, see
``bench.warm_provider``). Target: ratio <= 1.2 at
N = 100 and 500. Writes ``bench/results/trigger_overhead.json``.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from typing import Any

from .common import (
    Engine,
    Fleet,
    Program,
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
from .warm_provider import launcher

NAME = "trigger_overhead"
TARGET_RATIO = 1.2
TARGET_FLOOR_RATIO = 1.1
#: The engine's default ``--parallel``: 4 x CPUs (pkg/cmd/pulumi/operations/up.go).
DEFAULT_PARALLEL = 4 * (os.cpu_count() or 1)
TARGET_SIZES = (100, 500)
MAIN = ("noop", "trigger")
DIAGNOSTIC = ("noop-shaped", "trigger-0ms", "trigger-warm")


def rotated(items: Sequence[str], by: int) -> list[str]:
    by %= max(len(items), 1)
    return [*items[by:], *items[:by]]


def physical_floor(noop_wall_s: float, n: int, latency_ms: float) -> float:
    """The no-op's wall plus ceil(N / P) round trips of the emulator's latency."""
    return noop_wall_s + math.ceil(n / DEFAULT_PARALLEL) * latency_ms / 1000


def run(sizes: Sequence[int], reps: int, diagnostic_reps: int, latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    runs: list[dict[str, Any]] = []
    fleet = Fleet(max(sizes))
    with (
        scratch(NAME) as tmp,
        emulator(tmp, fleet, job_seconds=3600, latency_ms=latency_ms) as slow,
        emulator(tmp, fleet, job_seconds=3600, latency_ms=0) as fast,
    ):
        engine = Engine(tmp)
        engines = {"trigger-warm": Engine(tmp, {"PULUMI_PYTHON_CMD": str(launcher(tmp))})}
        emulators = {"trigger": slow, "trigger-0ms": fast, "trigger-warm": slow}
        for rep in range(max(reps, diagnostic_reps)):
            for n in sizes:
                variants = [
                    *(MAIN if rep < reps else ()),
                    *(DIAGNOSTIC if rep < diagnostic_reps else ()),
                ]
                for variant in rotated(variants, rep):
                    kind = "trigger" if variant.startswith("trigger") else variant
                    program = Program(kind, one_each(Fleet(n).databases()), wait=False)
                    emu = emulators.get(variant)
                    stack = engines.get(variant, engine).stack(
                        program, emulator_config(emu or slow)
                    )
                    result = timed_up(stack, emu)
                    if result.changes.get("create") != n + 1:
                        raise RuntimeError(f"{variant} N={n}: changes {result.changes}")
                    if emu is not None:
                        if result.requests.get("CreateTask") != n:
                            raise RuntimeError(f"{variant} N={n}: requests {result.requests}")
                        emu.control.reset()
                    runs.append({"variant": variant, "n": n, "rep": rep, **result.as_dict()})
                    say(
                        f"  round {rep + 1} N={n:<4} {variant:<12} {result.wall_s:6.2f} s "
                        f"(resources {result.resources_s:5.2f} s, provider "
                        f"{result.provider_peak_rss_mib:.0f} MiB)"
                    )
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "sizes": list(sizes),
            "reps": reps,
            "diagnostic_reps": diagnostic_reps,
            "latency_ms": latency_ms,
            "target_ratio": TARGET_RATIO,
            "target_floor_ratio": TARGET_FLOOR_RATIO,
            "default_parallel": DEFAULT_PARALLEL,
            "target_sizes": list(TARGET_SIZES),
        },
        "summary": summarize(runs, sizes, latency_ms),
        "runs": runs,
    }


def summarize(
    runs: list[dict[str, Any]], sizes: Sequence[int], latency_ms: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        of = {v: [r for r in runs if r["n"] == n and r["variant"] == v] for v in MAIN + DIAGNOSTIC}
        paired = {r["rep"]: r["wall_s"] for r in of["noop"]}
        ratios = [r["wall_s"] / paired[r["rep"]] for r in of["trigger"] if r["rep"] in paired]
        floors = {rep: physical_floor(wall, n, latency_ms) for rep, wall in paired.items()}
        to_floor = [r["wall_s"] / floors[r["rep"]] for r in of["trigger"] if r["rep"] in floors]
        row: dict[str, Any] = {
            "n": n,
            "ratio": median(ratios),
            "ratios": ratios,
            "physical_floor_s": median(list(floors.values())),
            "floor_ratio": median(to_floor),
            "floor_ratios": to_floor,
        }
        for variant, items in of.items():
            if not items:
                continue
            row[variant] = {
                key: median([r[key] for r in items])
                for key in (
                    "wall_s",
                    "to_first_resource_s",
                    "resources_s",
                    "after_last_resource_s",
                    "cpu_engine_s",
                    "cpu_provider_s",
                    "cpu_program_s",
                    "cpu_emulator_s",
                    "provider_peak_rss_mib",
                    "engine_peak_rss_mib",
                    "peak_request_rate",
                )
            }
            row[variant]["walls"] = [r["wall_s"] for r in items]
            calls = [sum(r["requests"].values()) for r in items]
            row[variant]["api_calls_per_resource"] = median(calls) / n
        row["target"] = n in TARGET_SIZES
        row["met"] = row["ratio"] <= TARGET_RATIO if n in TARGET_SIZES else None
        row["floor_met"] = row["floor_ratio"] <= TARGET_FLOOR_RATIO if n in TARGET_SIZES else None
        rows.append(row)
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    main_rows = []
    for row in result["summary"]:
        main_rows.append(
            [
                row["n"],
                len(row["ratios"]),
                row["noop"]["wall_s"],
                row["trigger"]["wall_s"],
                f"{row['ratio']:.2f}x ({spread(row['ratios'])})",
                verdict(row["met"]),
                row["physical_floor_s"],
                f"{row['floor_ratio']:.2f}x ({spread(row['floor_ratios'])})",
                verdict(row["floor_met"]),
            ]
        )
    out = [
        table(
            f"Trigger overhead: `pulumi up` of N resources, no waiting, emulator latency "
            f"{cfg['latency_ms']:g} ms (median wall s; ratio per round, target <= "
            f"{cfg['target_ratio']}x at N = 100 and 500; physical floor = noop + ceil(N / "
            f"{cfg.get('default_parallel', DEFAULT_PARALLEL)}) x latency, target <= "
            f"{cfg.get('target_floor_ratio', TARGET_FLOOR_RATIO)}x)",
            [
                "N",
                "rounds",
                "floor: noop (s)",
                "OracleBackupTrigger (s)",
                "ratio (min-max)",
                "target",
                "physical floor (s)",
                "ratio to it (min-max)",
                "target",
            ],
            main_rows,
        )
    ]
    detail = []
    for row in result["summary"]:
        for variant in ("noop", "noop-shaped", "trigger-0ms", "trigger-warm", "trigger"):
            v = row.get(variant)
            if v is None:
                continue
            detail.append(
                [
                    row["n"],
                    variant,
                    v["wall_s"],
                    v["to_first_resource_s"],
                    v["resources_s"],
                    v["after_last_resource_s"],
                    v["cpu_engine_s"],
                    v["cpu_program_s"],
                    v["cpu_provider_s"],
                    v["cpu_emulator_s"],
                    f"{v['provider_peak_rss_mib']:.0f}",
                    f"{v['api_calls_per_resource']:.2f}",
                ]
            )
    out.append(
        table(
            "Where the time goes (medians): phases of the up (s), CPU seconds per process, "
            "provider peak RSS (MiB), API calls per resource",
            [
                "N",
                "variant",
                "wall",
                "to 1st resource",
                "resources",
                "after last",
                "CPU engine",
                "CPU program",
                "CPU provider",
                "CPU emulator",
                "provider RSS",
                "calls/res",
            ],
            detail,
        )
    )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,500", help="comma-separated N")
    parser.add_argument("--reps", type=int, default=3, help="rounds of noop + trigger")
    parser.add_argument("--diagnostic-reps", type=int, default=1, help="rounds of diagnostics")
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    result = run(sizes, args.reps, args.diagnostic_reps, args.latency_ms)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
