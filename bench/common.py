"""What every bench shares: the machine, the emulator, the hermetic engine, timing, tables.

- ``machine()``: the facts a result is meaningless without (cores, memory, CPU, load, date).
- ``Fleet``/``write_inventory``: N Oracle databases, as an emulator inventory file.
- ``Program``: an inline Pulumi program of ``OracleBackupTrigger``s or ``Noop``s (the floor),
  with the same inputs; ``Engine.stack`` gives it a fresh stack on a local file backend.
- ``timed_up``: one ``pulumi up``, timed, split into phases from the engine's events, with
  the CPU and peak memory of the engine and of the dynamic provider process
  (``ProcessWatcher``, on ``harness.processes``).
- The engine's environment, workspace and stack config come from ``harness.engine``, which
  the tests use too.
- ``table``/``save``: print a table, write ``bench/results/<name>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

from commvault_emulator.process import STARTUP_TIMEOUT_S, EmulatorProcess
from commvault_emulator.state import DEMO_PASSWORD, DEMO_USERNAME
from harness import processes
from harness.engine import PULUMI, REPO, commvault_config, workspace_options
from pulumi_commvault import OracleBackupTrigger, OracleBackupTriggerArgs
from pulumi_commvault.backup_trigger.outputs import RESULT_KEYS as BACKUP_RESULT_KEYS
from pulumi_commvault.backup_trigger.resource import registered_props
from pulumi_commvault.plugin.marshal import camel

from .noop import Noop

RESULTS = REPO / "bench" / "results"
STACK_TYPE = "pulumi:pulumi:Stack"

# Child processes (the dynamic provider) import ``bench`` modules.
if str(REPO) not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
    )

# --- the machine -------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, load, versions and the date (UTC)."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")
    total_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    cpuinfo = Path("/proc/cpuinfo").read_text().split("\n")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    version = subprocess.run(
        [str(PULUMI), "version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "cpu_model": model,
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "pulumi_cli": version,
        "pulumi_sdk": pulumi.__version__ if hasattr(pulumi, "__version__") else "?",
    }


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['date']}; {info['nproc']} cores ({info['cpu_model']}), "
        f"{info['memory_gib']} GiB; load {info['load_avg_1m_at_start']} at start; "
        f"pulumi {info['pulumi_cli']}, Python {info['python']}"
    )


# --- databases and the emulator ----------------------------------------------------------


@dataclass(frozen=True)
class Fleet:
    """``size`` Oracle databases: client ``oradb0001``, instance ``ORA0001``, ``default``."""

    size: int

    def databases(self) -> list[dict[str, str]]:
        return [
            {"client_name": f"oradb{i:04d}", "instance_name": f"ORA{i:04d}"}
            for i in range(1, self.size + 1)
        ]

    def write_inventory(self, path: Path) -> Path:
        clients = [
            {
                "name": db["client_name"],
                "instances": [{"name": db["instance_name"], "subclients": [{"name": "default"}]}],
            }
            for db in self.databases()
        ]
        path.write_text(json.dumps({"clients": clients}))
        return path


@contextmanager
def emulator(
    workdir: Path,
    fleet: Fleet,
    *,
    job_seconds: float,
    latency_ms: float,
    token: str | None = None,
    extra: Sequence[str] = (),
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[EmulatorProcess]:
    """The emulator on 127.0.0.1 with ``fleet`` as its inventory, quiet (no request lines),
    with ``extra`` flags."""
    inventory = fleet.write_inventory(workdir / f"inventory-{fleet.size}.json")
    with EmulatorProcess(
        job_seconds=job_seconds,
        latency_ms=latency_ms,
        inventory=inventory,
        token=token,
        extra_args=["--quiet", "--host", "127.0.0.1", *extra],
        startup_timeout_s=startup_timeout_s,
    ) as process:
        yield process


def history_emulators(
    stack: ExitStack,
    sizes: Sequence[int],
    start: Callable[[list[str]], AbstractContextManager[EmulatorProcess]],
) -> dict[int, EmulatorProcess]:
    """One emulator per history size, side by side (entered into ``stack``): ``start`` is
    given the flags that seed it with that many unrelated jobs (``--history-jobs``; none
    for 0)."""
    started = {}
    for size in sizes:
        say(f"  starting an emulator with {size:,} history jobs")
        started[size] = stack.enter_context(start(["--history-jobs", str(size)] if size else []))
    return started


def emulator_config(process: EmulatorProcess) -> dict[str, auto.ConfigValue]:
    """Stack config for the emulator's documented demo user."""
    return commvault_config(process.url, DEMO_USERNAME, DEMO_PASSWORD)


