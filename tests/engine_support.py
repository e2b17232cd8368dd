"""Running Pulumi programs through the real CLI, on a local file backend.

``deploy`` runs an inline program with the Automation API; ``CliProject`` is a project
directory on disk driven by plain ``pulumi`` commands (for runs a test interrupts);
``BackupProgram`` is the inline program most engine tests deploy. The engine's environment
and the ``/proc`` walk live in ``harness/``, which the benches share.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

from harness.engine import REPO, VENV, cli_env, workspace_options
from pulumi_commvault import OracleBackupTrigger


def run_pulumi(
    cwd: Path, env: dict[str, str], *args: str, check: bool = True, timeout_s: float = 300
) -> subprocess.CompletedProcess[str]:
    """``pulumi <args> --non-interactive`` in ``cwd``; with ``check``, a failure fails the test
    with everything the CLI printed."""
    done = subprocess.run(
        ["pulumi", *args, "--non-interactive"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout_s,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def example_stack(
    example: Path, env: dict[str, str], config: list[str], settings: list[list[str]]
) -> None:
    """An example project's stack ``example``, configured as its README says: ``pulumi stack
    init``, then one ``pulumi config set <config> <setting>`` a setting."""
    run_pulumi(example, env, "stack", "init", "example")
    for setting in settings:
        run_pulumi(example, env, "config", "set", *config, *setting)


def connection_settings(url: str, user: tuple[str, str]) -> list[list[str]]:
    """The ``pulumi config set`` arguments that point a stack at the CommServe ``url``."""
    return [
        ["commvault:url", url],
        ["commvault:username", user[0]],
        ["--secret", "commvault:password", user[1]],
    ]


class BackupProgram:
    """An inline program with one backup, ``snap``; a test changes ``inputs`` between runs."""

    def __init__(self, **inputs: Any) -> None:
        self.inputs: dict[str, Any] = {
            "client_name": "oradb01",
            "instance_name": "ORCL",
            "triggers": ["v1"],
            "timeout_minutes": 2,
            **inputs,
        }

    def __call__(self) -> None:
        snap = OracleBackupTrigger("snap", **self.inputs)
        pulumi.export("job_ids", snap.job_ids)
        pulumi.export("task_id", snap.task_id)


@dataclass
class Deployment:
    """One stack of one inline program; every CLI line it printed is kept in ``output``."""

    stack: auto.Stack
    state_dir: Path
    project: str
    output: list[str] = field(default_factory=list)
    _hooks: list[tuple[str, Callable[[], None]]] = field(default_factory=list)

    def _say(self, line: str) -> None:
        self.output.append(line)
        for hook in [h for h in self._hooks if h[0] in line]:
            self._hooks.remove(hook)
            hook[1]()

    def when_output(self, text: str, action: Callable[[], None]) -> None:
        """Run ``action`` once, as soon as a CLI line containing ``text`` is printed."""
        self._hooks.append((text, action))

    @property
    def text(self) -> str:
        """Everything the CLI printed so far, as one string."""
        return "\n".join(self.output)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._say, color="never", **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._say, color="never", **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._say, color="never", **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._say, color="never", **kwargs)

    def resources(self) -> list[dict[str, Any]]:
        deployment = self.stack.export_stack().deployment
        return list(deployment.get("resources") or [])

    def outputs_of(self, name: str) -> dict[str, Any]:
        for resource in self.resources():
            if resource["urn"].endswith(f"::{name}"):
                return dict(resource.get("outputs") or {})
        raise KeyError(name)

    def names(self) -> list[str]:
        """The names of the resources the state holds."""
        return [r["urn"].rsplit("::", 1)[-1] for r in self.resources()]

    def pending_operations(self) -> list[dict[str, Any]]:
        deployment = self.stack.export_stack().deployment
        return list(deployment.get("pending_operations") or [])

    def config_file_text(self) -> str:
        """``Pulumi.<stack>.yaml`` as the workspace wrote it."""
        return (Path(self.stack.workspace.work_dir) / f"Pulumi.{self.stack.name}.yaml").read_text()

    def state_text(self) -> str:
        stacks = self.state_dir / ".pulumi" / "stacks" / self.project
        return "\n".join(p.read_text() for p in sorted(stacks.glob("*.json")))

    def exported_text(self) -> str:
        """``pulumi stack export`` as a user runs it (the Automation API's shows secrets)."""
        return self.cli("stack", "export")

    def cli(self, *args: str) -> str:
        """Run the pulumi CLI on this stack; its standard output."""
        return self.cli_run(*args, check=True).stdout

    def cli_run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run the pulumi CLI on this stack; the finished process (stdout and stderr)."""
        return run_pulumi(
            self.state_dir,
            cli_env(self.state_dir, self.state_dir.parent / "home"),
            *args,
            "--stack",
            f"organization/{self.project}/{self.stack.name}",
            check=check,
        )

    def engine_logs_text(self) -> str:
        """The engine's own log files, which 3.274 writes under ``$PULUMI_HOME/logs``."""
        logs = self.state_dir.parent / "home" / "logs"
        return "\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("*")))


def deploy(
    tmp_path: Path,
    program: Callable[[], None],
    config: dict[str, auto.ConfigValue],
    *,
    project: str = "commvault-e2e",
    stack_name: str = "e2e",
    extra_env: dict[str, str] | None = None,
) -> Deployment:
    state_dir = tmp_path / "state"
    state_dir.mkdir(exist_ok=True)
    options = workspace_options(state_dir, tmp_path / "home", project, extra_env)
    stack = auto.create_or_select_stack(
        stack_name=stack_name, project_name=project, program=program, opts=options
    )
    stack.set_all_config(config)
    return Deployment(stack, state_dir, project)


CLI_PROJECT_YAML = """\
name: {name}
runtime:
  name: python
  options:
    virtualenv: {venv}
"""

#: A program with one backup; ``trigger`` and ``timeoutMinutes`` come from the stack config.
TRIGGER_PROGRAM = """\
import pulumi

from pulumi_commvault import OracleBackupTrigger

config = pulumi.Config()
snap = OracleBackupTrigger(
    "snap",
    client_name="oradb01",
    instance_name="ORCL",
    triggers=[config.get("trigger") or "v1"],
    timeout_minutes=config.get_float("timeoutMinutes") or 5,
)
pulumi.export("job_ids", snap.job_ids)
"""


@dataclass
class CliRun:
    """A ``pulumi`` command running in the background, its output going to a file."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared:\n{self.output()}")
            time.sleep(0.1)

    def wait(self, timeout_s: float = 120.0) -> int:
        return self.process.wait(timeout=timeout_s)


@dataclass
class CliProject:
    """A Pulumi project directory whose program imports ``pulumi_commvault``, driven by the
    plain CLI as a user runs it (through the repo's language host), state in ``root/state``."""

    root: Path
    stack: str = "dev"
    name: str = "commvault-cli"

    def __post_init__(self) -> None:
        self.dir = self.root / "project"
        self.state_dir = self.root / "state"
        for folder in (self.dir, self.state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.dir / "Pulumi.yaml").write_text(CLI_PROJECT_YAML.format(name=self.name, venv=VENV))
        (self.dir / "__main__.py").write_text(TRIGGER_PROGRAM)

    def env(self) -> dict[str, str]:
        return cli_env(self.state_dir, self.root / "home")

    def on_stack(self, *args: str) -> list[str]:
        return [*args, "--stack", self.stack]

    def run(
        self,
        *args: str,
        check: bool = True,
        on_stack: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        command = self.on_stack(*args) if on_stack else list(args)
        return run_pulumi(self.dir, {**self.env(), **(extra_env or {})}, *command, check=check)

    def start(self, *args: str) -> CliRun:
        """Start a command in its own session, as a terminal would, without waiting for it."""
        log = self.root / f"run-{time.monotonic_ns()}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["pulumi", *self.on_stack(*args), "--non-interactive"],
                cwd=self.dir,
                env=self.env(),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return CliRun(process, log)

    def init(self, config: dict[str, str], secrets: dict[str, str]) -> None:
        self.run("stack", "init", self.stack, on_stack=False)
        for key, value in config.items():
            self.run("config", "set", key, value)
        for key, value in secrets.items():
            self.run("config", "set", "--secret", key, value)

    def export(self) -> dict[str, Any]:
        """``pulumi stack export``: the deployment (secrets stay encrypted)."""
        return dict(json.loads(self.run("stack", "export").stdout)["deployment"])

    def resource_outputs(self, name: str) -> dict[str, Any] | None:
        for resource in self.export().get("resources") or []:
            if resource["urn"].endswith(f"::{name}"):
                return dict(resource.get("outputs") or {})
        return None

    def lock_files(self) -> list[Path]:
        locks = self.state_dir / ".pulumi" / "locks"
        return sorted(p for p in locks.rglob("*.json")) if locks.exists() else []


@dataclass
class YamlProject(CliProject):
    """examples/yaml-pre-change (a Pulumi YAML program served by the provider plugin) copied
    into ``root/project``, driven by the plain CLI; ``extra_env`` added to its environment."""

    name: str = "yaml-pre-change"
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dir = self.root / "project"
        self.state_dir = self.root / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        example = REPO / "examples" / "yaml-pre-change"
        shutil.copytree(example, self.dir, ignore=shutil.ignore_patterns("*.log", "Pulumi.*.yaml"))

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra_env}

    def jobs_output(self) -> list[str]:
        return list((self.resource_outputs("preChange") or {}).get("jobIds") or [])


def pickled_provider(resource: dict[str, Any]) -> bytes:
    """The provider object the engine keeps in a dynamic resource's state (a base64 pickle)."""
    encoded = (resource.get("outputs") or {}).get("__provider") or (
        resource.get("inputs") or {}
    ).get("__provider")
    return base64.b64decode(encoded) if isinstance(encoded, str) else b""


def first_diagnostic(text: str, resource: str) -> str:
    """What the user reads first about a failed ``OracleBackupTrigger`` named ``resource``:
    the line under its heading in the CLI's Diagnostics. It must be the error itself, on
    one line, with no traceback before it."""
    lines = text.splitlines()
    heading = f"pulumi-python:dynamic/commvault:OracleBackupTrigger ({resource}):"
    starts = [i for i, line in enumerate(lines) if line.strip() == heading]
    assert starts, f"no diagnostics for {resource} in:\n{text}"
    first = lines[starts[0] + 1].strip()
    assert first.startswith("error: "), first
    assert "Traceback" not in first, first
    # (`refresh --run-program` in 3.274.1 lists the same error twice: the engine's doing.)
    assert lines[starts[0] + 2].strip() in ("", first), "the error is more than its one line"
    return without_sdk_prefix(first.removeprefix("error: "))


#: What Pulumi SDKs before 3.260 (no ``_abort_with_traceback``) put before a provider's error:
#: grpc's own words, on the same line, our sentence right after them (docs/compatibility.md).
OLD_SDK_ERROR_PREFIX = "Exception calling application: "


def without_sdk_prefix(message: str) -> str:
    """A provider error as our code wrote it, whichever supported SDK carried it."""
    return message.removeprefix(OLD_SDK_ERROR_PREFIX)
