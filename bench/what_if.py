"""What would bring the trigger overhead down: measured gains of proposed changes.

    .venv/bin/python -m bench.what_if [--sizes 100,500] [--reps 3,1]

Bench 1's setup (N resources, no waiting, emulator latency 50 ms) with proposed changes
applied by the bench only, never in ``provider/``:

- provider side, ``widen=32`` through ``bench.what_if_provider`` (``PULUMI_PYTHON_CMD``):
  the provider serves 32 calls at once instead of the 4 of ``pulumi.dynamic``'s gRPC server
  (the engine's default ``--parallel`` is 4 per core, 8 here, so 8 are in flight);
- program side, ``LeanTrigger``: ``OracleBackupTrigger`` registered without its unset
  (None) inputs, so each resource has about half the outputs pending in the program;
- engine side: ``PULUMI_SKIP_CHECKPOINTS=true`` (the file backend then writes the state at
  the end instead of after every step) and ``pulumi up --parallel 32``, each against a
  floor with the same setting.

Writes ``bench/results/what_if.json``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_commvault import OracleBackupTrigger, OracleBackupTriggerArgs
from pulumi_commvault.outputs import RESULT_KEYS
from pulumi_commvault.provider import OracleBackupTriggerProvider

from .common import (
    RESOURCE_KINDS,
    Engine,
    Fleet,
    Program,
    emulator,
    emulator_config,
    machine,
    machine_line,
    median,
    one_each,
    save,
    say,
    scratch,
    table,
    timed_up,
)
from .what_if_provider import WHAT_IF_VARIABLE

NAME = "what_if"
SKIP_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true"}


class LeanTrigger(OracleBackupTrigger, module="commvault", name="OracleBackupTrigger"):
    """``OracleBackupTrigger`` (same type, same provider) registered leaner: only the inputs
    that are set, ``request_name`` and the result keys."""

    def __init__(self, resource_name: str, **kwargs: Any) -> None:
        props = OracleBackupTriggerArgs(**kwargs).to_props()
        props = {key: value for key, value in props.items() if value is not None}
        props["request_name"] = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
        props.update(dict.fromkeys(RESULT_KEYS))
        Resource.__init__(self, OracleBackupTriggerProvider(), resource_name, props, None)


RESOURCE_KINDS["trigger-lean"] = lambda name, inputs: LeanTrigger(name, **inputs)


@dataclass(frozen=True)
class Variant:
    label: str
    kind: str
    changes: str = ""
    env: tuple[tuple[str, str], ...] = ()
    parallel: int | None = None

    @property
    def floor(self) -> str:
        if self.parallel:
            return "noop, --parallel 32"
        return "noop, skip checkpoints" if self.env else "noop (floor)"


WIDEN = "widen=32"
NO_CHECKPOINTS = tuple(SKIP_CHECKPOINTS.items())
VARIANTS = (
    Variant("noop (floor)", "noop"),
    Variant("trigger, as is", "trigger"),
    Variant("trigger + widen=32", "trigger", WIDEN),
    Variant("lean trigger", "trigger-lean"),
    Variant("lean trigger + widen=32", "trigger-lean", WIDEN),
    Variant("noop, skip checkpoints", "noop", "", NO_CHECKPOINTS),
    Variant("trigger, skip checkpoints", "trigger", "", NO_CHECKPOINTS),
    Variant("lean + widen=32, skip checkpoints", "trigger-lean", WIDEN, NO_CHECKPOINTS),
    Variant("noop, --parallel 32", "noop", parallel=32),
    Variant("lean + widen=32, --parallel 32", "trigger-lean", WIDEN, parallel=32),
)


def launcher(directory: Path) -> Path:
    """An interpreter for ``PULUMI_PYTHON_CMD``: runs ``bench.what_if_provider`` instead."""
    path = directory / "what-if-python"
    path.write_text(
        "#!/bin/sh\n"
        "# called as: <this> -u -m pulumi.dynamic <engine args>\n"
        'while [ "$1" = -u ]; do shift; done\n'
        '[ "$1" = -m ] && shift 2\n'
        f'exec "{sys.executable}" -u -m bench.what_if_provider "$@"\n'
    )
    path.chmod(0o755)
    return path


def run(sizes: Sequence[int], reps: Sequence[int], latency_ms: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    runs: list[dict[str, Any]] = []
    with (
        scratch(NAME) as tmp,
        emulator(tmp, Fleet(max(sizes)), job_seconds=3600, latency_ms=latency_ms) as emu,
    ):
        python = launcher(tmp)
        for rep in range(max(reps)):
            for n, n_reps in zip(sizes, reps, strict=True):
                if rep >= n_reps:
                    continue
                for variant in VARIANTS:
                    extra = dict(variant.env)
                    if variant.changes:
                        extra |= {
                            "PULUMI_PYTHON_CMD": str(python),
                            WHAT_IF_VARIABLE: variant.changes,
                        }
                    engine = Engine(tmp, extra_env=extra)
                    program = Program(variant.kind, one_each(Fleet(n).databases()), wait=False)
                    stack = engine.stack(program, emulator_config(emu))
                    is_trigger = variant.kind.startswith("trigger")
                    result = timed_up(stack, emu if is_trigger else None, parallel=variant.parallel)
                    if result.changes.get("create") != n + 1 or (
                        is_trigger and result.requests.get("CreateTask") != n
                    ):
                        raise RuntimeError(f"{variant.label} N={n}: {result.changes}")
                    emu.control.reset()
                    runs.append({"variant": variant.label, "n": n, "rep": rep, **result.as_dict()})
                    say(f"  N={n:<4} {variant.label:<48} {result.wall_s:6.2f} s")
    return {
        "bench": NAME,
        "machine": info,
        "config": {"sizes": list(sizes), "reps": list(reps), "latency_ms": latency_ms},
        "summary": summarize(runs, sizes),
        "runs": runs,
    }


def summarize(runs: list[dict[str, Any]], sizes: Sequence[int]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        walls = {
            v.label: median([r["wall_s"] for r in runs if (r["n"], r["variant"]) == (n, v.label)])
            for v in VARIANTS
        }
        for v in VARIANTS:
            floor = walls[v.floor]
            items = [r for r in runs if (r["n"], r["variant"]) == (n, v.label)]
            rows.append(
                {
                    "n": n,
                    "variant": v.label,
                    "wall_s": walls[v.label],
                    "ratio_to_floor": walls[v.label] / floor,
                    "resources_s": median([r["resources_s"] for r in items]),
                    "api_calls_per_resource": median([sum(r["requests"].values()) for r in items])
                    / n,
                    "peak_request_rate": median([r["peak_request_rate"] for r in items]),
                    "cpu_s": {
                        part: median([r[f"cpu_{part}_s"] for r in items])
                        for part in ("engine", "program", "provider", "emulator")
                    },
                }
            )
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["n"],
            r["variant"],
            r["wall_s"],
            f"{r['ratio_to_floor']:.2f}x",
            r["resources_s"],
            f"{r['api_calls_per_resource']:.2f}",
            f"{r['peak_request_rate']:.0f}",
            r["cpu_s"]["engine"],
            r["cpu_s"]["program"],
            r["cpu_s"]["provider"],
        ]
        for r in result["summary"]
    ]
    return [
        table(
            "What-if: proposed provider changes, applied in the provider process only "
            f"(no waiting, latency {result['config']['latency_ms']:g} ms; median wall s)",
            [
                "N",
                "variant",
                "wall s",
                "vs floor",
                "resources s",
                "calls/res",
                "peak req/s",
                "CPU engine",
                "CPU program",
                "CPU provider",
            ],
            rows,
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500")
    parser.add_argument("--reps", default="3,1", help="rounds, per size (one number: all)")
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    reps = [int(r) for r in args.reps.split(",")]
    reps = reps * len(sizes) if len(reps) == 1 else reps
    result = run(sizes, reps, args.latency_ms)
    print()
    result["tables"] = tables(result)
    save(NAME, result)


if __name__ == "__main__":
    main()
