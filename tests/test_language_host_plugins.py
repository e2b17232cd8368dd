"""The language host's ``RunPlugin`` over gRPC, as the engine calls it to start a policy pack or a
``runtime: python`` plugin: the host process from tools/pulumi-language-python/, real plugin
processes; and the command it builds, as a table (tools/pulumi-language-python/plugins.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

REPO = Path(__file__).resolve().parent.parent
HOST_DIR = REPO / "tools" / "pulumi-language-python"
PACK_VENV = REPO / "policy" / "restore-points" / "venv"
sys.path.insert(0, str(HOST_DIR))
import plugins  # noqa: E402

REPORTER = """
import json, os, sys
print(json.dumps({"cwd": os.getcwd(), "argv": sys.argv[1:], "marker": os.environ.get("MARKER"),
                  "venv": os.environ.get("VIRTUAL_ENV")}), flush=True)
print("to stderr", file=sys.stderr, flush=True)
sys.exit(int(os.environ.get("EXIT_WITH", "0")))
"""


@pytest.fixture(scope="module")
def host() -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    """The host process, started as the engine starts it (its port is its first stdout line)."""
    process = subprocess.Popen(
        [sys.executable, str(HOST_DIR / "language_host.py"), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)


def plugin_dir(root: Path, venv: Path, main: str = REPORTER) -> Path:
    root.mkdir()
    (root / "__main__.py").write_text(main)
    (root / "venv").symlink_to(venv)
    return root


def run_plugin(
    host: language_pb2_grpc.LanguageRuntimeStub, directory: Path, kind: str, **request: object
) -> tuple[str, str, list[int]]:
    info = language_pb2.ProgramInfo(
        root_directory=str(directory), program_directory=str(directory), entry_point="."
    )
    if kind == "analyzer":
        info.options.update({"virtualenv": "venv"})  # as PulumiPolicy.yaml names it
    responses = host.RunPlugin(language_pb2.RunPluginRequest(info=info, kind=kind, **request))
    stdout, stderr, codes = b"", b"", []
    for response in responses:
        assert not codes, "nothing may follow the exit code"
        stdout += response.stdout
        stderr += response.stderr
        if response.WhichOneof("output") == "exitcode":
            codes.append(response.exitcode)
    return stdout.decode(), stderr.decode(), codes


def test_a_plugin_runs_its_main_in_pwd_with_the_engine_env_and_reports_its_exit_code(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    directory = plugin_dir(tmp_path / "plugin", Path(sys.prefix))
    pwd = tmp_path / "engine-cwd"
    pwd.mkdir()

    stdout, stderr, codes = run_plugin(
        host,
        directory,
        "resource",
        pwd=str(pwd),
        args=["127.0.0.1:9", "--flag"],
        env=["MARKER=from-engine", "EXIT_WITH=3"],
    )

    seen = json.loads(stdout)
    assert seen == {
        "cwd": str(pwd),
        "argv": ["127.0.0.1:9", "--flag"],
        "marker": "from-engine",
        "venv": str(directory / "venv"),
    }
    assert stderr == "to stderr\n"
    assert codes == [3]


def test_a_policy_pack_runs_in_its_directory_through_pulumi_policy(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    assert (PACK_VENV / "bin" / "python").exists(), "run tools/setup.sh (the pack's venv)"
    directory = plugin_dir(tmp_path / "pack", PACK_VENV)

    stdout, stderr, codes = run_plugin(
        host, directory, "analyzer", pwd=str(tmp_path), args=["127.0.0.1:9"], env=["MARKER=m"]
    )

    # pulumi.policy's runner took the engine address and the pack directory, then ran __main__.
    seen = json.loads(stdout)
    assert (seen["cwd"], seen["marker"], seen["venv"]) == (
        str(directory),
        "m",
        str(directory / "venv"),
    )
    assert "to stderr" in stderr
    assert codes == []  # a stream that just ends means exit code 0, as with the Go host


def test_a_pack_without_its_virtualenv_fails_naming_the_option(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "__main__.py").write_text(REPORTER)
    info = language_pb2.ProgramInfo(root_directory=str(directory), program_directory=str(directory))
    info.options.update({"virtualenv": "venv"})

    with pytest.raises(grpc.RpcError) as failure:
        list(host.RunPlugin(language_pb2.RunPluginRequest(info=info, kind="analyzer")))

    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert failure.value.details().startswith(
        "The 'virtualenv' option in PulumiPolicy.yaml is set to 'venv', but"
    )
    assert "bash tools/setup.sh" in failure.value.details()


def test_a_plugin_without_main_or_pyproject_is_refused(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    directory = tmp_path / "plugin"
    directory.mkdir()
    (directory / "venv").symlink_to(Path(sys.prefix))
    info = language_pb2.ProgramInfo(root_directory=str(directory), program_directory=str(directory))

    with pytest.raises(grpc.RpcError) as failure:
        list(host.RunPlugin(language_pb2.RunPluginRequest(info=info, kind="resource")))

    assert "neither __main__.py nor a pyproject.toml" in failure.value.details()


def request(kind: str, directory: Path, **fields: object) -> plugins.PluginRequest:
    values: dict[str, object] = {"pwd": "/engine", "args": ["addr"], "env": [], **fields}
    return plugins.PluginRequest(kind=kind, program_directory=str(directory), **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "has_main", "has_module", "argv", "cwd"),
    [
        ("analyzer", True, None, ["py", "-u", "-m", "pulumi.policy", "addr", "{dir}"], "{dir}"),
        ("analyzer", False, None, ["py", "-u", "-m", "pulumi.policy", "addr", "{dir}"], "{dir}"),
        ("resource", True, None, ["py", "{dir}", "addr"], "/engine"),
        (
            "resource",
            False,
            True,
            ["py", "-m", "pulumi.run.plugin", "demo-plugin", "addr"],
            "/engine",
        ),
        ("resource", False, False, ["py", "{dir}", "addr"], "/engine"),  # old SDK: the bare dir
    ],
)
def test_plugin_command_line(
    tmp_path: Path,
    kind: str,
    has_main: bool,
    has_module: bool | None,
    argv: list[str],
    cwd: str,
) -> None:
    if has_main:
        (tmp_path / "__main__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo-plugin"\n')
    plain = request(kind, tmp_path)

    assert plugins.needs_run_plugin_module(plain) == (kind != "analyzer" and not has_main)
    got = plugins.plugin_argv("py", plain, has_module)

    assert got == ([a.format(dir=tmp_path) for a in argv], cwd.format(dir=tmp_path))


@pytest.mark.parametrize(
    ("base", "entries", "expected"),
    [
        ({"A": "1"}, [], {"A": "1"}),
        ({"A": "1"}, ["B=2"], {"A": "1", "B": "2"}),
        ({"A": "1"}, ["A=engine"], {"A": "engine"}),  # the engine's entry wins
        ({}, ["A=x=y", "NOVALUE", "=v"], {"A": "x=y"}),
    ],
)
def test_engine_env_is_appended(
    base: dict[str, str], entries: list[str], expected: dict[str, str]
) -> None:
    assert plugins.with_engine_env(base, entries) == expected


@pytest.mark.parametrize(("returncode", "code"), [(0, 0), (2, 2), (-15, -1)])
def test_exit_code_of_a_killed_plugin_is_minus_one(returncode: int, code: int) -> None:
    assert plugins.exit_code(returncode) == code
