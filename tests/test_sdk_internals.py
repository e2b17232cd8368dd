"""What ``sdk_internals`` relies on holds on the installed Pulumi SDK, and its fallbacks work.

These tests fail loudly when an SDK release changes an internal this package uses; the
fallbacks keep a user's ``pulumi up`` working meanwhile (proven through the real CLI with
``PULUMI_COMMVAULT_SDK_SHIMS=off``).
"""

from __future__ import annotations

import ast
import importlib.metadata
import socket
import subprocess
import sys
import threading
import traceback
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pulumi
import pytest
from google.protobuf import empty_pb2
from pulumi import CustomResource
from pulumi import automation as auto
from pulumi.runtime.proto import engine_pb2_grpc

from engine_support import BackupProgram
from fault_scenarios import closed_port_url
from pulumi_commvault import sdk_internals
from pulumi_commvault.provider import BackupTriggerError
from pulumi_commvault.runtime.reporting import OperationFailed
from pulumi_commvault.sdk_internals import cancel, fallbacks, row_log, sdk_source
from pulumi_commvault.sdk_internals.pool import _executor_of


def test_the_installed_sdk_has_every_internal_this_package_relies_on():
    assert sdk_internals.problems() == []


def test_the_provider_key_is_the_sdks_own():
    from pulumi.dynamic.dynamic import PROVIDER_KEY

    assert sdk_internals.PROVIDER_KEY == PROVIDER_KEY == "__provider"


def test_a_changed_custom_resource_constructor_is_reported(monkeypatch):
    def changed(self, type_, name, props=None, opts=None):  # other parameter names
        raise AssertionError("never called")

    monkeypatch.setattr(CustomResource, "__init__", changed)
    assert any("CustomResource.__init__" in p for p in sdk_internals.registration_problems())


def test_a_missing_resource_type_name_is_reported(monkeypatch):
    original = pulumi.dynamic.Resource.__init_subclass__

    def without_type_name(cls, **kwargs):
        original.__func__(cls, **kwargs)
        del cls._resource_type_name

    monkeypatch.setattr(
        pulumi.dynamic.Resource, "__init_subclass__", classmethod(without_type_name)
    )
    assert any("_resource_type_name" in p for p in sdk_internals.registration_problems())


def test_a_pool_widened_from_inside_runs_more_calls_at_once_than_its_limit():
    together = threading.Barrier(8, timeout=10)
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert pool.submit(sdk_internals.widen_current_pool, 8).result() is True
        # Eight calls that each wait for the other seven: they pass only if all run at once.
        calls = [pool.submit(together.wait) for _ in range(8)]
        assert sorted(call.result() for call in calls) == list(range(8))


def test_outside_a_pool_thread_nothing_is_widened():
    assert sdk_internals.widen_current_pool(8) is False


def test_a_pool_is_never_narrowed():
    with ThreadPoolExecutor(max_workers=32) as pool:
        assert pool.submit(sdk_internals.widen_current_pool, 8).result() is True
        assert pool._max_workers == 32


def test_a_provider_server_that_no_longer_serves_from_a_thread_pool_is_reported(monkeypatch):
    source = sdk_source.dynamic_main_source() or ""
    changed = source.replace("futures.ThreadPoolExecutor(max_workers=4)", "None")
    assert changed != source
    monkeypatch.setattr(sdk_source, "dynamic_main_source", lambda: changed)
    assert any("ThreadPoolExecutor" in p for p in sdk_internals.pool_problems())


def test_the_pool_is_found_from_its_worker_thread():
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = pool.submit(lambda: _executor_of(threading.current_thread()))
        assert found.result() is pool


def test_with_the_shims_off_the_pool_keeps_its_limit_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    monkeypatch.setattr(fallbacks, "_warned", set())
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert pool.submit(sdk_internals.widen_current_pool, 8).result() is False
        assert pool._max_workers == 4
    assert "falls back" in capsys.readouterr().err


@pytest.mark.engine
def test_with_the_shims_off_a_backup_still_works_and_the_user_is_told(
    deployer, emulator, monkeypatch
):
    # The inline program runs in this process; the provider in one the engine starts.
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    monkeypatch.setattr(fallbacks, "_warned", set())
    deployment = deployer(BackupProgram(), extra_env={sdk_internals.SHIMS_VARIABLE: "off"})
    result = deployment.up()
    assert result.outputs["job_ids"].value == [str(j["jobId"]) for j in emulator.control.jobs()]
    assert "warning: pulumi-commvault: resource registration falls back" in deployment.text
    assert "serving more than 4 provider calls at once falls back" in deployment.text
    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    assert isinstance(snap["inputs"]["__provider"], str), "not a secret: it holds nothing"
    # What the fallback gives up: the resource's source position is our constructor's line.
    assert "/pulumi_commvault/" in snap["sourcePosition"]


