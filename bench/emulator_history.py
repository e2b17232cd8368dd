"""Bench 6: what one request costs on an emulator with a busy CommServe's history.

    .venv/bin/python -m bench.emulator_history [--sizes 0,10000,100000] [--rounds 3]

One emulator per history size (``--history-jobs N``), all running side by side, each given
the same 1,000 jobs of its own through ``CreateTask`` (0-second jobs), so a page of 1,000
has the same content everywhere. Then, in rounds, over one keep-alive connection each:
``GET Job/{id}`` of those jobs, ``POST Jobs`` with cvpysdk's body (all clients, 5 h
look-up, newest first) and a page of 1,000, and ``CreateTask`` of one Oracle backup, one
call at a time to each emulator in turn. Medians of each round's per-request latency;
ratios to the empty emulator (size 0) of the same round. Target: every ratio at 100,000
jobs <= 1.5. Also the start-up time of each emulator (until it prints its URL). Loopback
only. Needs no Pulumi CLI.
Writes ``bench/results/emulator_history.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit

from commvault_emulator.process import EmulatorProcess

from .common import machine, machine_line, save, say, table, verdict

NAME = "emulator_history"
TOKEN = "bench-history-token"  # noqa: S105 - the emulator's pre-issued test token
TARGET_RATIO = 1.5
OWN_JOBS = 1000
REQUESTS = {"GET Job/{id}": 300, "POST Jobs (page of 1,000)": 30, "POST CreateTask": 300}
CREATE_TASK = json.dumps(
    {
        "taskInfo": {
            "task": {"taskType": 1, "initiatedFrom": 2},
            "associations": [
                {"clientName": "oradb01", "instanceName": "ORCL", "subclientName": "default"}
            ],
            "subTasks": [
                {
                    "subTask": {"subTaskType": 2, "operationType": 2},
                    "options": {"backupOpts": {"backupLevel": "Full"}},
                }
            ],
        }
    }
).encode()
JOBS_PAGE = json.dumps(
    {
        "scope": 1,
        "category": 0,
        "pagingConfig": {"sortDirection": 1, "offset": 0, "sortField": "jobId", "limit": 1000},
        "jobFilter": {
            "completedJobLookupTime": 5 * 3600,
            "showAgedJobs": False,
            "hideAdminJobs": False,
            "clientList": [],
            "jobTypeList": [],
        },
    }
).encode()


class Client:
    """One keep-alive connection to one emulator's API."""

    def __init__(self, emulator: EmulatorProcess) -> None:
        parts = urlsplit(emulator.url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing a non-loopback address: {parts.hostname}")
        self.base = parts.path
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        self.headers = {"Authtoken": f"QSDK {TOKEN}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: bytes | None = None) -> Any:
        self.connection.request(method, self.base + path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


def own_jobs(client: Client) -> list[str]:
    ids: list[str] = []
    for _ in range(OWN_JOBS):
        ids.extend(client.call("POST", "/CreateTask", CREATE_TASK)["jobIds"])
    return ids


def timed(count: int, sends: dict[int, Callable[[int], Any]]) -> dict[int, float]:
    """The median seconds of ``count`` calls of each ``send(index)``, interleaved one call
    at a time across the emulators, so the machine's noise falls on all of them alike."""
    latencies: dict[int, list[float]] = {size: [] for size in sends}
    for index in range(count):
        for size, send in sends.items():
            started = time.perf_counter()
            send(index)
            latencies[size].append(time.perf_counter() - started)
    return {size: statistics.median(values) for size, values in latencies.items()}


def requests_of(client: Client, job_ids: list[str]) -> dict[str, Callable[[int], Any]]:
    return {
        "GET Job/{id}": lambda i: client.call("GET", f"/Job/{job_ids[i % len(job_ids)]}"),
        "POST Jobs (page of 1,000)": lambda i: client.call("POST", "/Jobs", JOBS_PAGE),
        "POST CreateTask": lambda i: client.call("POST", "/CreateTask", CREATE_TASK),
    }


def run(sizes: Sequence[int], rounds: int) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    startup_s: dict[int, float] = {}
    per_round: list[dict[str, dict[int, float]]] = []
    with ExitStack() as stack:
        clients: dict[int, Client] = {}
        job_ids: dict[int, list[str]] = {}
        for size in sizes:
            args = ["--quiet", "--history-jobs", str(size)] if size else ["--quiet"]
            started = time.monotonic()
            emulator = stack.enter_context(
                EmulatorProcess(job_seconds=0, token=TOKEN, extra_args=args, startup_timeout_s=120)
            )
            startup_s[size] = time.monotonic() - started
            clients[size] = Client(emulator)
            stack.callback(clients[size].close)
            job_ids[size] = own_jobs(clients[size])
            page = clients[size].call("POST", "/Jobs", JOBS_PAGE)
            say(
                f"  history {size:>7,}: started in {startup_s[size]:.2f} s; "
                f"POST Jobs total {page['totalRecordsWithoutPaging']:,}, "
                f"page {len(page.get('jobs', []))}"
            )
        for number in range(rounds):
            medians: dict[str, dict[int, float]] = {name: {} for name in REQUESTS}
            for name, count in REQUESTS.items():
                order = list(sizes) if number % 2 == 0 else list(reversed(sizes))
                sends = {size: requests_of(clients[size], job_ids[size])[name] for size in order}
                medians[name] = timed(count, sends)
            per_round.append(medians)
            say(f"  round {number + 1}/{rounds} done")
    return summarise(info, sizes, rounds, startup_s, per_round)


def summarise(
    info: dict[str, Any],
    sizes: Sequence[int],
    rounds: int,
    startup_s: dict[int, float],
    per_round: list[dict[str, dict[int, float]]],
) -> dict[str, Any]:
    base = sizes[0]
    rows: list[dict[str, Any]] = []
    for name in REQUESTS:
        for size in sizes:
            ratios = [r[name][size] / r[name][base] for r in per_round]
            rows.append(
                {
                    "request": name,
                    "history_jobs": size,
                    "median_ms": 1000 * statistics.median(r[name][size] for r in per_round),
                    "ratio": statistics.median(ratios),
                    "ratio_min": min(ratios),
                    "ratio_max": max(ratios),
                }
            )
    largest = max(sizes)
    met = all(r["ratio"] <= TARGET_RATIO for r in rows if r["history_jobs"] == largest)
    return {
        "bench": NAME,
        "machine": info,
        "config": {"sizes": list(sizes), "rounds": rounds, "requests": REQUESTS},
        "startup_s": {str(k): v for k, v in startup_s.items()},
        "rows": rows,
        "per_round_ms": [
            {name: {str(k): 1000 * v for k, v in m.items()} for name, m in r.items()}
            for r in per_round
        ],
        "target": {"ratio_at_largest": TARGET_RATIO, "met": met},
    }


def tables(result: dict[str, Any]) -> list[str]:
    largest = max(result["config"]["sizes"])
    rows = [
        [
            r["request"],
            f"{r['history_jobs']:,}",
            f"{r['median_ms']:.2f}",
            f"{r['ratio']:.2f}",
            f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}",
            verdict(r["ratio"] <= TARGET_RATIO if r["history_jobs"] == largest else None),
        ]
        for r in result["rows"]
    ]
    return [
        table(
            "Per-request cost with a history of N jobs, as a ratio to the empty emulator "
            f"(target <= {TARGET_RATIO} at {largest:,})",
            ["request", "history jobs", "median ms", "ratio", "ratio min-max", "target"],
            rows,
        ),
        table(
            "Emulator start-up with a history (until its URL line)",
            ["history jobs", "seconds"],
            [[f"{int(k):,}", f"{v:.2f}"] for k, v in result["startup_s"].items()],
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,10000,100000", help="history sizes; first = base")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes[0] != 0:
        raise SystemExit("--sizes must start with 0 (the empty emulator the ratios compare to)")
    result = run(sizes, args.rounds)
    print()
    result["tables"] = tables(result)
    save(NAME, result)


if __name__ == "__main__":
    main()
