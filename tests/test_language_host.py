"""`pulumi preview/up/destroy` of a Python project through the real CLI, which runs the program
through the language host (tools/pulumi-language-python/ with our CLI build), and a
`runtime: python` provider plugin directory, which the engine starts through its `RunPlugin`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine_support import run_pulumi
from harness.engine import cli_env

VENV = Path(sys.prefix)

# No skip when the CLI is missing: the engine tests must fail then (run tools/setup.sh).
pytestmark = pytest.mark.engine

PULUMI_YAML = """\
name: language-host-test
runtime:
  name: python
  options:
    virtualenv: {venv}
"""

PROVIDER = """
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class EchoProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="echo", outs={**props, "length": len(props["text"])})

    def diff(self, id, olds, news):
        return DiffResult(changes=olds["text"] != news["text"])

    def update(self, id, olds, news):
        return UpdateResult(outs={**news, "length": len(news["text"])})


class Echo(Resource):
    def __init__(self, name, text):
        super().__init__(EchoProvider(), name, {"text": text, "length": None})
"""

PROGRAM = """
import sys
import pulumi
from echo import Echo

config = pulumi.Config()
if config.get_bool("fail"):
    raise RuntimeError("boom from the program")
echo = Echo("greeting", config.require("text"))
pulumi.export("text", echo.text)
pulumi.export("length", echo.length)
pulumi.export("token_length", config.require_secret("token").apply(len))
pulumi.export("python", sys.executable)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(PULUMI_YAML.format(venv=VENV))
    (project / "echo.py").write_text(PROVIDER)
    (project / "__main__.py").write_text(PROGRAM)
    (tmp_path / "state").mkdir()
    return project


def pulumi(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = cli_env(project.parent / "state", project.parent / "home")
    return run_pulumi(project, env, *args, check=check, timeout_s=120)


def init_stack(project: Path, text: str) -> None:
    pulumi(project, "stack", "init", "test")
    pulumi(project, "config", "set", "text", text)
    pulumi(project, "config", "set", "--secret", "token", "s3cr3t")


def test_preview_up_update_destroy(project: Path) -> None:
    init_stack(project, "hello")

    preview = pulumi(project, "preview")
    assert "2 to create" in preview.stdout

    pulumi(project, "up", "--yes")
    outputs = json.loads(pulumi(project, "stack", "output", "--json", "--show-secrets").stdout)
    assert outputs == {
        "text": "hello",
        "length": 5,
        "token_length": 6,
        "python": str(VENV / "bin" / "python"),
    }

    pulumi(project, "config", "set", "text", "hello, world")
    update = pulumi(project, "up", "--yes")
    assert "1 updated" in update.stdout
    outputs = json.loads(pulumi(project, "stack", "output", "--json").stdout)
    assert (outputs["text"], outputs["length"]) == ("hello, world", 12)
    assert outputs["token_length"] == "[secret]"

    destroy = pulumi(project, "destroy", "--yes")
    assert "2 deleted" in destroy.stdout
    assert json.loads(pulumi(project, "stack", "output", "--json").stdout) == {}


def test_failing_program_fails_up_with_its_error(project: Path) -> None:
    init_stack(project, "hello")
    pulumi(project, "config", "set", "fail", "true")

    result = pulumi(project, "up", "--yes", check=False)

    assert result.returncode != 0
    assert "RuntimeError: boom from the program" in result.stdout
    # The program's own error is the whole story (the host bails, adding no exit-code error).
    assert "non-zero exit code" not in result.stdout + result.stderr


PLUGIN_PROJECT_YAML = (
    PULUMI_YAML
    + """\
plugins:
  providers:
    - name: echo
      path: ./echo-plugin
"""
)

PLUGIN_YAML = """\
runtime:
  name: python
  options:
    virtualenv: {venv}
"""

#: A resource provider served from a plugin directory: Create echoes the inputs, the plugin's
#: working directory and the engine address it was given.
ECHO_PLUGIN = """
import os
import sys
from concurrent import futures

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc


class Echo(provider_pb2_grpc.ResourceProviderServicer):
    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version="0.0.1")

    def Configure(self, request, context):
        return provider_pb2.ConfigureResponse(acceptSecrets=True)

    def CheckConfig(self, request, context):
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request, context):
        return provider_pb2.DiffResponse()

    def Check(self, request, context):
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request, context):
        return provider_pb2.DiffResponse()

    def Create(self, request, context):
        outs = struct_pb2.Struct()
        outs.update(dict(request.properties))
        outs.update({"cwd": os.getcwd(), "engine": sys.argv[1]})
        return provider_pb2.CreateResponse(id="echo-1", properties=outs)

    def Delete(self, request, context):
        return empty_pb2.Empty()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
provider_pb2_grpc.add_ResourceProviderServicer_to_server(Echo(), server)
print(server.add_insecure_port("127.0.0.1:0"), flush=True)
server.start()
server.wait_for_termination()
"""

ECHO_PROGRAM = """
import pulumi

inputs = {"text": "hi", "cwd": None, "engine": None}
echo = pulumi.CustomResource("echo:index:Echo", "greeting", inputs)
pulumi.export("echoed", pulumi.Output.all(echo.text, echo.cwd, echo.engine))
"""


def test_a_python_plugin_directory_runs_through_run_plugin(project: Path) -> None:
    (project / "Pulumi.yaml").write_text(PLUGIN_PROJECT_YAML.format(venv=VENV))
    (project / "__main__.py").write_text(ECHO_PROGRAM)
    plugin = project / "echo-plugin"
    plugin.mkdir()
    (plugin / "PulumiPlugin.yaml").write_text(PLUGIN_YAML.format(venv=VENV))
    (plugin / "__main__.py").write_text(ECHO_PLUGIN)
    pulumi(project, "stack", "init", "test")

    pulumi(project, "up", "--yes")

    outputs = json.loads(pulumi(project, "stack", "output", "--json").stdout)
    text, cwd, engine = outputs["echoed"]
    # As Pulumi's Go host: the plugin's __main__.py, in the engine's working directory.
    assert (text, cwd) == ("hi", str(project))
    assert engine.startswith("127.0.0.1:")
