"""Every use of the Pulumi SDK's internals, in one place, each with a check and a fallback.

Re-checked against the SDK releases 3.200.0, 3.219.0, 3.259.0, 3.260.0 and 3.272.0 (which
internal each release needs: docs/compatibility.md, "SDK internals by release"). The package
relies on these things the SDK does not offer publicly:
- **registration** (``register``, every supported SDK): a dynamic resource is registered the
  way ``pulumi.dynamic.Resource.__init__`` does it, but called past it, so that the SDK
  records the user's line as the resource's source position (it takes the caller of the third
  ``__init__`` up; through ``Resource.__init__`` that would be our constructor, and the state
  would also carry our frames). The provider is serialized once per program, and made a
  secret exactly where the SDK's own ``__init__`` would (``serialize_as_secret_always``,
  which every supported SDK reads there). Relies on ``Resource._resource_type_name``,
  ``CustomResource.__init__(t, name, props, opts)``,
  ``pulumi.dynamic.dynamic.serialize_provider`` and ``pulumi.runtime._serialization._serialize``.
  Fallback: ``pulumi.dynamic.Resource.__init__`` itself (our line as the source position).
- **the serialized-provider key** (``PROVIDER_KEY``): ``pulumi.dynamic.dynamic.PROVIDER_KEY``.
  Fallback: ``"__provider"``, its value in every SDK release so far.
- **the provider's thread pool** (``widen_current_pool``, every supported SDK): ``python -m
  pulumi.dynamic`` serves the engine from ``ThreadPoolExecutor(max_workers=4)``; the pool is
  found through its worker thread's private ``_args`` (a CPython internal) and its private
  ``_max_workers`` raised. Fallback: 4 calls at once.
- **failures shown plainly** (``show_plainly``, SDK 3.260 on; not needed before): the SDK
  answers a failed provider call with the whole traceback; the ``traceback`` global of the
  provider server's ``__main__`` is replaced so that our user-facing errors are answered with
  their message alone (other exceptions keep their traceback). Fallback: the traceback, with
  our sentence on its last line.
- **the engine's Cancel** (``on_engine_cancel``, every supported SDK): the servicer's no-op
  ``Cancel`` gets the code of ``_cancel_replacement``, which calls our hook. Fallback: a wait
  ends only with its jobs.
- **a line on the resource's row** (``log_on_row``, every supported SDK): an engine ``Log``
  (the engine's public protocol; its address is the provider's first argument) for the URN of
  the request being served, found in the servicer's frame. Fallback: stdout, shown on the
  Stack's row.

``problems()`` lists what no longer holds on the installed SDK; ``tests/test_sdk_internals.py``
fails loudly on each. The SDK's ``pulumi.dynamic.__main__`` is only ever read and compiled
here, never run (running it starts a server). When something does not hold at run time, the
fallback is used and a warning says which, once per process. ``PULUMI_COMMVAULT_SDK_SHIMS=off``
forces every fallback (that is how the tests prove the fallbacks work through the real CLI).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import inspect
import logging
import os
import re
import sys
import threading
import types
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import CodeType, FrameType
from typing import Any

import grpc
import pulumi
from pulumi import CustomResource
from pulumi.dynamic import Resource, ResourceProvider

SHIMS_VARIABLE = "PULUMI_COMMVAULT_SDK_SHIMS"
DEFAULT_PROVIDER_KEY = "__provider"

try:
    from pulumi.dynamic.dynamic import PROVIDER_KEY as _SDK_PROVIDER_KEY
except ImportError:  # pragma: no cover - exercised only by an SDK that moved it
    _SDK_PROVIDER_KEY = DEFAULT_PROVIDER_KEY

#: The property in which every dynamic resource carries its serialized provider.
PROVIDER_KEY: str = _SDK_PROVIDER_KEY

_warned: set[str] = set()
_warned_lock = threading.Lock()


def shims_enabled() -> bool:
    return os.environ.get(SHIMS_VARIABLE, "on").strip().lower() not in ("off", "0", "false")


def warn_fallback(what: str, why: str) -> None:
    """Say once per process that ``what`` falls back, and why: working, but not as designed."""
    with _warned_lock:
        if what in _warned:
            return
        _warned.add(what)
    message = (
        f"pulumi-commvault: {what} falls back to the Pulumi SDK's public behaviour ({why}); "
        "it keeps working. Please report this with your pulumi version."
    )
    try:
        pulumi.log.warn(message)
    except Exception:
        print(message, file=sys.stderr, flush=True)


# --- registration ---------------------------------------------------------------------------


def registration_problems() -> list[str]:
    """What ``register`` relies on that the installed SDK does not have."""
    found: list[str] = []

    class Probe(Resource, module="probe", name="Probe"):
        pass

    if not isinstance(getattr(Probe, "_resource_type_name", None), str):
        found.append("pulumi.dynamic.Resource subclasses no longer get _resource_type_name")
    params = list(inspect.signature(CustomResource.__init__).parameters)[:5]
    if params != ["self", "t", "name", "props", "opts"]:
        found.append(f"CustomResource.__init__ parameters are now {params}")
    try:
        from pulumi.dynamic.dynamic import serialize_provider  # noqa: F401
        from pulumi.runtime._serialization import _serialize  # noqa: F401
    except ImportError as exc:
        found.append(f"provider serialization moved: {exc}")
    return found


@functools.cache
def _registration_problems_once() -> tuple[str, ...]:
    # Once per process, not once per resource: a program may register hundreds.
    return tuple(registration_problems())


def register(
    resource: Resource,
    provider: ResourceProvider,
    serialized_provider: Callable[[], tuple[str, bool]],
    name: str,
    props: dict[str, Any],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Register ``resource`` with the engine, as ``pulumi.dynamic.Resource.__init__`` does.

    ``serialized_provider`` gives ``(text, captured_secrets)``, so the caller can make it
    once per program. Must be called from the resource's own ``__init__``: the SDK takes the
    source position from the caller of the third ``__init__`` up, which is then the user's.
    The provider is a secret exactly where ``Resource.__init__`` would make it one.
    """
    problems = list(_registration_problems_once()) if shims_enabled() else ["turned off"]
    if problems:
        warn_fallback("resource registration", "; ".join(problems))
        Resource.__init__(resource, provider, name, props, opts)
        return
    text, captured_secrets = serialized_provider()
    as_secret = getattr(provider, "serialize_as_secret_always", True) or captured_secrets
    serialized: Any = pulumi.Output.secret(text) if as_secret else text
    type_name: str = type(resource)._resource_type_name
    CustomResource.__init__(
        resource, f"pulumi-python:{type_name}", name, {**props, PROVIDER_KEY: serialized}, opts
    )


