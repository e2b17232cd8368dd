"""``pulumi-language-python`` in Python: the language host the Pulumi engine starts to run a
Python program (``pulumi preview/up/refresh/destroy`` of a ``runtime: python`` project).

Pulumi's own host is a Go program whose module the Go module proxy refuses here (see
docs/pulumi-engine-notes.md), so this one takes its place: tools/pulumi-cli/build.sh copies it
next to the pulumi it builds, tools/setup.sh links it into .venv/bin/. Like the Go host it
prints its gRPC port as the first stdout line, and ``Run`` starts the project's python on
``pulumi-language-python-exec`` (Pulumi's runner script) with the same arguments and
environment. ``RunPlugin`` runs a policy pack or a ``runtime: python`` plugin directory as the
Go host does (plugins.py). Dependency installation, plugin discovery and code generation are not
implemented (see ``LanguageHost``).

Usage, as the engine calls it: ``pulumi-language-python [flags] <engine address>``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import types
from collections.abc import Iterator, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2  # type: ignore[import-untyped]  # no stubs installed


def skip_sdk_package_init() -> None:
    """Makes ``pulumi.runtime.proto`` importable without running ``pulumi/__init__.py`` and
    ``pulumi/runtime/__init__.py``: they import the whole SDK (0.3 s more to start, and the
    engine starts the host twice per ``pulumi up``), while the host only needs the gRPC stubs."""
    spec = importlib.util.find_spec("pulumi")
    if "pulumi" in sys.modules or spec is None or not spec.submodule_search_locations:
        return
    root = Path(next(iter(spec.submodule_search_locations)))
    for name, path in (("pulumi", root), ("pulumi.runtime", root / "runtime")):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package


skip_sdk_package_init()
import plugins  # noqa: E402  # next to this file, on sys.path as the script's directory
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2  # noqa: E402

EXECUTOR = "pulumi-language-python-exec"
# pulumi-language-python-exec exits with this after it has shown the error to the user.
USER_ACTIONABLE_EXIT_CODE = 32
# Go-style flags (-name value / --name=value) that take a value; the engine passes --tracing,
# the others are the Go host's (obsolete) flags, accepted so that their values are skipped.
VALUE_FLAGS = {"tracing", "use-executor", "virtualenv", "root", "typechecker", "toolchain"}
STOP_GRACE_SECONDS = 5.0
#: The file a running program finds created once the engine cancelled the update (its
#: ``Cancel``, sent on the first Ctrl-C): the program runs in a process group of its own, so
#: no SIGINT reaches it, and the engine waits for the step in flight (e.g. a resource hook
#: the program serves) to end. ``pulumi_commvault``'s hooks look at it and stop waiting.
CANCEL_FILE_VARIABLE = "PULUMI_COMMVAULT_CANCEL_FILE"


class HostError(Exception):
    """A problem with the project's setup, reported to the engine as the RPC's error."""


def abort(context: grpc.ServicerContext, error: HostError) -> NoReturn:
    context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(error))
    raise AssertionError("unreachable: ServicerContext.abort raises")


@dataclass(frozen=True)
class HostArgs:
    engine_address: str
    tracing: str
    executor: str


@dataclass(frozen=True)
class Interpreter:
    """The python that runs the program, and the environment to run it in."""

    python: str
    env: dict[str, str]


def parse_args(argv: Sequence[str]) -> HostArgs:
    flags: dict[str, str] = {}
    positional: list[str] = []
    args = iter(argv)
    for arg in args:
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        name, has_value, value = arg.lstrip("-").partition("=")
        if name in VALUE_FLAGS and not has_value:
            value = next(args, "")
        flags[name] = value
    return HostArgs(
        engine_address=positional[0] if positional else "",
        tracing=flags.get("tracing", ""),
        executor=flags.get("use-executor", ""),
    )


def find_executor(given: str) -> str | None:
    """``-use-executor``, else the runner next to this python (the venv's bin), else on PATH."""
    if given:
        return given
    beside = Path(sys.executable).parent / EXECUTOR
    if beside.is_file():
        return str(beside)
    return shutil.which(EXECUTOR)


def runtime_options(info: language_pb2.ProgramInfo) -> dict[str, Any]:
    """``runtime.options`` of Pulumi.yaml, after checking we support them."""
    options: dict[str, Any] = dict(info.options.items())
    for name in ("virtualenv", "toolchain", "typechecker"):
        if name in options and not isinstance(options[name], str):
            raise HostError(f"the '{name}' runtime option must be a string")
    if options.get("toolchain", "pip") != "pip":
        raise HostError(
            f"runtime option toolchain: {options['toolchain']} is not supported by this "
            "language host (tools/pulumi-language-python); use toolchain: pip with virtualenv"
        )
    if "typechecker" in options:
        raise HostError(
            "runtime option typechecker is not supported by this language host "
            "(tools/pulumi-language-python); run the type checker yourself"
        )
    return options


def activate_virtualenv(environ: Mapping[str, str], venv: Path) -> dict[str, str]:
    """The environment of a shell that ran ``<venv>/bin/activate``."""
    env = {k: v for k, v in environ.items() if k != "PYTHONHOME"}
    bin_dir = str(venv / "bin")
    env["PATH"] = os.pathsep.join(filter(None, [bin_dir, env.get("PATH", "")]))
    env["VIRTUAL_ENV"] = str(venv)
    return env


def resolve_interpreter(
    info: language_pb2.ProgramInfo,
    default_virtualenv: str | None = None,
    project_file: str = "Pulumi.yaml",
) -> Interpreter:
    """The ``virtualenv`` option (relative to the project dir), else ``$PULUMI_PYTHON_CMD``,
    else the python running this host."""
    named = runtime_options(info).get("virtualenv")
    virtualenv = named or default_virtualenv
    if not virtualenv:
        command = os.environ.get("PULUMI_PYTHON_CMD")
        python = (shutil.which(command) or command) if command else sys.executable
        return Interpreter(python, dict(os.environ))
    venv = Path(info.root_directory or os.getcwd()) / virtualenv
    venv_python = venv / "bin" / "python"
    if not venv_python.is_file():
        problem = "doesn't exist" if not venv.exists() else "has no bin/python"
        option = "is set to" if named else "is not set, so the plugin runs in"
        raise HostError(
            f"The 'virtualenv' option in {project_file} {option} {virtualenv!r}, but {str(venv)!r} "
            f"{problem}; create the virtual environment and install the program's dependencies "
            "into it (for this repository: bash tools/setup.sh)"
        )
    return Interpreter(str(venv_python), activate_virtualenv(os.environ, venv))


def executor_arguments(
    request: language_pb2.RunRequest, engine_address: str, tracing: str
) -> list[str]:
    """The command line pulumi-language-python-exec expects, as the Go host builds it."""
    flags = {
        "monitor": request.monitor_address,
        "engine": engine_address,
        "project": request.project,
        "root_directory": request.info.root_directory,
        "stack": request.stack,
        "pwd": request.pwd,
        "dry_run": "true" if request.dryRun else "false",
        "parallel": str(request.parallel),
        "tracing": tracing,
        "organization": request.organization,
    }
    args = [item for name, value in flags.items() if value for item in (f"--{name}", value)]
    entry_point = request.info.entry_point or request.program or "."
    return [*args, entry_point, *request.args]


def config_environment(request: language_pb2.RunRequest) -> dict[str, str]:
    return {
        "PULUMI_CONFIG": json.dumps(dict(request.config)),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys)),
    }