@pytest.mark.engine
def test_the_serialized_provider_is_stored_in_plain_text_as_it_holds_nothing(deployer):
    deployment = deployer(BackupProgram())
    deployment.up()
    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    # A secret would be stored as {"4dabf18193072939515e22adb298388d": ..., "ciphertext": ...}.
    assert isinstance(snap["inputs"]["__provider"], str)
    assert isinstance(snap["outputs"]["__provider"], str)
    # Registered past Resource.__init__: the source position is the program's line.
    assert "/tests/engine_support.py#" in snap["sourcePosition"]


# --- our failures shown as their sentence, not as a traceback ------------------------------


class AbortedCall:
    """What ``grpc.ServicerContext.abort`` was called with (the server's side of a call)."""

    def __init__(self) -> None:
        self.details: str | None = None

    def abort(self, _code: object, details: str) -> None:
        self.details = details


def sdk_server_namespace() -> dict[str, Any]:
    """The installed SDK's ``pulumi.dynamic.__main__`` globals, its server not started: its
    source run without its top-level ``main()`` call (which would start a server and block)."""
    source = sdk_source.dynamic_main_source()
    assert source is not None
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if not calls_main(node)]
    namespace: dict[str, Any] = {"__name__": "probe_of_pulumi_dynamic_main"}
    exec(compile(tree, "pulumi/dynamic/__main__.py", "exec"), namespace)  # noqa: S102
    return namespace


def calls_main(node: ast.stmt) -> bool:
    if isinstance(node, ast.If):  # ``if __name__ == "__main__": main()``
        return any(calls_main(inner) for inner in node.body)
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "main"
    )


@pytest.mark.parametrize(
    ("version", "needed"),
    [
        ((3, 200, 0), False),
        ((3, 259, 0), False),
        ((3, 260, 0), True),
        ((3, 272, 0), True),
        ((4, 0, 0), True),
        (None, True),  # an SDK whose release cannot be read is assumed to need it
    ],
)
def test_plain_failures_are_needed_from_sdk_3_260_on(version, needed):
    assert sdk_internals.sdk_answers_failures_with_tracebacks(version) is needed


def test_the_sdk_release_is_the_installed_distributions():
    installed = importlib.metadata.version("pulumi")
    assert ".".join(map(str, sdk_internals.sdk_version() or ())) == installed.split("+")[0]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (("import traceback\n", "import traceback as tb\n"), "imports traceback"),
        (("traceback.format_exc()", "repr(sys.exc_info())"), "no longer answers"),
        (("    @_abort_with_traceback\n    def Create", "    def Create"), "Create is no"),
        (("def _abort_with_traceback(fn):", "def _abort_with_tb(fn):"), "no longer answers"),
    ],
)
def test_a_changed_traceback_wrapper_in_a_3_260_sdk_is_reported(change, reported):
    source = sdk_source.dynamic_main_source() or ""
    if "_abort_with_traceback" not in source:
        pytest.skip("this Pulumi SDK (before 3.260) has no traceback wrapper to change")
    changed = source.replace(*change)
    assert changed != source
    found = sdk_internals.traceback_wrapper_problems(ast.parse(changed))
    assert any(reported in problem for problem in found), found


def test_an_sdk_before_3_260_needs_nothing_for_plain_failures(monkeypatch):
    monkeypatch.setattr(sdk_source, "dynamic_main_source", lambda: "")  # no wrapper at all
    assert sdk_internals.plain_failures_problems((3, 259, 0)) == []
    assert sdk_internals.plain_failures_problems((3, 260, 0)) != []


#: The shim replaces the traceback of SDK 3.260+'s wrapper; older SDKs answer without one.
needs_the_traceback_wrapper = pytest.mark.skipif(
    sdk_internals.servicer_shape(sdk_server_namespace()) != "wrapped",
    reason="this Pulumi SDK (before 3.260) answers failures without a traceback: no shim needed",
)