def serialize(provider: ResourceProvider) -> tuple[str, bool]:
    """The provider as the SDK serializes it, and whether that captured a secret ``Output``."""
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime._serialization import _serialize

    text, captured_secrets = _serialize(True, serialize_provider, provider)
    return str(text), bool(captured_secrets)


# --- the provider's thread pool -------------------------------------------------------------


def pool_problems() -> list[str]:
    """What ``widen_current_pool`` relies on that this Python or SDK does not have."""
    found: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        if pool.submit(lambda: _executor_of(threading.current_thread())).result() is not pool:
            found.append("a ThreadPoolExecutor worker thread no longer holds its executor")
        if not isinstance(getattr(pool, "_max_workers", None), int):
            found.append("ThreadPoolExecutor no longer keeps _max_workers")
    source = _dynamic_main_source()
    if source is not None and "ThreadPoolExecutor(" not in source:
        found.append("python -m pulumi.dynamic no longer serves from a ThreadPoolExecutor")
    return found


def widen_current_pool(workers: int) -> bool:
    """Let the thread pool running this call grow to ``workers`` threads (never narrower).

    A running ``ThreadPoolExecutor`` starts another thread for each call it receives while
    it has fewer than ``_max_workers``, so the new limit applies from the next call on.
    Returns whether it could: outside a pool thread, or where the pool looks different,
    nothing changes (with a warning in the latter case).
    """
    if not shims_enabled():
        warn_fallback("serving more than 4 provider calls at once", "turned off")
        return False
    executor = _executor_of(threading.current_thread())
    if executor is None:
        return False
    limit = getattr(executor, "_max_workers", None)
    if not isinstance(limit, int):
        warn_fallback("serving more than 4 provider calls at once", "the pool looks different")
        return False
    if limit < workers:
        executor._max_workers = workers
    return True


