"""How the language host runs a plugin directory (``RunPlugin``): a policy pack
(``PulumiPolicy.yaml``, kind ``analyzer``) or a ``runtime: python`` provider plugin.

The command is the one Pulumi's Go host builds (sdk/python/cmd/pulumi-language-python,
``RunPlugin``): a policy pack runs as ``python -u -m pulumi.policy <args> <pack dir>`` in the
pack's directory (packs always ran there); any other plugin runs its ``__main__.py`` as
``python <plugin dir> <args>`` in the engine's working directory, or, without one,
``python -m pulumi.run.plugin <pyproject name> <args>``. The engine's ``env`` entries are
appended to the interpreter's environment and win. Kept free of gRPC so it is tested as tables.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ANALYZER_KIND = "analyzer"
# A plugin that names no virtualenv runs in <plugin dir>/venv, as with the Go host; a policy
# pack without one runs on the host's interpreter (programs' back compatibility there).
PLUGIN_DEFAULT_VIRTUALENV = "venv"
CHUNK_BYTES = 32 * 1024
# What the Go host's exec reports for a plugin killed by a signal.
KILLED_EXIT_CODE = -1


class PluginError(Exception):
    """A plugin directory that cannot be run; the message says what to fix."""


@dataclass(frozen=True)
class PluginCommand:
    argv: list[str]
    cwd: str
    env: dict[str, str]


@dataclass(frozen=True)
class PluginRequest:
    """What the engine's ``RunPluginRequest`` says, as plain values."""

    kind: str
    program_directory: str
    pwd: str
    args: Sequence[str]
    env: Sequence[str]


def default_virtualenv(kind: str) -> str | None:
    return None if kind == ANALYZER_KIND else PLUGIN_DEFAULT_VIRTUALENV


def with_engine_env(base: Mapping[str, str], entries: Sequence[str]) -> dict[str, str]:
    """``base`` with the engine's ``KEY=value`` entries appended (an entry wins over ``base``)."""
    env = dict(base)
    for entry in entries:
        name, has_value, value = entry.partition("=")
        if name and has_value:
            env[name] = value
    return env


def pyproject_name(plugin_dir: Path) -> str:
    try:
        project = tomllib.loads((plugin_dir / "pyproject.toml").read_text())["project"]
        return str(project["name"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise PluginError(
            f"plugin {str(plugin_dir)!r} is not runnable: it provides neither __main__.py nor a "
            f"pyproject.toml with [project] name ({exc})"
        ) from exc


def plugin_argv(
    python: str, request: PluginRequest, has_run_plugin_module: bool | None = None
) -> tuple[list[str], str]:
    """The command line and working directory for ``request`` (see the module docstring).
    ``has_run_plugin_module`` is asked only for a plugin without ``__main__.py``."""
    plugin_dir = request.program_directory
    if request.kind == ANALYZER_KIND:
        return [python, "-u", "-m", "pulumi.policy", *request.args, plugin_dir], plugin_dir
    if (Path(plugin_dir) / "__main__.py").is_file() or not has_run_plugin_module:
        return [python, plugin_dir, *request.args], request.pwd or plugin_dir
    name = pyproject_name(Path(plugin_dir))
    return [python, "-m", "pulumi.run.plugin", name, *request.args], request.pwd or plugin_dir


def needs_run_plugin_module(request: PluginRequest) -> bool:
    return request.kind != ANALYZER_KIND and not (
        (Path(request.program_directory) / "__main__.py").is_file()
    )


def stream_output(process: subprocess.Popen[bytes]) -> Iterator[tuple[str, bytes]]:
    """``("stdout" | "stderr", chunk)`` as the plugin writes them (the engine reads the
    analyzer's port from the first stdout line, so nothing waits for a full buffer)."""
    chunks: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
    pipes = {"stdout": process.stdout, "stderr": process.stderr}
    readers = [
        threading.Thread(target=_pump, args=(name, pipe.fileno(), chunks), daemon=True)
        for name, pipe in pipes.items()
        if pipe is not None
    ]
    for reader in readers:
        reader.start()
    open_pipes = len(readers)
    while open_pipes:
        name, chunk = chunks.get()
        if chunk:
            yield name, chunk
        else:
            open_pipes -= 1


def _pump(name: str, fd: int, chunks: queue.SimpleQueue[tuple[str, bytes]]) -> None:
    try:
        while chunk := os.read(fd, CHUNK_BYTES):
            chunks.put((name, chunk))
    except OSError:
        pass  # a pipe that breaks ends that stream, as its EOF does
    finally:
        chunks.put((name, b""))


def exit_code(returncode: int) -> int:
    return KILLED_EXIT_CODE if returncode < 0 else returncode
