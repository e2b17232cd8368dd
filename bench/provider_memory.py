"""Bench 5: peak memory (max RSS) of the dynamic provider process at N = 500.

    .venv/bin/python -m bench.provider_memory [--n 500]

The provider process is ``python -m pulumi.dynamic``, a child of the engine; its ``VmHWM``
(the kernel's high-water mark of resident memory) is read from ``/proc/<pid>/status`` every
0.2 s while ``pulumi up`` runs (``common.ProcessWatcher``: no psutil, no wrapper), so a peak
between reads is not missed. Three stacks: N no-op resources (the SDK's own footprint), N
``OracleBackupTrigger``s without waiting, and one ``OracleBackupTrigger`` holding N
databases that waits for all N jobs (D = 5 s, emulator latency 50 ms).
Writes ``bench/results/provider_memory.json``.
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
    one_each,
    publish,
    say,
    scratch,
    table,
    timed_up,
)

NAME = "provider_memory"


def run(n: int, seconds: float, latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    databases = Fleet(n).databases()
    cases = (
        (f"{n} Noop resources", Program("noop", one_each(databases), wait=False)),
        (
            f"{n} OracleBackupTrigger, no waiting",
            Program("trigger", one_each(databases), wait=False),
        ),
        (
            f"1 OracleBackupTrigger of {n} databases, waiting",
            Program("trigger", [databases], wait=True),
        ),
    )
    rows: list[dict[str, Any]] = []
    with (
        scratch(NAME) as tmp,
        emulator(tmp, Fleet(n), job_seconds=seconds, latency_ms=latency_ms) as emu,
    ):
        engine = Engine(tmp)
        for label, program in cases:
            stack = engine.stack(program, emulator_config(emu))
            result = timed_up(stack, emu if program.kind == "trigger" else None)
            emu.control.reset()
            rows.append({"case": label, **result.as_dict()})
            say(f"  {label:<48} provider {result.provider_peak_rss_mib:6.1f} MiB")
    return {
        "bench": NAME,
        "machine": info,
        "config": {"n": n, "job_seconds": seconds, "latency_ms": latency_ms},
        "cases": rows,
    }


def tables(result: dict[str, Any]) -> list[str]:
    rows = [
        [
            c["case"],
            c["provider_processes"],
            f"{c['provider_peak_rss_mib']:.1f}",
            f"{c['engine_peak_rss_mib']:.1f}",
            f"{c['wall_s']:.1f}",
        ]
        for c in result["cases"]
    ]
    return [
        table(
            "Peak memory (VmHWM) of the dynamic provider process",
            ["stack", "provider procs", "provider peak MiB", "engine peak MiB", "up s"],
            rows,
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--job-seconds", type=float, default=5.0)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    result = run(args.n, args.job_seconds, args.latency_ms)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
