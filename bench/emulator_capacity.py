"""Bench 4: how many requests per second the emulator answers, so it is not the bottleneck.

    .venv/bin/python -m bench.emulator_capacity [--max-requests 3000] [--max-seconds 5]

A bounded, threaded load from this machine on loopback only (127.0.0.1): T threads, each
with its own keep-alive connection, send ``GET Job/{id}`` or ``POST CreateTask`` (one
association) until ``--max-requests`` in all or ``--max-seconds`` have passed, whichever
comes first. Scenarios at 0 ms of emulator latency (its own cost) and one at 50 ms (latency
is slept per request, in parallel). The load generator shares the 2 cores with the
emulator, so the numbers are a lower bound. Compared with the highest request rate the other
benches drove (their ``peak_request_rate``, when their results exist).
Writes ``bench/results/emulator_capacity.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from commvault_emulator.process import EmulatorProcess
from harness import processes
from pulumi_commvault.commvault.backups import BackupRequest, Database

from .common import (
    RESULTS,
    Fleet,
    emulator,
    machine,
    machine_line,
    publish,
    say,
    scratch,
    table,
)

NAME = "emulator_capacity"
TOKEN = "bench-capacity-token"  # noqa: S105 - the emulator's pre-issued test token
CLIENTS = 50


@dataclass(frozen=True)
class Scenario:
    endpoint: str
    threads: int
    latency_ms: float


SCENARIOS = (
    Scenario("GET Job/{id}", 1, 0),
    Scenario("GET Job/{id}", 4, 0),
    Scenario("GET Job/{id}", 16, 0),
    Scenario("POST CreateTask", 4, 0),
    Scenario("POST CreateTask", 16, 0),
    Scenario("GET Job/{id}", 16, 50),
)


def create_task_body(index: int) -> bytes:
    db = Database(f"oradb{index % CLIENTS + 1:04d}", f"ORA{index % CLIENTS + 1:04d}")
    request = BackupRequest((db,), "Full", marker=f"capacity-{index}")
    return json.dumps(request.create_task_request([db]).to_wire()).encode()


def load(
    emu: EmulatorProcess, scenario: Scenario, job_ids: list[str], max_requests: int, max_s: float
) -> dict[str, Any]:
    """Send the scenario's requests; rate, latency percentiles, errors, emulator CPU."""
    parts = urlsplit(emu.url)
    host, port, base = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load a non-loopback address: {host}")
    headers = {"Authtoken": f"QSDK {TOKEN}", "Accept": "application/json"}
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors = 0  # answers other than 200
    dropped = 0  # connections reset or closed without an answer
    deadline = time.monotonic() + max_s

    def send(connection: http.client.HTTPConnection, index: int) -> int:
        if scenario.endpoint.startswith("GET"):
            connection.request(
                "GET", f"{base}/Job/{job_ids[index % len(job_ids)]}", headers=headers
            )
        else:
            connection.request(
                "POST",
                f"{base}/CreateTask",
                body=create_task_body(index),
                headers={**headers, "Content-Type": "application/json"},
            )
        response = connection.getresponse()
        response.read()
        return response.status

    def worker() -> None:
        nonlocal issued, errors, dropped
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if issued >= max_requests:
                        return
                    index = issued
                    issued += 1
                started = time.monotonic()
                try:
                    status = send(connection, index)
                except (OSError, http.client.HTTPException):
                    connection.close()  # reconnects on the next request
                    with lock:
                        dropped += 1
                    continue
                elapsed = time.monotonic() - started
                with lock:
                    latencies.append(elapsed)
                    errors += status != 200
        finally:
            connection.close()

    cpu_before = processes.cpu_seconds(emu.pid)
    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(scenario.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    cpu = processes.cpu_seconds(emu.pid) - cpu_before
    ordered = sorted(latencies)
    return {
        "endpoint": scenario.endpoint,
        "threads": scenario.threads,
        "latency_ms": scenario.latency_ms,
        "requests": len(ordered),
        "errors": errors,
        "dropped": dropped,
        "emulator_stderr": emu.stderr_tail()[-2000:] if dropped else "",
        "seconds": seconds,
        "requests_per_s": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": 1000 * ordered[len(ordered) // 2] if ordered else None,
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        if ordered
        else None,
        "emulator_cpu_s": cpu,
        "emulator_cpu_share": cpu / seconds if seconds else 0.0,
    }


def demand() -> dict[str, float]:
    """The highest request rate each other bench drove, from its saved results."""
    found: dict[str, float] = {}
    for name in ("trigger_overhead", "fleet_snapshot"):
        path = RESULTS / f"{name}.json"
        if path.exists():
            runs = json.loads(path.read_text()).get("runs", [])
            rates = [float(r.get("peak_request_rate") or 0) for r in runs]
            if rates:
                found[name] = max(rates)
    return found


def run(max_requests: int, max_s: float) -> dict[str, Any]:
    info = machine()
    say(f"machine: {machine_line(info)}")
    results: list[dict[str, Any]] = []
    with scratch(NAME) as tmp:
        for latency in sorted({s.latency_ms for s in SCENARIOS}):
            with emulator(
                tmp, Fleet(CLIENTS), job_seconds=0.01, latency_ms=latency, token=TOKEN
            ) as emu:
                job_ids = seed_jobs(emu)
                for scenario in SCENARIOS:
                    if scenario.latency_ms != latency:
                        continue
                    entry = load(emu, scenario, job_ids, max_requests, max_s)
                    results.append(entry)
                    say(
                        f"  {scenario.endpoint:<16} "
                        f"x{scenario.threads:<3} latency {latency:g} ms: "
                        f"{entry['requests_per_s']:7.0f} req/s"
                    )
    return {
        "bench": NAME,
        "machine": info,
        "config": {"max_requests": max_requests, "max_seconds": max_s, "address": "127.0.0.1"},
        "scenarios": results,
        "demand": demand(),
    }


def seed_jobs(emu: EmulatorProcess) -> list[str]:
    """One job per client, through the API, for ``GET Job/{id}`` to find."""
    parts = urlsplit(emu.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)
    ids: list[str] = []
    try:
        for index in range(CLIENTS):
            connection.request(
                "POST",
                f"{parts.path}/CreateTask",
                body=create_task_body(index),
                headers={"Authtoken": f"QSDK {TOKEN}", "Content-Type": "application/json"},
            )
            ids.extend(json.loads(connection.getresponse().read())["jobIds"])
    finally:
        connection.close()
    return ids


def tables(result: dict[str, Any]) -> list[str]:
    rows = [
        [
            s["endpoint"],
            s["threads"],
            f"{s['latency_ms']:g}",
            s["requests"],
            f"{s['errors']} / {s['dropped']}",
            f"{s['requests_per_s']:.0f}",
            f"{s['p50_ms']:.1f}",
            f"{s['p99_ms']:.1f}",
            f"{100 * s['emulator_cpu_share']:.0f}%",
        ]
        for s in result["scenarios"]
    ]
    out = [
        table(
            "Emulator capacity on loopback (bounded load; the load generator shares the 2 cores)",
            [
                "request",
                "threads",
                "latency ms",
                "requests",
                "non-200 / dropped",
                "req/s",
                "p50 ms",
                "p99 ms",
                "emulator CPU",
            ],
            rows,
        )
    ]
    if result["demand"]:
        out.append(
            table(
                "Highest request rate the benches drove (requests in any 1 s window)",
                ["bench", "peak req/s"],
                [[k, f"{v:.0f}"] for k, v in result["demand"].items()],
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-requests", type=int, default=3000, help="per scenario")
    parser.add_argument("--max-seconds", type=float, default=5.0, help="per scenario")
    args = parser.parse_args(argv)
    result = run(args.max_requests, args.max_seconds)
    publish(NAME, result, tables)


if __name__ == "__main__":
    main()
