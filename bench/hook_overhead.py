"""Bench 11: what a pre-change backup through ``oracle_backup_hook`` adds to an update.

    .venv/bin/python -m bench.hook_overhead [--job-seconds 5] [--reps 3]

Two projects of examples/protect-database's migration, driven by the plain ``pulumi`` CLI:
``protected`` (the hook bound, as in the example) and ``plain`` (the same migration, no
hook). Each round updates both (a new schema version), in rotating order; the wall time of
``pulumi up`` is timed, and the protected one's excess over the plain one is compared with
the backup's duration D. Target: excess ≤ D + 2 s. Also counted from the emulator's request
log: the API calls of a preview with a change pending and of an ``up`` with nothing to do
(target 0 each). Writes ``bench/results/hook_overhead.json``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from commvault_emulator.process import EmulatorProcess
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME
from harness.engine import REPO, VENV, cli_env

from .common import machine, machine_line, median, publish, say, scratch, spread, table, verdict

NAME = "hook_overhead"
EXAMPLE = REPO / "examples" / "protect-database"
PLAIN_PROGRAM = """\
import pulumi
from migration import SchemaMigration

config = pulumi.Config()
SchemaMigration("schema", schema="APP", schema_version=config.get("schemaVersion") or "1")
"""
PROJECT_YAML = "name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"


class Project:
    """One project on disk, its state and journal under ``root``."""

    def __init__(self, root: Path, name: str, protected: bool, url: str) -> None:
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.env = {**cli_env(root / "state", root / "home"), "COMMVAULT_STATE_DIR": str(root)}
        (root / "state").mkdir(exist_ok=True)
        (self.dir / "Pulumi.yaml").write_text(PROJECT_YAML.format(name=name, venv=VENV))
        shutil.copy(EXAMPLE / "migration.py", self.dir)
        if protected:
            shutil.copy(EXAMPLE / "__main__.py", self.dir)
        else:
            (self.dir / "__main__.py").write_text(PLAIN_PROGRAM)
        self.run("stack", "init", "bench")
        self.run("config", "set", "commvault:url", url)
        self.run("config", "set", "commvault:username", DEMO_USERNAME)
        self.run("config", "set", "--secret", "commvault:password", DEMO_PASSWORD)
        self.run("up", "--yes", "--skip-preview")

    def run(self, *args: str) -> float:
        """``pulumi <args>``; its wall time in seconds."""
        start, end = self.timed(*args)
        return end - start

    def timed(self, *args: str) -> tuple[float, float]:
        """``pulumi <args>``; when it started and ended (``time.time()``, the clock of the
        emulator's request log)."""
        start = time.time()
        subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            check=True,
            capture_output=True,
        )
        return start, time.time()


#: Where a protected update's time goes, from the emulator's request log and job times.
PHASES = {
    "to_first_call": "`pulumi up` start to the hook's first API call (engine, program, imports)",
    "to_create_task": "first call to CreateTask (login, the guard's look)",
    "job": "CreateTask to the job's end (D)",
    "end_noticed": "the job's end to the read that saw it (the watcher's schedule)",
    "after": "that read to the end of `pulumi up` (the change, the engine)",
}
JOB_READS = {"Job", "Jobs"}


def phases(emulator: EmulatorProcess, start: float, end: float) -> dict[str, float]:
    """One protected round's phases (``PHASES``), in seconds."""
    calls = [r for r in emulator.control.requests() if start <= r["time"] <= end]
    [create] = [r for r in calls if r["endpoint"] == "CreateTask"]
    ids = [str(i) for i in create["job_ids"] or []]
    [job] = [j for j in emulator.control.jobs() if str(j["jobId"]) in ids]
    seen = min(
        r["time"] for r in calls if r["endpoint"] in JOB_READS and r["time"] >= job["endedAt"]
    )
    return {
        "to_first_call": calls[0]["time"] - start,
        "to_create_task": create["time"] - calls[0]["time"],
        "job": job["endedAt"] - create["time"],
        "end_noticed": seen - job["endedAt"],
        "after": end - seen,
    }