def _executor_of(thread: threading.Thread) -> ThreadPoolExecutor | None:
    # A worker thread's target is ``concurrent.futures.thread._worker``, whose first argument
    # is a weak reference to its executor (CPython 3.8 to 3.14).
    args = getattr(thread, "_args", None)
    reference = args[0] if isinstance(args, tuple) and args else None
    executor = reference() if isinstance(reference, weakref.ReferenceType) else None
    return executor if isinstance(executor, ThreadPoolExecutor) else None


def _dynamic_main_source() -> str | None:
    # Read, never imported: importing ``pulumi.dynamic.__main__`` runs its ``main()``, which
    # starts a provider server and blocks forever.
    try:
        spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as source:
            return source.read()
    except OSError:
        return None


# --- our failures shown as their sentence, not as a traceback -------------------------------
#
# From SDK 3.260 on, ``python -m pulumi.dynamic`` wraps Create, Read, Update, Delete, Check
# and Diff in ``_abort_with_traceback``, which answers the engine with
# ``traceback.format_exc()``: the user's row then reads ``error: Traceback (most recent call
# last):`` and the sentence that matters comes 12 lines later. The wrapper looks the name
# ``traceback`` up in its module's globals when it fails, and that module is ``__main__`` of
# the provider process; replacing that global with ``_PlainFailures`` makes ``format_exc()``
# return just the message for our user-facing errors, and the real traceback for any other
# exception. Before 3.260 the methods were not wrapped: grpc answers
# ``Exception calling application: <message>``, one line, so nothing is needed there.

PLAIN_FAILURES = "showing failures without a traceback"
#: The first SDK release that answers a failed provider call with its traceback.
TRACEBACK_ANSWERS_FROM = (3, 260, 0)
_WRAPPED = "wrapped"
_LEGACY = "legacy"
_WRAPPED_METHODS = ("Check", "Diff", "Create", "Read", "Update", "Delete")


def sdk_version() -> tuple[int, ...] | None:
    """The installed Pulumi SDK's release as numbers, e.g. ``(3, 272, 0)``; None if unknown."""
    try:
        text = importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return None
    numbers = re.match(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(n) for n in numbers.groups()) if numbers else None


def sdk_answers_failures_with_tracebacks(version: tuple[int, ...] | None) -> bool:
    """Whether an SDK of ``version`` needs ``show_plainly`` (an unknown one is assumed to)."""
    return version is None or version >= TRACEBACK_ANSWERS_FROM


