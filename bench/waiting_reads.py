"""Bench: what waiting costs the CommServe, for 1, 10 and 50 separate waiting resources.

    .venv/bin/python -m bench.waiting_reads [--sizes 1,10,50] [--job-seconds 60]

N ``OracleBackupTrigger``s of one database each, all waiting at once in one provider
process (``bench.inprocess``: one thread per create), each job lasting D seconds, emulator
latency 50 ms. Per N: the watcher's reads (listings and single-job reads) per waited
minute, every job read the emulator answered, and the notice latency (job end, on the
emulator's clock, to the create's return). Targets: at most 15 reads per waited minute per
provider process however many resources wait; notice latency at most 5 s (jobs under 10
minutes). Writes ``bench/results/waiting_reads.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .common import Fleet, machine, machine_line, median, publish, say, scratch, table, verdict
from .inprocess import create_all, emulator_process

NAME = "waiting_reads"
TARGET_READS_PER_MINUTE = 15
TARGET_NOTICE_S = 5.0


def run(
    sizes: Sequence[int], job_seconds: float, latency_ms: float, history_jobs: int
) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    rows: list[dict[str, Any]] = []
    with (
        scratch(NAME) as tmp,
        emulator_process(
            Fleet(max(sizes)),
            tmp,
            job_seconds=job_seconds,
            latency_ms=latency_ms,
            extra=["--history-jobs", str(history_jobs)] if history_jobs else [],
        ) as emu,
    ):
        for n in sizes:
            batch = create_all(emu, n, wait=True, tag=f"n{n}")
            failed = [o.error for o in batch.outcomes if o.error]
            creates = [float(r["time"]) for r in batch.requests if r["endpoint"] == "CreateTask"]
            waited_min = (max(o.returned_at for o in batch.outcomes) - min(creates)) / 60
            watcher_reads = batch.watcher["listings"] + batch.watcher["job_reads"]
            latencies = batch.notice_latencies()
            row = {
                "n": n,
                "ok": n - len(failed),
                "failed": failed[:3],
                "wall_s": batch.wall_s,
                "waited_min": waited_min,
                "watcher": batch.watcher,
                "watcher_reads_per_min": watcher_reads / waited_min,
                "job_reads_answered": batch.count("Job", "Jobs"),
                "all_reads_per_min": batch.count("Job", "Jobs") / waited_min,
                "guard_listings": batch.guard_listings,
                "create_tasks": batch.count("CreateTask"),
                "notice_median_s": median(latencies),
                "notice_max_s": max(latencies, default=float("nan")),
            }
            row["met"] = (
                row["watcher_reads_per_min"] <= TARGET_READS_PER_MINUTE
                and row["notice_max_s"] <= TARGET_NOTICE_S
                and not failed
            )
            rows.append(row)
            say(
                f"  N={n:<3} {row['ok']}/{n} ok, wall {row['wall_s']:.1f} s, watcher "
                f"{watcher_reads} reads in {batch.watcher['rounds']} rounds = "
                f"{row['watcher_reads_per_min']:.1f}/min, notice median "
                f"{row['notice_median_s']:.2f} s max {row['notice_max_s']:.2f} s"
            )
    return {
        "bench": NAME,
        "machine": info,
        "config": {
            "sizes": list(sizes),
            "job_seconds": job_seconds,
            "latency_ms": latency_ms,
            "history_jobs": history_jobs,
            "target_reads_per_minute": TARGET_READS_PER_MINUTE,
            "target_notice_s": TARGET_NOTICE_S,
        },
        "summary": rows,
    }


def tables(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    return [
        table(
            f"Waiting: N separate resources, each a backup of D = {cfg['job_seconds']:g} s, all "
            f"waiting in one provider process, emulator latency {cfg['latency_ms']:g} ms, "
            f"{cfg.get('history_jobs', 0)} unrelated history jobs "
            f"(targets: <= {cfg['target_reads_per_minute']} reads per waited minute, notice "
            f"<= {cfg['target_notice_s']:g} s)",
            [
                "N",
                "succeeded",
                "waited (min)",
                "watcher rounds",
                "watcher reads",
                "reads / waited min",
                "all job reads answered",
                "guard listings",
                "CreateTask",
                "notice median (s)",
                "notice max (s)",
                "target",
            ],
            [
                [
                    r["n"],
                    f"{r['ok']}/{r['n']}",
                    r["waited_min"],
                    r["watcher"]["rounds"],
                    r["watcher"]["listings"] + r["watcher"]["job_reads"],
                    r["watcher_reads_per_min"],
                    r["job_reads_answered"],
                    r["guard_listings"],
                    r["create_tasks"],
                    r["notice_median_s"],
                    r["notice_max_s"],
                    verdict(r["met"]),
                ]
                for r in result["summary"]
            ],
        )
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--job-seconds", type=float, default=60)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument(
        "--history-jobs", type=int, default=10_000, help="unrelated jobs the emulator holds"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    publish(NAME, run(sizes, args.job_seconds, args.latency_ms, args.history_jobs), tables)


if __name__ == "__main__":
    main()
