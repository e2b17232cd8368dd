"""Processes as ``/proc`` shows them: who started whom, CPU time, peak memory, stopping.

Tests use it to find and stop what a killed ``pulumi up`` left behind; benches to measure
the engine and the dynamic provider. Linux only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    """What ``/proc/<pid>/stat`` says of a live process."""

    parent: int
    started: int  # clock ticks after boot; with the pid, it names one process
    cpu_s: float  # user + system


def read(pid: int, name: str) -> str:
    """``/proc/<pid>/<name>`` as text; empty when the process is gone."""
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def stat(pid: int) -> Stat | None:
    """The process's parent, start time and CPU time; None when it is gone or a zombie."""
    raw = read(pid, "stat")
    if not raw:
        return None
    # Fields after the command name, which may hold spaces and parentheses: state is the
    # first (field 3 of proc(5)), so utime/stime (14, 15) are 11 and 12, starttime (22) 19.
    fields = raw[raw.rindex(")") + 1 :].split()
    if fields[0] == "Z":  # a zombie is gone already, only not reaped
        return None
    return Stat(
        parent=int(fields[1]),
        started=int(fields[19]),
        cpu_s=(int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
    )


def live() -> dict[int, Stat]:
    """Every live process."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := stat(int(entry))) is not None:
            found[int(entry)] = info
    return found


def descendants(roots: Iterable[int], parents: Mapping[int, int]) -> set[int]:
    """``roots`` and every process below them in ``parents`` (pid -> parent pid)."""
    tree = set(roots)
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far; 0 when the process is gone."""
    info = stat(pid)
    return info.cpu_s if info is not None else 0.0


def peak_rss_mib(pid: int) -> float:
    """The kernel's high-water mark of resident memory (``VmHWM``); 0 when gone."""
    for line in read(pid, "status").split("\n"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def command_line(pid: int) -> list[str]:
    """The process's argv; empty when it is gone (or a zombie)."""
    argv = read(pid, "cmdline").split("\0")
    if argv[-1] == "":  # each argument ends in a NUL
        argv.pop()
    return argv


# --- a tree a test started, directly or through the engine ---------------------------------


def process_tree(root: int) -> dict[int, int]:
    """Every live descendant of ``root`` (and ``root``): pid -> start time."""
    processes = live()
    roots = [root] if root in processes else []
    tree = descendants(roots, {pid: info.parent for pid, info in processes.items()})
    return {pid: processes[pid].started for pid in tree}


def still_running(tree: Mapping[int, int]) -> dict[int, int]:
    """The processes of an earlier ``process_tree`` that are still alive (not a reused pid)."""
    alive = {}
    for pid, start in tree.items():
        info = stat(pid)
        if info is not None and info.started == start:
            alive[pid] = start
    return alive


def stop_processes(tree: Mapping[int, int], grace_s: float = 3.0) -> None:
    """SIGTERM the survivors of ``tree``, then SIGKILL those still there after ``grace_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in still_running(tree):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while still_running(tree) and time.monotonic() < deadline:
            time.sleep(0.05)