def endpoint_counts(records: Sequence[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(str(r["endpoint"]) for r in records))


def peak_rate(records: Sequence[dict[str, Any]], window_s: float = 1.0) -> float:
    """The most requests that arrived within any ``window_s``, per second."""
    times = sorted(float(r["time"]) for r in records)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window_s:
            start += 1
        best = max(best, end - start + 1)
    return best / window_s


# --- programs ----------------------------------------------------------------------------


def shaped_noop(name: str, inputs: dict[str, Any]) -> None:
    """A ``Noop`` registered with every property an ``OracleBackupTrigger`` registers."""
    Noop(name, registered_props(OracleBackupTriggerArgs(**inputs), name))


class PluginTrigger(pulumi.CustomResource):
    """``commvault:oracle:BackupTrigger`` of the provider plugin ``pulumi-resource-commvault``
    (on PATH from the venv), registered as a generated SDK registers it: camelCase inputs,
    its results as outputs to come."""

    def __init__(self, name: str, inputs: dict[str, Any]) -> None:
        props = {camel(k): v for k, v in inputs.items()}
        results = dict.fromkeys(camel(k) for k in BACKUP_RESULT_KEYS)
        super().__init__("commvault:oracle:BackupTrigger", name, {**props, **results})


#: What a ``Program`` can be made of: a name and the inputs -> one resource. Each kind is
#: called through one frame of its own, so that the stack trace the SDK records for every
#: resource (and the engine keeps in the state) is equally deep for all of them.
RESOURCE_KINDS: dict[str, Callable[[str, dict[str, Any]], object]] = {
    "trigger": lambda name, inputs: OracleBackupTrigger(name, **inputs),
    "noop": lambda name, inputs: Noop(name, inputs),
    "noop-shaped": shaped_noop,
    "plugin": PluginTrigger,
}


@dataclass
class Program:
    """An inline program: one resource per group of databases (``databases`` when > 1).

    ``kind`` (a key of ``RESOURCE_KINDS``) is ``"trigger"`` (``OracleBackupTrigger``),
    ``"noop"`` (the floor: a ``Noop`` with the same inputs) or ``"noop-shaped"`` (a ``Noop``
    registered with every property an ``OracleBackupTrigger`` registers: all its inputs,
    unset ones as None, and its result keys). ``tag`` is the trigger value; change it for a
    new backup.
    """

    kind: str
    groups: list[list[dict[str, str]]]
    wait: bool | list[bool]
    tag: str = "v1"
    timeout_minutes: float = 30

    def inputs(self, index: int) -> dict[str, Any]:
        group = self.groups[index]
        where: dict[str, Any] = dict(group[0]) if len(group) == 1 else {"databases": group}
        return {
            **where,
            "triggers": [self.tag],
            "wait_for_completion": self.wait if isinstance(self.wait, bool) else self.wait[index],
            "timeout_minutes": self.timeout_minutes,
        }

    def __call__(self) -> None:
        make = RESOURCE_KINDS[self.kind]
        for index in range(len(self.groups)):
            make(f"r{index:04d}", self.inputs(index))


def one_each(databases: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    """One resource per database."""
    return [[db] for db in databases]


# --- the engine --------------------------------------------------------------------------


class Engine:
    """Stacks on a local file backend under a temporary directory; nothing leaves it."""

    def __init__(self, root: Path, extra_env: dict[str, str] | None = None) -> None:
        self.root = root
        self.extra_env = dict(extra_env or {})
        self.state = root / "state"
        self.home = root / "home"
        self.state.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        """What the engine's environment adds to ``harness.engine.engine_env``."""
        return {
            "PYTHONPATH": os.environ["PYTHONPATH"],  # the provider imports bench.noop
            **self.extra_env,
        }

    def stack(
        self,
        program: Callable[[], None],
        config: dict[str, auto.ConfigValue] | None = None,
        *,
        project: str = "bench",
    ) -> auto.Stack:
        """A new stack (a fresh name) of ``program``."""
        stack = auto.create_stack(
            stack_name=f"s{uuid.uuid4().hex[:10]}",
            project_name=project,
            program=program,
            opts=workspace_options(self.state, self.home, project, self.env()),
        )
        if config:
            stack.set_all_config(config)
        return stack


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- processes ---------------------------------------------------------------------------


@dataclass
class ProcessStats:
    pid: int
    role: str
    peak_rss_mib: float = 0.0
    cpu_s: float = 0.0


class ProcessWatcher:
    """Polls ``/proc`` for this process's descendants: the engine and the dynamic provider.

    For each it keeps the high-water mark of resident memory (``VmHWM``, so a peak between
    polls is not missed; only growth in the last ``interval_s`` before exit can be) and the
    CPU time (user + system) last seen. Processes that existed before it started are
    skipped, except those given in ``also``.
    """

    def __init__(self, interval_s: float = 0.2, also: dict[int, str] | None = None) -> None:
        self.interval_s = interval_s
        self.me = os.getpid()
        self.also = dict(also or {})
        self.stats: dict[int, ProcessStats] = {}
        self._skip = set(processes.live()) - set(self.also)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessWatcher:
        self._poll()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._poll()

    def _poll(self) -> None:
        live = processes.live()
        parents = {pid: info.parent for pid, info in live.items() if pid not in self._skip}
        for pid in processes.descendants({self.me, *self.also}, parents) - {self.me}:
            self._sample(pid, live.get(pid))

    def _sample(self, pid: int, stat: processes.Stat | None) -> None:
        role = self.also.get(pid) or _role(processes.command_line(pid))
        if role is None or stat is None:
            return
        entry = self.stats.get(pid)
        if entry is None or entry.role != role:  # a fork that has just exec'd
            entry = self.stats[pid] = ProcessStats(pid, role)
        entry.peak_rss_mib = max(entry.peak_rss_mib, processes.peak_rss_mib(pid))
        entry.cpu_s = max(entry.cpu_s, stat.cpu_s)

    def of(self, role: str) -> list[ProcessStats]:
        return [s for s in self.stats.values() if s.role == role]


def _role(argv: list[str]) -> str | None:
    # ``python -m pulumi.dynamic``, or our launcher's ``python -c '...("pulumi.dynamic"...'``,
    # or the plugin (``python .../pulumi-resource-commvault``)
    markers = ("pulumi.dynamic", "bench.warm_provider", "pulumi-resource-commvault")
    if any(marker in arg for arg in argv[1:] for marker in markers):
        return "provider"
    if argv and os.path.basename(argv[0]) == "pulumi":
        return "engine"
    return None


# --- one timed pulumi up -----------------------------------------------------------------


@dataclass
class Run:
    """One ``pulumi up``: wall time and its phases (s), CPU (s) and peak memory (MiB).

    CPU: ``engine`` is the ``pulumi`` CLI process, ``provider`` the dynamic provider
    (``python -m pulumi.dynamic``) or the plugin (``pulumi-resource-commvault``), ``program``
    this process (the inline program, the Automation API and the watcher), ``emulator`` the
    CommServe emulator.
    """

    wall_s: float
    api_call_s: float
    to_first_resource_s: float
    resources_s: float
    after_last_resource_s: float
    changes: dict[str, int]
    cpu_engine_s: float
    cpu_provider_s: float
    cpu_program_s: float
    cpu_emulator_s: float
    provider_processes: int
    provider_peak_rss_mib: float
    engine_peak_rss_mib: float
    requests: dict[str, int] = field(default_factory=dict)
    peak_request_rate: float = 0.0
    log: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """The emulator's request log of this run (not saved: large)."""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["log"]
        return data


def timed_up(
    stack: auto.Stack,
    emulator_process: EmulatorProcess | None = None,
    *,
    events: bool = True,
    parallel: int | None = None,
) -> Run:
    """``pulumi up`` of ``stack``, with its phases and the processes' CPU and memory.

    ``wall_s`` is the life of the ``pulumi up`` CLI process alone: the Automation API then
    runs ``pulumi stack output`` and ``pulumi stack history`` and stops its event server
    (with a grace period of up to 5 s), which ``api_call_s`` includes. Phases come from the
    engine's event stream, stamped on arrival here: the start of the first resource
    operation (after the engine, the program and the stack's own resource are up), and the
    end of the last one. The emulator's request log is cleared first and read afterwards.
    """
    stamps: list[tuple[float, str]] = []

    def on_event(event: auto.EngineEvent) -> None:
        now = time.monotonic()
        pre, out = event.resource_pre_event, event.res_outputs_event
        if pre is not None and pre.metadata.type != STACK_TYPE:
            stamps.append((now, "pre"))
        elif out is not None and out.metadata.type != STACK_TYPE:
            stamps.append((now, "out"))

    cli: list[float] = []
    run_cli = stack._run_pulumi_cmd_sync  # the Automation API's one call of `pulumi up`

    def timed_cli(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return run_cli(*args, **kwargs)
        finally:
            if not cli:
                cli.extend((started, time.monotonic()))

    stack._run_pulumi_cmd_sync = timed_cli  # type: ignore[method-assign]
    emulator_cpu = 0.0
    if emulator_process is not None:
        emulator_process.control.clear_requests()
        emulator_cpu = processes.cpu_seconds(emulator_process.pid)
    program_cpu = time.process_time()
    try:
        with ProcessWatcher() as watcher:
            call_start = time.monotonic()
            result = stack.up(
                on_event=on_event if events else None, color="never", parallel=parallel
            )
            call_end = time.monotonic()
    finally:
        stack._run_pulumi_cmd_sync = run_cli  # type: ignore[method-assign]
    program_cpu = time.process_time() - program_cpu
    start, end = cli
    pres = [t for t, kind in stamps if kind == "pre"] or [end]
    outs = [t for t, kind in stamps if kind == "out"] or [end]
    providers = watcher.of("provider")
    engines = watcher.of("engine")
    run = Run(
        wall_s=end - start,
        api_call_s=call_end - call_start,
        to_first_resource_s=min(pres) - start,
        resources_s=max(outs) - min(pres),
        after_last_resource_s=end - max(outs),
        changes={k: int(v) for k, v in (result.summary.resource_changes or {}).items()},
        cpu_engine_s=sum(s.cpu_s for s in engines),
        cpu_provider_s=sum(s.cpu_s for s in providers),
        cpu_program_s=program_cpu,
        cpu_emulator_s=0.0,
        provider_processes=len(providers),
        provider_peak_rss_mib=max((s.peak_rss_mib for s in providers), default=0.0),
        engine_peak_rss_mib=max((s.peak_rss_mib for s in engines), default=0.0),
    )
    if emulator_process is not None:
        run.cpu_emulator_s = processes.cpu_seconds(emulator_process.pid) - emulator_cpu
        run.log = emulator_process.control.requests()
        run.requests = endpoint_counts(run.log)
        run.peak_request_rate = peak_rate(run.log)
    return run


# --- numbers, tables, results ------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """``min-max`` of a few repetitions, for the table."""
    return f"{min(values):.1f}-{max(values):.1f}" if len(values) > 1 else "-"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (pipes), printed and returned."""
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    text = f"{title}\n\n" + "\n".join(lines)
    print(text + "\n", flush=True)
    return text


def verdict(met: bool | None) -> str:
    """A target's cell: met, MISSED, or - when the row has no target."""
    return "-" if met is None else ("met" if met else "MISSED")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (with the machine) and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    print(f"\nwrote {path.relative_to(REPO)}", flush=True)
    return path


def publish(
    name: str, result: dict[str, Any], tables: Callable[[dict[str, Any]], list[str]]
) -> Path:
    """Print ``result``'s tables, keep them in it (``bench.report`` copies them into
    ``docs/performance.md``) and save it as ``bench/results/<name>.json``."""
    print()
    result["tables"] = tables(result)
    return save(name, result)


def say(message: str) -> None:
    print(message, flush=True)
