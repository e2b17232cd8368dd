"""Bench 12: trigger overhead of the provider plugin against the dynamic provider and the
physical floor (#25).

    .venv/bin/python -m bench.plugin_overhead [--sizes 100,500] [--reps 2]

For each N, fresh stacks of N resources, one database each, no waiting, side by side in one
run, interleaved (the order rotates each round):

- ``noop``: N ``bench.noop.Noop`` (the engine's floor);
- ``dynamic``: N ``OracleBackupTrigger`` (the dynamic provider, ``python -m pulumi.dynamic``);
- ``plugin``: N ``commvault:oracle:BackupTrigger`` of ``pulumi-resource-commvault`` (on PATH
  from the venv), registered from the same inline Python program as a generated SDK does;

both against the emulator with ``--latency-ms 50``. The physical floor is the no-op's wall
plus ``ceil(N / P)`` round trips of the latency (``trigger_overhead.physical_floor``).
Targets: plugin <= dynamic, plugin <= 1.1x the floor. Writes
``bench/results/plugin_overhead.json``.
"""

from __future__ import annotations

import argparse
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
from .trigger_overhead import physical_floor, rotated

NAME = "plugin_overhead"
TARGET_FLOOR_RATIO = 1.1
VARIANTS = ("noop", "dynamic", "plugin")
KINDS = {"noop": "noop", "dynamic": "trigger", "plugin": "plugin"}


def run(sizes: Sequence[int], reps: int, latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    runs: list[dict[str, Any]] = []
    with (
        scratch(NAME) as tmp,
        emulator(tmp, Fleet(max(sizes)), job_seconds=3600, latency_ms=latency_ms) as emu,
    ):
        engine = Engine(tmp)
        for rep in range(reps):
            for n in sizes:
                for variant in rotated(VARIANTS, rep):
                    program = Program(KINDS[variant], one_each(Fleet(n).databases()), wait=False)
                    calls = variant != "noop"
                    result = timed_up(
                        engine.stack(program, emulator_config(emu)), emu if calls else None
                    )
                    if result.changes.get("create") != n + 1:
                        raise RuntimeError(f"{variant} N={n}: changes {result.changes}")
                    if calls and result.requests.get("CreateTask") != n:
                        raise RuntimeError(f"{variant} N={n}: requests {result.requests}")
                    emu.control.reset()
                    runs.append({"variant": variant, "n": n, "rep": rep, **result.as_dict()})
                    say(f"  round {rep + 1} N={n:<4} {variant:<8} {result.wall_s:6.2f} s")
    return {
        "bench": NAME,
        "machine": info,
        "config": {"sizes": list(sizes), "reps": reps, "latency_ms": latency_ms},
        "summary": summarize(runs, sizes, latency_ms),
        "runs": runs,
    }


def summarize(
    runs: list[dict[str, Any]], sizes: Sequence[int], latency_ms: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        wall = {
            v: {r["rep"]: r["wall_s"] for r in runs if r["n"] == n and r["variant"] == v}
            for v in VARIANTS
        }
        reps = sorted(set(wall["noop"]) & set(wall["dynamic"]) & set(wall["plugin"]))
        floors = {rep: physical_floor(wall["noop"][rep], n, latency_ms) for rep in reps}
        to_dynamic = [wall["plugin"][rep] / wall["dynamic"][rep] for rep in reps]
        to_floor = [wall["plugin"][rep] / floors[rep] for rep in reps]
        dynamic_to_floor = [wall["dynamic"][rep] / floors[rep] for rep in reps]
        rows.append(
            {
                "n": n,
                **{f"{v}_s": median(list(wall[v].values())) for v in VARIANTS},
                "physical_floor_s": median(list(floors.values())),
                "plugin_to_dynamic": median(to_dynamic),
                "plugin_to_dynamic_all": to_dynamic,
                "plugin_to_floor": median(to_floor),
                "plugin_to_floor_all": to_floor,
                "dynamic_to_floor": median(dynamic_to_floor),
                "met_dynamic": median(to_dynamic) <= 1.0,
                "met_floor": median(to_floor) <= TARGET_FLOOR_RATIO,
            }
        )
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    rows = [
        [
            row["n"],
            len(row["plugin_to_dynamic_all"]),
            row["noop_s"],
            row["physical_floor_s"],
            row["dynamic_s"],
            row["plugin_s"],
            f"{row['plugin_to_dynamic']:.2f}x ({spread(row['plugin_to_dynamic_all'])})",
            verdict(row["met_dynamic"]),
            f"{row['plugin_to_floor']:.2f}x ({spread(row['plugin_to_floor_all'])})",
            verdict(row["met_floor"]),
            f"{row['dynamic_to_floor']:.2f}x",
        ]
        for row in result["summary"]
    ]
    return [
        table(
            f"Plugin overhead: `pulumi up` of N BackupTriggers, no waiting, emulator latency "
            f"{cfg['latency_ms']:g} ms (median wall s; ratios per round; targets: plugin <= "
            f"dynamic, plugin <= {TARGET_FLOOR_RATIO}x the physical floor)",
            [
                "N",
                "rounds",
                "noop (s)",
                "physical floor (s)",
                "dynamic (s)",
                "plugin (s)",
                "plugin / dynamic",
                "target",
                "plugin / floor",
                "target",
                "dynamic / floor",
            ],
            rows,
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500", help="comma-separated N")
    parser.add_argument("--reps", type=int, default=2, help="rounds of noop, dynamic, plugin")
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    result = run([int(s) for s in args.sizes.split(",")], args.reps, args.latency_ms)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