def answer_of_a_failing_call(namespace: dict[str, Any], failure: Exception) -> str:
    """What the SDK's own wrapper of Create answers the engine when the provider raises."""

    def create(_self: object, _request: object, _context: object) -> None:
        raise failure

    call = AbortedCall()
    namespace["_abort_with_traceback"](create)(None, None, call)
    assert call.details is not None
    return call.details


@needs_the_traceback_wrapper
def test_the_sdk_answers_a_failed_call_with_a_traceback_until_the_shim_is_installed():
    namespace = sdk_server_namespace()
    assert sdk_internals.servicer_shape(namespace) == "wrapped"

    answer = answer_of_a_failing_call(namespace, OperationFailed("Oracle backup of x: no"))

    assert answer.startswith("Traceback (most recent call last):")


@needs_the_traceback_wrapper
def test_with_the_shim_our_failure_is_answered_with_its_sentence_alone():
    namespace = sdk_server_namespace()
    sdk_internals.show_plainly(OperationFailed, namespace)

    answer = answer_of_a_failing_call(namespace, BackupTriggerError("Oracle backup of x: no"))

    assert answer == "Oracle backup of x: no"


@needs_the_traceback_wrapper
def test_with_the_shim_any_other_exception_keeps_its_traceback():
    namespace = sdk_server_namespace()
    sdk_internals.show_plainly(OperationFailed, namespace)

    answer = answer_of_a_failing_call(namespace, ValueError("a bug of ours"))

    assert answer.startswith("Traceback (most recent call last):")
    assert answer.rstrip().endswith("ValueError: a bug of ours")


@needs_the_traceback_wrapper
def test_installing_the_shim_twice_keeps_one_proxy_for_every_user_facing_class():
    namespace = sdk_server_namespace()

    class OtherResourcesFailure(Exception):
        pass

    sdk_internals.show_plainly(OperationFailed, namespace)
    proxy = namespace["traceback"]
    sdk_internals.show_plainly(OtherResourcesFailure, namespace)

    assert namespace["traceback"] is proxy
    assert answer_of_a_failing_call(namespace, OtherResourcesFailure("restore: no")) == (
        "restore: no"
    )
    assert namespace["traceback"].print_exc is traceback.print_exc  # the rest passes through


@needs_the_traceback_wrapper
def test_with_the_shims_off_the_traceback_stays_and_the_user_is_told(monkeypatch, capsys):
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    monkeypatch.setattr(fallbacks, "_warned", set())
    namespace = sdk_server_namespace()

    sdk_internals.show_plainly(OperationFailed, namespace)

    answer = answer_of_a_failing_call(namespace, OperationFailed("Oracle backup of x: no"))
    assert answer.startswith("Traceback (most recent call last):")
    assert "showing failures without a traceback falls back" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("version", "warned"), [((3, 260, 0), True), ((3, 272, 0), True), ((3, 259, 0), False)]
)
def test_a_servicer_of_another_shape_is_left_alone_and_reported_where_needed(
    version, warned, monkeypatch, capsys
):
    # Before 3.260 nothing is needed, so an SDK's server is not even looked at.
    monkeypatch.setattr(fallbacks, "_warned", set())
    monkeypatch.setattr(sdk_source, "sdk_version", lambda: version)

    class DynamicResourceProviderServicer:
        def Create(self, request: object, context: object) -> None:
            pass

    DynamicResourceProviderServicer.Create.__qualname__ = "somewhere_else.<locals>.wrapper"
    namespace: dict[str, Any] = {
        "DynamicResourceProviderServicer": DynamicResourceProviderServicer,
        "traceback": traceback,
    }

    assert "Create is now 'somewhere_else" in str(sdk_internals.servicer_shape(namespace))
    sdk_internals.show_plainly(OperationFailed, namespace)
    assert namespace["traceback"] is traceback
    told = "showing failures without a traceback falls back" in capsys.readouterr().err
    assert told is warned


def test_a_servicer_from_before_3_260_needs_no_shim(monkeypatch, capsys):
    # Its methods are not wrapped: grpc answers "Exception calling application: <message>".
    monkeypatch.setattr(fallbacks, "_warned", set())

    class DynamicResourceProviderServicer:
        def Create(self, request: object, context: object) -> None:
            pass

    DynamicResourceProviderServicer.Create.__qualname__ = "DynamicResourceProviderServicer.Create"
    namespace: dict[str, Any] = {
        "DynamicResourceProviderServicer": DynamicResourceProviderServicer,
        "traceback": traceback,
    }

    assert sdk_internals.servicer_shape(namespace) == "legacy"
    sdk_internals.show_plainly(OperationFailed, namespace)
    assert namespace["traceback"] is traceback
    assert capsys.readouterr().err == ""