class _PlainFailures:
    """Stands in for the ``traceback`` module in the provider server's ``__main__``."""

    def __init__(self, real: Any, user_facing: type[BaseException]) -> None:
        self._real = real
        self.user_facing: tuple[type[BaseException], ...] = (user_facing,)

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        failure = sys.exc_info()[1]
        if isinstance(failure, self.user_facing):
            logging.getLogger("pulumi_commvault").debug(
                "%s", self._real.format_exc(*args, **kwargs)
            )
            return str(failure)
        return str(self._real.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def servicer_shape(namespace: dict[str, Any]) -> str | None:
    """How the dynamic provider server in ``namespace`` (a module's globals) answers a failed
    call: ``"wrapped"`` (3.260+, through ``traceback.format_exc``), ``"legacy"`` (before
    3.260, grpc's one line), None when there is no such server (a program process, a test),
    or a problem, described, when it looks like neither."""
    servicer = namespace.get("DynamicResourceProviderServicer")
    if not isinstance(servicer, type):
        return None
    create = servicer.__dict__.get("Create")
    qualname = getattr(create, "__qualname__", "")
    if qualname == "DynamicResourceProviderServicer.Create":
        return _LEGACY
    code = getattr(create, "__code__", None)
    names = set(getattr(code, "co_names", ()))
    if (
        qualname == "_abort_with_traceback.<locals>.wrapper"
        and {"traceback", "format_exc", "abort"} <= names
        and isinstance(namespace.get("traceback"), _PlainFailures | types.ModuleType)
        and getattr(namespace["traceback"], "format_exc", None) is not None
    ):
        return _WRAPPED
    return f"the provider server's Create is now {qualname or create!r} (using {sorted(names)})"


def plain_failures_problems(version: tuple[int, ...] | None = None) -> list[str]:
    """What ``show_plainly`` relies on that the installed SDK (or one of ``version``, with
    the installed source) does not have; nothing before 3.260, which does not need it."""
    if not sdk_answers_failures_with_tracebacks(version or sdk_version()):
        return []
    source = _dynamic_main_source()
    if source is None:
        return ["the source of pulumi.dynamic.__main__ cannot be read"]
    return traceback_wrapper_problems(ast.parse(source))


def traceback_wrapper_problems(module: ast.Module) -> list[str]:
    """How the SDK's ``pulumi.dynamic.__main__`` (parsed, never run) differs from the server
    ``show_plainly`` expects: a module-level ``import traceback``, an ``_abort_with_traceback``
    that answers ``traceback.format_exc()``, and the servicer's methods wrapped in it."""
    found: list[str] = []
    if not any(
        isinstance(node, ast.Import)
        and any(a.name == "traceback" and not a.asname for a in node.names)
        for node in module.body
    ):
        found.append("python -m pulumi.dynamic no longer imports traceback as a global")
    wrapper = _top_level(module, ast.FunctionDef, "_abort_with_traceback")
    calls = {ast.unparse(n.func) for n in ast.walk(wrapper) if isinstance(n, ast.Call)}
    if not {"traceback.format_exc", "context.abort"} <= calls:
        found.append(
            "_abort_with_traceback no longer answers context.abort(traceback.format_exc())"
        )
    servicer = _top_level(module, ast.ClassDef, "DynamicResourceProviderServicer")
    wrapped = {
        item.name
        for item in getattr(servicer, "body", [])
        if isinstance(item, ast.FunctionDef)
        and [ast.unparse(d) for d in item.decorator_list] == ["_abort_with_traceback"]
    }
    for method in _WRAPPED_METHODS:
        if method not in wrapped:
            found.append(f"the servicer's {method} is no longer wrapped in _abort_with_traceback")
    return found


def _top_level(module: ast.Module, kind: type[ast.stmt], name: str) -> ast.AST:
    """The module's top-level definition ``name``; an empty module when there is none (so
    that walking it finds nothing)."""
    for node in module.body:
        if isinstance(node, kind) and getattr(node, "name", "") == name:
            return node
    return ast.Module(body=[], type_ignores=[])


def show_plainly(user_facing: type[BaseException], namespace: dict[str, Any] | None = None) -> None:
    """From now on, a ``user_facing`` error reaches the user as its message alone.

    Call it in the provider process (e.g. in ``configure``): the server is the one in
    ``__main__`` (or in ``namespace``, for tests); where there is none (the program's
    process), or on an SDK before 3.260 (which answers the message alone), it does nothing.
    Idempotent.
    """
    if namespace is None:
        namespace = getattr(sys.modules.get("__main__"), "__dict__", {})
    shape = servicer_shape(namespace)
    if shape in (None, _LEGACY) or not sdk_answers_failures_with_tracebacks(sdk_version()):
        return
    if shape != _WRAPPED:
        warn_fallback(PLAIN_FAILURES, shape)
        return
    if not shims_enabled():
        warn_fallback(PLAIN_FAILURES, "turned off")
        return
    current = namespace["traceback"]
    if isinstance(current, _PlainFailures):
        if user_facing not in current.user_facing:
            current.user_facing += (user_facing,)
    else:
        namespace["traceback"] = _PlainFailures(current, user_facing)


def problems() -> list[str]:
    """Everything this module relies on that the installed SDK or Python no longer has."""
    return (
        registration_problems()
        + pool_problems()
        + plain_failures_problems()
        + cancel_problems()
        + row_log_problems()
    )


# --- the engine's Cancel (Ctrl-C) -----------------------------------------------------------
#
# ``python -m pulumi.dynamic`` answers the engine's ``Cancel`` RPC with a no-op, and an
# in-flight Create's gRPC context is never cancelled (the engine makes its requests with
# ``context.WithoutCancel``), so a provider cannot see a Ctrl-C. The servicer's methods
# were bound when the server started, so the class cannot be patched; instead the code
# object of its ``Cancel`` function is swapped for ``_cancel_replacement``'s, which calls
# ``_pulumi_commvault_on_cancel`` from the servicer module's globals. Fallback: a wait goes on
# until the jobs end (or ``timeout_minutes``), as without this package's help.

CANCEL_HOOK_NAME = "_pulumi_commvault_on_cancel"
_SDK_CANCEL_NAMES = ("empty_pb2", "Empty")
_cancel_callbacks: list[Callable[[], None]] = []
#: The servicer module's own ``empty_pb2`` is what ``_cancel_replacement`` uses at run time.
empty_pb2: Any = importlib.import_module("google.protobuf.empty_pb2")
_cancel_lock = threading.Lock()


def _pulumi_commvault_on_cancel() -> None:
    """Run every registered cancel callback (installed into the servicer's module)."""
    with _cancel_lock:
        callbacks = list(_cancel_callbacks)
    for callback in callbacks:
        callback()


def _cancel_replacement(self: Any, request: Any, context: Any) -> Any:
    # Runs with the servicer module's globals: both names below are looked up there.
    _pulumi_commvault_on_cancel()
    return empty_pb2.Empty()


def _dynamic_main() -> Any | None:
    """The running ``pulumi.dynamic`` server module, when this is a dynamic provider process."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) == "pulumi.dynamic.__main__" or hasattr(
        main, "DynamicResourceProviderServicer"
    ):
        return main
    return None


def _cancel_code_problems(code: CodeType | None) -> list[str]:
    if code is None:
        return ["the servicer's Cancel is not a plain function"]
    found: list[str] = []
    if code.co_names != _SDK_CANCEL_NAMES or code.co_freevars:
        found.append(f"the servicer's Cancel does more than return Empty now ({code.co_names})")
    if code.co_argcount != 3:
        found.append(f"the servicer's Cancel takes {code.co_argcount} arguments, not 3")
    return found


def _sdk_servicer_code(name: str) -> CodeType | None:
    """``DynamicResourceProviderServicer.<name>``'s code, compiled from the SDK's source.

    Compiled, never run: importing ``pulumi.dynamic.__main__`` would start a server.
    """
    source = _dynamic_main_source()
    if source is None:
        return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == "DynamicResourceProviderServicer":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    item.decorator_list = []
                    module = ast.Module(body=[item], type_ignores=[])
                    compiled = compile(module, "<pulumi.dynamic servicer>", "exec")
                    for constant in compiled.co_consts:
                        if isinstance(constant, CodeType) and constant.co_name == name:
                            return constant
    return None


def cancel_problems() -> list[str]:
    """What ``on_engine_cancel`` relies on that the installed SDK does not have."""
    main = _dynamic_main()
    if main is not None:
        servicer = getattr(main, "DynamicResourceProviderServicer", None)
        function = getattr(servicer, "Cancel", None) if servicer is not None else None
        if function is None:
            return ["python -m pulumi.dynamic has no DynamicResourceProviderServicer.Cancel"]
        if getattr(function, "__code__", None) is _cancel_replacement.__code__:
            return []
        if "empty_pb2" not in vars(main):
            return ["python -m pulumi.dynamic no longer imports empty_pb2"]
        return _cancel_code_problems(getattr(function, "__code__", None))
    code = _sdk_servicer_code("Cancel")
    if code is None:
        return ["python -m pulumi.dynamic has no DynamicResourceProviderServicer.Cancel"]
    return _cancel_code_problems(code)


def on_engine_cancel(callback: Callable[[], None]) -> bool:
    """Call ``callback`` when the engine sends ``Cancel`` (the user pressed Ctrl-C).

    Returns whether the hook is in place. Outside a dynamic provider process (a test that
    calls the provider directly) nothing is installed; where the SDK looks different, or
    with the shims off, a warning says that Ctrl-C will not end a wait early.
    """
    what = "ending a wait early on Ctrl-C"
    if not shims_enabled():
        warn_fallback(what, "turned off")
        return False
    main = _dynamic_main()
    if main is None:
        return False
    with _cancel_lock:
        if callback not in _cancel_callbacks:
            _cancel_callbacks.append(callback)
        problems = cancel_problems()
        if problems:
            _cancel_callbacks.remove(callback)
        else:
            vars(main)[CANCEL_HOOK_NAME] = _pulumi_commvault_on_cancel
            main.DynamicResourceProviderServicer.Cancel.__code__ = _cancel_replacement.__code__
    if problems:
        warn_fallback(what, "; ".join(problems))
        return False
    return True


# --- a line on the resource's own row ---------------------------------------------------------
#
# A dynamic provider has no engine connection (``pulumi.log`` prints to stderr, which the
# engine shows on the Stack's row). But the engine passes its address as the provider's
# first argument, and each Create/Update/Read/Delete request carries the resource's URN, so
# the provider can send the engine a ``Log`` for that URN itself: the line then shows on
# the resource's row. The URN is taken from the servicer frame's ``request`` local.
# Fallback: the line is printed to stdout (the Stack's row), self-contained.

ROW_LOG_TIMEOUT_S = 2.0
_engine_stubs: dict[str, Any] = {}
_engine_lock = threading.Lock()


def row_log_problems() -> list[str]:
    """What ``log_on_row`` relies on that the installed SDK does not have."""
    found: list[str] = []
    try:
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2
    except ImportError as exc:
        return [f"the engine's protocol modules moved: {exc}"]
    fields = engine_pb2.LogRequest.DESCRIPTOR.fields_by_name
    if not {"severity", "message", "urn", "ephemeral"} <= set(fields):
        found.append("LogRequest no longer has severity, message, urn and ephemeral")
    if not hasattr(engine_pb2_grpc, "EngineStub"):
        found.append("the engine's gRPC stub is no longer EngineStub")
    for request in ("CreateRequest", "UpdateRequest", "ReadRequest", "DeleteRequest"):
        if "urn" not in getattr(provider_pb2, request).DESCRIPTOR.fields_by_name:
            found.append(f"{request} no longer carries the resource's urn")
    for method in ("Create", "Update", "Read", "Delete"):
        code = _sdk_servicer_code(method)
        names = code.co_varnames[:3] if code is not None else ()
        if names != ("self", "request", "context"):
            found.append(f"the servicer's {method} takes {names}, not (self, request, context)")
    return found


def current_resource_urn() -> str | None:
    """The URN of the resource whose Create/Update/Read/Delete this thread is serving."""
    main = _dynamic_main()
    if main is None:
        return None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is vars(main):
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn:
                return urn
        frame = frame.f_back
    return None


def _engine_address() -> str | None:
    address = sys.argv[1] if len(sys.argv) > 1 else ""
    host, _, port = address.rpartition(":")
    return address if host and port.isdigit() else None


def log_on_row(urn: str | None, message: str, *, ephemeral: bool = True) -> bool:
    """Show ``message`` on the row of the resource ``urn`` in ``pulumi up``'s display.

    ``ephemeral`` lines replace each other on the row and are left out of the final
    diagnostics. Returns whether the engine took it; when not, the caller prints the line.
    """
    what = "progress on the resource's row"
    if not shims_enabled():
        warn_fallback(what, "turned off")
        return False
    address = _engine_address()
    if urn is None or address is None or _dynamic_main() is None:
        return False
    try:
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

        with _engine_lock:
            stub = _engine_stubs.get(address)
            if stub is None:
                stub = _engine_stubs[address] = engine_pb2_grpc.EngineStub(
                    grpc.insecure_channel(address)
                )
        stub.Log(
            engine_pb2.LogRequest(
                severity=engine_pb2.INFO, message=message, urn=urn, ephemeral=ephemeral
            ),
            timeout=ROW_LOG_TIMEOUT_S,
        )
        return True
    except (ImportError, AttributeError, TypeError, ValueError, grpc.RpcError) as exc:
        warn_fallback(what, f"the engine did not take the line: {type(exc).__name__}")
        return False
