"""Bench: 20 separate waiting resources under a SaaS tenant's read limit.

    .venv/bin/python -m bench.tenant_limit [--n 20] [--job-seconds 60]
        [--rate-limit reads=60,writes=1000,period=60]

The emulator answers 429 (``Retry-After``, ``X-RateLimit-*``) past ``--rate-limit`` (the
issue's 60 reads a minute, and 10 a minute, below what waiting reads unpaced). N
``OracleBackupTrigger``s of one database each wait at once in one provider process
(``bench.inprocess``), each job lasting D seconds; twice, side by side: without a self-limit,
and with ``commvault:maxReadsPerHour`` set to the tenant's budget. Measured: how many
succeed, how many fail because of a 429 (target: 20 of 20, none), the 429s met, and the
watcher's reads. Writes ``bench/results/tenant_limit.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .common import Fleet, machine, machine_line, median, publish, say, scratch, table, verdict
from .inprocess import create_all, emulator_process

NAME = "tenant_limit"


def budget_per_hour(rate_limit: str) -> int:
    parts = dict(p.split("=", 1) for p in rate_limit.split(","))
    return int(3600 * int(parts["reads"]) / float(parts.get("period", "3600")))


def run(
    n: int, job_seconds: float, rate_limit: str, latency_ms: float, history_jobs: int
) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    rows = []
    variants: list[tuple[str, str, int | None]] = []
    for limit in rate_limit.split(";"):
        variants.append((limit, "no self-limit", None))
        variants.append((limit, "maxReadsPerHour = the budget", budget_per_hour(limit)))
    with scratch(NAME) as tmp:
        for limit, label, reads_per_hour in variants:
            # A fresh emulator each: the tenant's counters start from zero.
            with emulator_process(
                Fleet(n),
                tmp,
                job_seconds=job_seconds,
                latency_ms=latency_ms,
                extra=["--rate-limit", limit]
                + (["--history-jobs", str(history_jobs)] if history_jobs else []),
            ) as emu:
                batch = create_all(emu, n, wait=True, tag="t1", max_reads_per_hour=reads_per_hour)
            failed = [o.error or "" for o in batch.outcomes if o.error]
            row = {
                "rate_limit": limit,
                "variant": label,
                "max_reads_per_hour": reads_per_hour,
                "n": n,
                "succeeded": n - len(failed),
                "failed_on_429": sum(1 for e in failed if "429" in e or "rate" in e.lower()),
                "failures": failed[:3],
                "answered_429": sum(1 for r in batch.requests if r["status"] == 429),
                "reads_answered": sum(
                    1 for r in batch.requests if r["endpoint"] in ("Job", "Jobs", "Client")
                ),
                "create_tasks": batch.count("CreateTask"),
                "watcher": batch.watcher,
                "wall_s": batch.wall_s,
                "notice_median_s": median(batch.notice_latencies()),
            }
            row["met"] = row["succeeded"] == n and row["failed_on_429"] == 0
            rows.append(row)
            say(
                f"  {limit}, {label}: {row['succeeded']}/{n} succeeded, "
                f"{row['failed_on_429']} failed on 429, {row['answered_429']} 429s answered, "
                f"wall {row['wall_s']:.1f} s"
            )
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "n": n,
            "job_seconds": job_seconds,
            "rate_limit": rate_limit,
            "latency_ms": latency_ms,
            "history_jobs": history_jobs,
        },
        "summary": rows,
    }


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    return [
        table(
            f"Tenant limit: {cfg['n']} separate waiting resources, backups of "
            f"{cfg['job_seconds']:g} s, emulator `--rate-limit` as shown, "
            f"{cfg.get('history_jobs', 0)} unrelated history jobs (target: "
            f"all succeed, none fails on a 429)",
            [
                "--rate-limit",
                "variant",
                "succeeded",
                "failed on 429",
                "429s answered",
                "reads answered",
                "watcher reads",
                "CreateTask",
                "wall (s)",
                "notice median (s)",
                "target",
            ],
            [
                [
                    f"`{r.get('rate_limit', cfg['rate_limit'])}`",
                    r["variant"],
                    f"{r['succeeded']}/{r['n']}",
                    r["failed_on_429"],
                    r["answered_429"],
                    r["reads_answered"],
                    r["watcher"]["listings"] + r["watcher"]["job_reads"],
                    r["create_tasks"],
                    r["wall_s"],
                    r["notice_median_s"],
                    verdict(r["met"]),
                ]
                for r in result["summary"]
            ],
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--job-seconds", type=float, default=60)
    parser.add_argument(
        "--rate-limit",
        default="reads=60,writes=1000,period=60;reads=10,writes=1000,period=60",
        help="one or more emulator --rate-limit values, separated by ;",
    )
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument(
        "--history-jobs", type=int, default=10_000, help="unrelated jobs the emulator holds"
    )
    args = parser.parse_args(argv)
    result = run(args.n, args.job_seconds, args.rate_limit, args.latency_ms, args.history_jobs)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