def run_response(returncode: int) -> language_pb2.RunResponse:
    """What the engine shows for the program's exit status (the Go host's wording)."""
    if returncode == 0:
        return language_pb2.RunResponse()
    if returncode == USER_ACTIONABLE_EXIT_CODE:
        # The program's error is already on screen; bail makes the engine add nothing to it.
        return language_pb2.RunResponse(bail=True)
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return language_pb2.RunResponse(error=f"program exited unexpectedly: killed by {name}")
    return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {returncode}")


def query_python(interpreter: Interpreter, code: str) -> str:
    try:
        result = subprocess.run(
            [interpreter.python, "-c", code],
            env=interpreter.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HostError(f"cannot run {interpreter.python}: {exc}") from exc
    if result.returncode != 0:
        raise HostError(f"{interpreter.python} failed: {result.stderr.strip()}")
    return result.stdout


def can_import(interpreter: Interpreter, module: str) -> bool:
    """False only when ``module`` is missing (an older SDK in the plugin's venv), as the Go host."""
    try:
        query_python(interpreter, f"import {module}")
    except HostError as exc:
        return "ModuleNotFoundError" not in str(exc)
    return True


def plugin_command(request: language_pb2.RunPluginRequest) -> plugins.PluginCommand:
    """The plugin's interpreter (``virtualenv`` of PulumiPolicy.yaml / PulumiPlugin.yaml,
    relative to the plugin's directory), command line, working directory and environment."""
    plain = plugins.PluginRequest(
        kind=request.kind,
        program_directory=request.info.program_directory or request.info.root_directory,
        pwd=request.pwd,
        args=list(request.args),
        env=list(request.env),
    )
    is_pack = plain.kind == plugins.ANALYZER_KIND
    interpreter = resolve_interpreter(
        request.info,
        plugins.default_virtualenv(plain.kind),
        "PulumiPolicy.yaml" if is_pack else "PulumiPlugin.yaml",
    )
    has_module = None
    if plugins.needs_run_plugin_module(plain):
        has_module = can_import(interpreter, "pulumi.run.plugin")
    argv, cwd = plugins.plugin_argv(interpreter.python, plain, has_module)
    return plugins.PluginCommand(argv, cwd, plugins.with_engine_env(interpreter.env, plain.env))


ABOUT_CODE = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"
DEPENDENCIES_CODE = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted({(d.metadata['Name'], d.version) for d in m.distributions()})))"
)