def test_outside_the_provider_process_the_shim_does_nothing():
    # This test process's __main__ (pytest) has no provider server.
    main = sys.modules["__main__"]
    before = dict(vars(main))
    sdk_internals.show_plainly(OperationFailed)
    assert vars(main) == before


@pytest.mark.engine
@needs_the_traceback_wrapper
def test_with_the_shims_off_a_failure_still_shows_its_sentence_after_the_traceback(
    deployer, emulator
):
    deployment = deployer(BackupProgram(), extra_env={sdk_internals.SHIMS_VARIABLE: "off"})
    deployment.stack.set_config("commvault:url", auto.ConfigValue(closed_port_url()))

    with pytest.raises(auto.CommandError):
        deployment.up()

    assert "showing failures without a traceback falls back" in deployment.text
    assert "error: Traceback (most recent call last):" in deployment.text
    assert "BackupTriggerError: Oracle backup of oradb01/ORCL/default: " in deployment.text
    assert "commvault:url" in deployment.text


# --- the engine's Cancel -----------------------------------------------------------------

SDK_LIKE_SERVICER = """
from google.protobuf import empty_pb2

class DynamicResourceProviderServicer:
    def Cancel(self, request, context):
        return empty_pb2.Empty()

    def Create(self, request, context):
        return CALL_BACK()
"""


def fake_dynamic_main(monkeypatch, source: str = SDK_LIKE_SERVICER) -> types.ModuleType:
    """A ``__main__`` shaped like ``python -m pulumi.dynamic``'s, installed for this test."""
    main = types.ModuleType("__main__")
    exec(compile(source, "<fake pulumi.dynamic>", "exec"), vars(main))  # noqa: S102
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(cancel, "_cancel_callbacks", [])
    monkeypatch.setattr(fallbacks, "_warned", set())
    return main


def test_the_engines_cancel_reaches_the_hook_through_a_method_bound_before_it(monkeypatch):
    main = fake_dynamic_main(monkeypatch)
    bound = main.DynamicResourceProviderServicer().Cancel  # as the gRPC server binds it
    seen: list[str] = []

    assert sdk_internals.on_engine_cancel(lambda: seen.append("cancel"))
    answer = bound(None, None)

    assert seen == ["cancel"]
    assert type(answer).__name__ == "Empty"


def test_a_cancel_that_does_more_than_return_empty_is_reported_and_left_alone(monkeypatch, capsys):
    changed = SDK_LIKE_SERVICER.replace(
        "        return empty_pb2.Empty()", "        print('bye')\n        return empty_pb2.Empty()"
    )
    main = fake_dynamic_main(monkeypatch, changed)
    original = main.DynamicResourceProviderServicer.Cancel.__code__

    assert sdk_internals.on_engine_cancel(lambda: None) is False

    assert main.DynamicResourceProviderServicer.Cancel.__code__ is original
    assert "ending a wait early on Ctrl-C falls back" in capsys.readouterr().err


def test_a_changed_cancel_in_the_sdk_source_is_reported(monkeypatch):
    source = sdk_source.dynamic_main_source() or ""
    changed = source.replace(
        "    def Cancel(self, request, context):\n",
        "    def Cancel(self, request, context):\n        self.cancelled = True\n",
    )
    assert changed != source
    monkeypatch.setattr(sdk_source, "dynamic_main_source", lambda: changed)
    assert any("Cancel" in p for p in sdk_internals.cancel_problems())


def test_with_the_shims_off_cancel_is_not_hooked_and_says_so(monkeypatch, capsys):
    main = fake_dynamic_main(monkeypatch)
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    original = main.DynamicResourceProviderServicer.Cancel.__code__

    assert sdk_internals.on_engine_cancel(lambda: None) is False

    assert main.DynamicResourceProviderServicer.Cancel.__code__ is original
    assert "ending a wait early on Ctrl-C falls back" in capsys.readouterr().err


def test_outside_a_provider_process_cancel_is_not_hooked_and_nothing_is_said(capsys):
    assert sdk_internals.on_engine_cancel(lambda: None) is False
    assert capsys.readouterr().err == ""


# --- a line on the resource's row ----------------------------------------------------------


