"""Bench: what `commvault-oracle points` costs on a busy CommServe.

    .venv/bin/python -m bench.recovery_points [--sizes 0,100000] [--rounds 5] [--calls 30]

One emulator per history size (``--history-jobs N``: unrelated jobs of many clients, Oracle
hosts among them), side by side, each given the same ``OWN_BACKUPS`` finished backups of
oradb01/ORCL first, so every answer lists the same recovery points. Then, in rounds, the
command itself in this process (``commvault-oracle points oradb01/ORCL --json``: settings
from the environment, a client, the instance's id, its backup pieces, the JSON document),
``--calls`` times against each emulator in turn, the order alternating. Medians per round,
ratios to the empty emulator of the same round. Target: at 100,000 history jobs <= 1.2x.
Loopback only; needs no Pulumi CLI. Writes ``bench/results/recovery_points.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from typing import Any

from commvault_emulator.process import EmulatorProcess
from pulumi_commvault import CommvaultClient
from pulumi_commvault.cli import main as cli_main
from pulumi_commvault.commvault.backups import Database
from pulumi_commvault.commvault.models import CreateTaskRequest

from . import common
from .common import machine, machine_line, median, publish, say, spread, table, verdict

NAME = "recovery_points"
TOKEN = "bench-points-token"  # noqa: S105 - the emulator's pre-issued test token
TARGET_RATIO = 1.2
TARGET_HISTORY = 100_000
OWN_BACKUPS = 30


@contextlib.contextmanager
def _pointed_at(url: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("COMMVAULT_URL", "COMMVAULT_AUTHTOKEN")}
    os.environ.update(COMMVAULT_URL=url, COMMVAULT_AUTHTOKEN=TOKEN)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def points_once(url: str) -> tuple[float, int]:
    """One `points --json` run against ``url``: (seconds, recovery points listed)."""
    out = io.StringIO()
    with _pointed_at(url), contextlib.redirect_stdout(out):
        started = time.perf_counter()
        code = cli_main(["points", "oradb01/ORCL", "--json"])
        elapsed = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"points exited {code}: {out.getvalue()[:300]}")
    return elapsed, len(json.loads(out.getvalue())["points"])


def own_backups(url: str) -> None:
    request = CreateTaskRequest.oracle_backup(
        [Database("oradb01", "ORCL").association()], level="Full"
    )
    with CommvaultClient(url, token=TOKEN) as client:
        for _ in range(OWN_BACKUPS):
            client.create_task(request)


def run(sizes: Sequence[int], rounds: int, calls: int) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    per_round: list[dict[int, float]] = []
    listed: dict[int, int] = {}
    with ExitStack() as stack:
        emulators = common.history_emulators(
            stack,
            sizes,
            lambda extra: EmulatorProcess(
                job_seconds=0, token=TOKEN, extra_args=["--quiet", *extra], startup_timeout_s=120
            ),
        )
        urls = {size: emulator.url for size, emulator in emulators.items()}
        for size in sizes:
            own_backups(urls[size])
            _, listed[size] = points_once(urls[size])
            say(f"  history {size:>7,}: {listed[size]} recovery points")
        for number in range(rounds):
            order = list(sizes) if number % 2 == 0 else list(reversed(sizes))
            times: dict[int, list[float]] = {size: [] for size in sizes}
            for _ in range(calls):
                for size in order:
                    times[size].append(points_once(urls[size])[0])
            per_round.append({size: statistics.median(t) for size, t in times.items()})
            say(
                f"  round {number + 1}/{rounds}: "
                + ", ".join(f"{size:,}: {per_round[-1][size] * 1000:.1f} ms" for size in sizes)
            )
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "sizes": list(sizes),
            "rounds": rounds,
            "calls": calls,
            "own_backups": OWN_BACKUPS,
        },
        "listed": listed,
        "summary": summarise(sizes, per_round),
        "rounds": [{str(k): v for k, v in r.items()} for r in per_round],
    }


def summarise(sizes: Sequence[int], per_round: list[dict[int, float]]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        ratios = [r[size] / r[sizes[0]] for r in per_round]
        rows.append(
            {
                "history": size,
                "ms": median([r[size] * 1000 for r in per_round]),
                "ratio": median(ratios),
                "ratios": ratios,
                "met": median(ratios) <= TARGET_RATIO if size == TARGET_HISTORY else None,
            }
        )
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    return [
        table(
            f"`commvault-oracle points oradb01/ORCL --json` ({cfg['own_backups']} recovery "
            f"points) beside unrelated history jobs, {cfg['rounds']} rounds of {cfg['calls']} "
            f"calls, in process (target at 100,000: <= {TARGET_RATIO}x the time with none)",
            ["history jobs", "points (ms, median)", "ratio to none (min-max)", "target"],
            [
                [
                    r["history"],
                    r["ms"],
                    f"{r['ratio']:.2f}x ({spread(r['ratios'])})",
                    verdict(r["met"]),
                ]
                for r in result["summary"]
            ],
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,100000", help="history sizes; first = base")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes[0] != 0:
        raise SystemExit("--sizes must start with 0 (the empty emulator the ratios compare to)")
    publish(NAME, run(sizes, args.rounds, args.calls), tables)


if __name__ == "__main__":
    main()