class Programs:
    """The running programs, so that they can be stopped when the host is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self._stopping = False
        self._cancel_files: set[Path] = set()

    def run(self, argv: Sequence[str], env: Mapping[str, str]) -> int:
        """Runs a program to its end; its stdout/stderr go to ours, which the engine reads.
        Its ``CANCEL_FILE_VARIABLE`` names the file ``cancel`` creates."""
        with tempfile.TemporaryDirectory(prefix="pulumi-program-") as scratch:
            cancel_file = Path(scratch) / "cancelled"
            with self._lock:
                self._cancel_files.add(cancel_file)
            process = self.start(argv, {**env, CANCEL_FILE_VARIABLE: str(cancel_file)})
            try:
                return process.wait()
            finally:
                self.forget(process)
                with self._lock:
                    self._cancel_files.discard(cancel_file)

    def cancel(self) -> None:
        """The engine cancelled the update: tell every running program."""
        with self._lock:
            for cancel_file in self._cancel_files:
                cancel_file.touch()

    def start(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: str | None = None,
        piped: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Starts a program (``piped``: its stdout/stderr readable); ``forget`` it once ended."""
        output = subprocess.PIPE if piped else None
        with self._lock:
            if self._stopping:
                raise HostError("the language host is shutting down")
            process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=output
            )
            self._running.add(process)
        return process

    def forget(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(process)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The RPCs the engine uses for preview/up/refresh/destroy and to start policy packs and
    python plugins. Not implemented (the engine gets UNIMPLEMENTED): Template,
    GenerateProgram/Project/Package, Pack, Link."""

    def __init__(self, executor: str, engine_address: str, tracing: str) -> None:
        self._executor = executor
        self._engine_address = engine_address
        self._tracing = tracing
        self.programs = Programs()

    def Handshake(
        self, request: language_pb2.LanguageHandshakeRequest, context: grpc.ServicerContext
    ) -> language_pb2.LanguageHandshakeResponse:
        # Only sent when the engine attaches to an already running host (PULUMI_DEBUG_LANGUAGES).
        self._engine_address = request.engine_address or self._engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(
        self, request: empty_pb2.Empty, context: grpc.ServicerContext
    ) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=importlib.metadata.version("pulumi"))

    def GetRequiredPlugins(
        self, request: language_pb2.GetRequiredPluginsRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPluginsResponse:
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPackagesResponse:
        # Dynamic providers need no plugin download; anything else is loaded on first use.
        return language_pb2.GetRequiredPackagesResponse()

    def Run(
        self, request: language_pb2.RunRequest, context: grpc.ServicerContext
    ) -> language_pb2.RunResponse:
        try:
            interpreter = resolve_interpreter(request.info)
            argv = [
                interpreter.python,
                self._executor,
                *executor_arguments(request, self._engine_address, self._tracing),
            ]
            returncode = self.programs.run(argv, {**interpreter.env, **config_environment(request)})
        except HostError as exc:
            abort(context, exc)
        except OSError as exc:
            return language_pb2.RunResponse(
                error=f"problem executing program (could not run language executor): {exc}"
            )
        return run_response(returncode)

    def RunPlugin(
        self, request: language_pb2.RunPluginRequest, context: grpc.ServicerContext
    ) -> Iterator[language_pb2.RunPluginResponse]:
        """Streams the plugin's stdout/stderr, then its exit code when not 0 (the Go host's
        protocol: a stream that just ends means 0)."""
        try:
            command = plugin_command(request)
            process = self.programs.start(command.argv, command.env, command.cwd, piped=True)
        except (HostError, plugins.PluginError) as exc:
            abort(context, HostError(str(exc)))
        except OSError as exc:
            abort(context, HostError(f"problem executing plugin program: {exc}"))
        # The engine cancels the call to stop the plugin (and it may go away first).
        context.add_callback(process.terminate)
        try:
            for stream, chunk in plugins.stream_output(process):
                if stream == "stdout":
                    yield language_pb2.RunPluginResponse(stdout=chunk)
                else:
                    yield language_pb2.RunPluginResponse(stderr=chunk)
            returncode = plugins.exit_code(process.wait())
        finally:
            self.programs.forget(process)
        if returncode:
            yield language_pb2.RunPluginResponse(exitcode=returncode)

    def InstallDependencies(
        self, request: language_pb2.InstallDependenciesRequest, context: grpc.ServicerContext
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        note = b"pulumi-language-python (tools/): installs nothing; the venv is set up elsewhere\n"
        yield language_pb2.InstallDependenciesResponse(stdout=note)

    def RuntimeOptionsPrompts(
        self, request: language_pb2.RuntimeOptionsRequest, context: grpc.ServicerContext
    ) -> language_pb2.RuntimeOptionsResponse:
        return language_pb2.RuntimeOptionsResponse()

    def About(
        self, request: language_pb2.AboutRequest, context: grpc.ServicerContext
    ) -> language_pb2.AboutResponse:
        try:
            interpreter = resolve_interpreter(request.info)
            executable, version = query_python(interpreter, ABOUT_CODE).split()
        except HostError as exc:
            abort(context, exc)
        return language_pb2.AboutResponse(executable=executable, version=version)

    def GetProgramDependencies(
        self, request: language_pb2.GetProgramDependenciesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetProgramDependenciesResponse:
        """Every distribution in the program's environment (transitive or not)."""
        try:
            listing = query_python(resolve_interpreter(request.info), DEPENDENCIES_CODE)
        except HostError as exc:
            abort(context, exc)
        dependencies = [
            language_pb2.DependencyInfo(name=name, version=version)
            for name, version in json.loads(listing)
        ]
        return language_pb2.GetProgramDependenciesResponse(dependencies=dependencies)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        # The first Ctrl-C: the engine lets the step in flight end, so a program waiting in a
        # hook is told through its cancel file; it is stopped by the engine's SIGINT to our
        # process group (it shares it), which follows when the engine closes the plugin.
        self.programs.cancel()
        return empty_pb2.Empty()


def serve(args: HostArgs, executor: str) -> None:
    """Serves until SIGINT/SIGTERM (how the engine stops plugins) or until the engine is gone."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    engine_pid = os.getppid()

    host = LanguageHost(executor, args.engine_address, args.tracing)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)

    # The engine starts us directly, so a new parent means it died without stopping us.
    while not stop.wait(timeout=1.0) and os.getppid() == engine_pid:
        pass
    host.programs.stop()
    server.stop(grace=STOP_GRACE_SECONDS).wait()


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    executor = find_executor(args.executor)
    if executor is None:
        print(f"pulumi-language-python: no {EXECUTOR} next to python or on PATH", file=sys.stderr)
        return 1
    serve(args, executor)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