def calls_of(emulator: EmulatorProcess, project: Project, *args: str) -> int:
    before = len(emulator.control.requests())
    project.run(*args)
    return len(emulator.control.requests()) - before


def run(job_seconds: float, reps: int) -> dict[str, Any]:
    walls: dict[str, list[float]] = {"protected": [], "plain": []}
    split: list[dict[str, float]] = []
    with (
        scratch(NAME) as root,
        EmulatorProcess(
            job_seconds=job_seconds, extra_args=["--quiet", "--host", "127.0.0.1"]
        ) as emulator,
    ):
        projects = {name: Project(root, name, name == "protected", emulator.url) for name in walls}
        protected = projects["protected"]
        protected.run("config", "set", "schemaVersion", "preview-only")
        preview_calls = calls_of(emulator, protected, "preview")
        protected.run("config", "set", "schemaVersion", "1")
        noop_calls = calls_of(emulator, protected, "up", "--yes", "--skip-preview")
        for rep in range(reps):
            order = list(walls) if rep % 2 == 0 else list(reversed(walls))
            for name in order:
                projects[name].run("config", "set", "schemaVersion", str(rep + 2))
                say(f"round {rep + 1}: {name}")
                start, end = projects[name].timed("up", "--yes", "--skip-preview")
                walls[name].append(end - start)
                if name == "protected":
                    split.append(phases(emulator, start, end))
        backups = sum(1 for r in emulator.control.requests() if r["endpoint"] == "CreateTask")
    excess = [p - q for p, q in zip(walls["protected"], walls["plain"], strict=True)]
    return {
        "machine": machine(),
        "job_seconds": job_seconds,
        "reps": reps,
        "walls": walls,
        "excess": excess,
        "phases": split,
        "preview_calls": preview_calls,
        "noop_up_calls": noop_calls,
        "backups": backups,
    }


def tables(result: dict[str, Any]) -> list[str]:
    d = result["job_seconds"]
    excess = result["excess"]
    rows = [
        [
            "`pulumi up`, plain update (median)",
            f"{median(result['walls']['plain']):.1f} s",
            "-",
            "-",
        ],
        [
            "`pulumi up`, protected update (median)",
            f"{median(result['walls']['protected']):.1f} s",
            "-",
            "-",
        ],
        [
            f"excess over plain, backups of D = {d:g} s (median, min-max)",
            f"{median(excess):.1f} s ({spread(excess)})",
            f"≤ D + 2 = {d + 2:g} s",
            verdict(median(excess) <= d + 2),
        ],
        [
            "backups taken (one per protected update)",
            result["backups"],
            result["reps"],
            verdict(result["backups"] == result["reps"]),
        ],
        [
            "API calls in preview / in an up with nothing to do",
            f"{result['preview_calls']} / {result['noop_up_calls']}",
            "0 / 0",
            verdict(result["preview_calls"] == result["noop_up_calls"] == 0),
        ],
    ]
    title = f"hook overhead: {machine_line(result['machine'])}"
    return [table(title, ["measure", "result", "target", ""], rows), phase_table(result)]


def phase_table(result: dict[str, Any]) -> str:
    """Where the protected update's time goes, beside the plain update's whole."""
    split = result.get("phases") or []
    rows = [
        [what, f"{median([p[key] for p in split]):.2f} s", spread([p[key] for p in split])]
        for key, what in PHASES.items()
    ]
    rows.append(
        [
            "plain update, whole `pulumi up`",
            f"{median(result['walls']['plain']):.2f} s",
            spread(result["walls"]["plain"]),
        ]
    )
    return table(
        "where a protected update's time goes (median)", ["phase", "median", "min-max"], rows
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--job-seconds", type=float, default=5.0)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    publish(NAME, run(args.job_seconds, args.reps), tables)


if __name__ == "__main__":
    main()
