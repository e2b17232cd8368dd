"""The plugin's link to the engine: the URN a thread serves, log lines on a resource's row
(the engine's ``Log`` RPC, its address the plugin's first argument), and Cancel.

Installed as the core's front end (``provider.front_end``) when the plugin starts; speaks
only the engine's protocol stubs (``pulumi.runtime.proto``), no SDK internals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from ..runtime import cancellation

LOG_TIMEOUT_S = 2.0


class EngineLink:
    """The core's front end in the plugin process."""

    def __init__(self, engine_address: str | None) -> None:
        self._stub = (
            engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))
            if engine_address
            else None
        )
        self._serving = threading.local()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @contextmanager
    def serving(self, urn: str) -> Iterator[None]:
        """This thread serves the resource ``urn`` for the duration."""
        self._serving.urn = urn
        try:
            yield
        finally:
            self._serving.urn = None

    def resource_urn(self) -> str | None:
        urn = getattr(self._serving, "urn", None)
        return urn if isinstance(urn, str) and urn else None

    def log_on_row(self, urn: str | None, line: str, *, ephemeral: bool) -> bool:
        if self._stub is None or urn is None:
            return False
        request = engine_pb2.LogRequest(
            severity=engine_pb2.INFO, message=line, urn=urn, ephemeral=ephemeral
        )
        try:
            self._stub.Log(request, timeout=LOG_TIMEOUT_S)
        except grpc.RpcError:
            return False
        return True

    def warn(self, line: str) -> bool:
        """A warning of the provider as a whole (no resource's row): the stack's diagnostics."""
        if self._stub is None:
            return False
        request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=line)
        try:
            self._stub.Log(request, timeout=LOG_TIMEOUT_S)
        except grpc.RpcError:
            return False
        return True

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback not in self._callbacks:
                self._callbacks.append(callback)

    def cancel(self) -> None:
        """The engine's Cancel: every wait ends (the dynamic path's flag, then callbacks)."""
        cancellation.request()
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()
