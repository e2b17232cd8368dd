"""A line on the resource's own row of ``pulumi up``: the engine's ``Log`` for its URN."""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

import grpc

from . import sdk_source
from .fallbacks import shims_enabled, warn_fallback

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
        code = sdk_source.servicer_method_code(method)
        names = code.co_varnames[:3] if code is not None else ()
        if names != ("self", "request", "context"):
            found.append(f"the servicer's {method} takes {names}, not (self, request, context)")
    return found


def current_resource_urn() -> str | None:
    """The URN of the resource whose Create/Update/Read/Delete this thread is serving."""
    main = sdk_source.running_dynamic_main()
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
    if urn is None or address is None or sdk_source.running_dynamic_main() is None:
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