class FakeRequest:
    urn = "urn:pulumi:dev::proj::pulumi-python:dynamic/commvault:OracleBackupTrigger::snap"


def test_the_urn_is_found_from_the_servicer_frame_that_serves_the_request(monkeypatch):
    main = fake_dynamic_main(monkeypatch)
    vars(main)["CALL_BACK"] = sdk_internals.current_resource_urn
    assert main.DynamicResourceProviderServicer().Create(FakeRequest(), None) == FakeRequest.urn


def test_no_urn_outside_a_served_request(monkeypatch):
    fake_dynamic_main(monkeypatch)
    assert sdk_internals.current_resource_urn() is None


def test_a_line_goes_to_the_engine_as_a_log_for_that_urn(monkeypatch):
    fake_dynamic_main(monkeypatch)
    got: list[tuple[str, str, bool]] = []

    class Engine(engine_pb2_grpc.EngineServicer):
        def Log(self, request, context):
            got.append((request.urn, request.message, request.ephemeral))
            return empty_pb2.Empty()

    server = grpc.server(ThreadPoolExecutor(max_workers=1))
    engine_pb2_grpc.add_EngineServicer_to_server(Engine(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        monkeypatch.setattr(sys, "argv", ["pulumi.dynamic", f"127.0.0.1:{port}"])
        monkeypatch.setattr(row_log, "_engine_stubs", {})
        assert sdk_internals.log_on_row(FakeRequest.urn, "job 1 Running 5%", ephemeral=True)
    finally:
        server.stop(0)
    assert got == [(FakeRequest.urn, "job 1 Running 5%", True)]


def test_a_line_the_engine_does_not_take_is_left_to_the_caller_and_said_once(monkeypatch, capsys):
    fake_dynamic_main(monkeypatch)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there
    monkeypatch.setattr(sys, "argv", ["pulumi.dynamic", f"127.0.0.1:{port}"])
    monkeypatch.setattr(row_log, "_engine_stubs", {})
    assert sdk_internals.log_on_row(FakeRequest.urn, "a line") is False
    assert sdk_internals.log_on_row(FakeRequest.urn, "a line") is False
    assert capsys.readouterr().err.count("progress on the resource's row falls back") == 1


def test_with_the_shims_off_lines_are_left_to_the_caller(monkeypatch, capsys):
    fake_dynamic_main(monkeypatch)
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    assert sdk_internals.log_on_row(FakeRequest.urn, "a line") is False
    assert "progress on the resource's row falls back" in capsys.readouterr().err


def test_a_request_without_a_urn_is_reported(monkeypatch):
    from pulumi.runtime.proto import provider_pb2

    fields = dict(provider_pb2.CreateRequest.DESCRIPTOR.fields_by_name)
    del fields["urn"]
    monkeypatch.setattr(
        provider_pb2.CreateRequest,
        "DESCRIPTOR",
        types.SimpleNamespace(fields_by_name=fields),
    )
    assert any("CreateRequest" in p for p in sdk_internals.row_log_problems())


# --- through the real CLI ----------------------------------------------------------------


@pytest.mark.engine
def test_progress_shows_on_the_resources_row_and_not_in_the_final_diagnostics(deployer, emulator):
    emulator.control.job_defaults(seconds=3.0)
    deployment = deployer(BackupProgram())
    deployment.up()
    [job_id] = [str(j["jobId"]) for j in emulator.control.jobs()]
    rows = [line for line in deployment.text.splitlines() if " snap creating" in line]
    assert any(f"oradb01/ORCL/default: job {job_id} Running" in line for line in rows)
    diagnostics = (
        deployment.text.split("Diagnostics:", 1)[-1] if "Diagnostics:" in deployment.text else ""
    )
    assert "Running" not in diagnostics
    assert "pulumi:pulumi:Stack" not in "".join(
        line for line in deployment.text.splitlines() if f"job {job_id} Running" in line
    )


def test_the_engines_hook_support_is_none_outside_a_deployment_and_with_the_shims_off(
    monkeypatch,
):
    from pulumi.runtime import settings

    assert sdk_internals.engine_hook_features() is None  # no monitor here
    monkeypatch.setattr(settings.SETTINGS, "monitor", object())
    if hasattr(type(settings.SETTINGS), "monitor_features"):
        monkeypatch.setattr(settings.SETTINGS, "monitor_features", set())
    else:  # SDK 3.200 keeps the answers by name
        monkeypatch.setattr(settings.SETTINGS, "feature_support", {"resourceHooks": False})
    assert sdk_internals.engine_hook_features() == (False, False)
    monkeypatch.setenv(fallbacks.SHIMS_VARIABLE, "off")
    assert sdk_internals.engine_hook_features() is None


def test_settings_without_either_shape_of_feature_answers_are_reported(monkeypatch, capsys):
    from pulumi.runtime import settings

    monkeypatch.setattr(settings.SETTINGS, "monitor", object())
    monkeypatch.setattr(settings.SETTINGS, "monitor_features", None, raising=False)
    monkeypatch.setattr(settings.SETTINGS, "feature_support", None, raising=False)
    monkeypatch.setattr(fallbacks, "_warned", set())
    assert sdk_internals.engine_hook_features() is None
    warning = capsys.readouterr().err
    assert "the check of the CLI's hook support falls back" in warning
    assert "SETTINGS.monitor_features" in warning


def test_an_sdk_without_either_feature_attribute_is_a_problem(monkeypatch):
    from pulumi.runtime import settings

    class Bare:
        monitor = None

    monkeypatch.setattr(settings, "SETTINGS", Bare())
    assert sdk_internals.hook_features_problems() == [
        "neither SETTINGS.monitor_features (a set) nor SETTINGS.feature_support (by name)"
    ]


def test_the_stack_configs_keys_are_listed_from_the_config_the_host_passed(monkeypatch):
    from pulumi.runtime import config

    monkeypatch.setattr(config, "CONFIG", config.CONFIG)  # restored after the test
    token = config.CONFIG.set({"commvault:url": "http://h", "commvault:usernmae": "admin"})
    monkeypatch.setenv("PULUMI_CONFIG", '{"other:key": "v"}')
    try:
        keys = sdk_internals.config_keys()
        monkeypatch.setenv(fallbacks.SHIMS_VARIABLE, "off")
        assert sdk_internals.config_keys() == []
    finally:
        config.CONFIG.reset(token)
    assert keys == ["commvault:url", "commvault:usernmae", "other:key"]


def test_an_sdk_whose_config_is_held_otherwise_lists_no_keys_and_says_so(monkeypatch, capsys):
    from pulumi.runtime import config

    monkeypatch.setattr(config, "CONFIG", {"commvault:usernmae": "admin"})  # no ContextVar
    monkeypatch.setattr(fallbacks, "_warned", set())
    assert sdk_internals.config_keys_problems() == [
        "pulumi.runtime.config.CONFIG is no longer a ContextVar"
    ]
    assert sdk_internals.config_keys() == []
    assert "naming a misspelt commvault:* config key falls back" in capsys.readouterr().err


LOG_SENT_PROGRAM = """
import asyncio, logging, pulumi
from pulumi.runtime import mocks
from pulumi_commvault import sdk_internals

class Nothing(pulumi.runtime.Mocks):
    def new_resource(self, args): return (args.name, args.inputs)
    def call(self, args): return {}

class Lines(logging.Handler):
    seen: list[str] = []
    def emit(self, record): self.seen.append(record.getMessage())

logger = logging.getLogger("engine")
logger.addHandler(Lines())
logger.setLevel(logging.INFO)
mocks.set_mocks(Nothing(), logger=logger)

class Row:
    urn = pulumi.Output.from_input("urn:pulumi:dev::p::t::r")

async def main():
    pulumi.log.info("plain", Row())
    print("plain seen at return:", "plain" in Lines.seen)
    await sdk_internals.log_sent("waited", Row())
    print("waited seen at return:", "waited" in Lines.seen)

asyncio.run(main())
"""


def test_log_sent_returns_once_the_engine_has_the_resources_line_where_pulumi_log_does_not():
    # A hook's "backup Completed" line must reach the engine before the change it guards runs.
    done = subprocess.run(
        [sys.executable, "-c", LOG_SENT_PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "plain seen at return: False",
        "waited seen at return: True",
    ], done.stdout


def test_a_log_that_no_longer_sends_from_a_task_is_reported(monkeypatch):
    def sends_at_once(engine, severity, message, resource, stream_id, ephemeral):
        engine.Log(message)

    monkeypatch.setattr(pulumi.log, "_log", sends_at_once)
    assert sdk_internals.program_log_problems() == [
        "pulumi.log no longer sends a resource's line from a task: re-check log_sent"
    ]
