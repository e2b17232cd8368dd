"""The HTTP(S) server: reads a request, applies latency and faults, answers, logs.

``ThreadingHTTPServer`` with daemon threads and HTTP/1.1 keep-alive; every answer has a
``Content-Length``. TLS handshakes run in the request thread, so a silent client cannot
stall the accept loop.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from commvault_emulator import faults
from commvault_emulator.api import dispatch, presented_token
from commvault_emulator.control import handle_control
from commvault_emulator.endpoints import BY_NAME, UNKNOWN, route
from commvault_emulator.ratelimit import READS, WRITES
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, not_found, too_many_requests
from commvault_emulator.routing import (
    CONTROL_PREFIX,
    DEFAULT_PREFIX,
    Route,
    api_relative,
    is_control,
    split_target,
)
from commvault_emulator.state import State
from commvault_emulator.xml_answers import as_xml, wants_xml

MAX_BODY_BYTES = 16 * 1024 * 1024
RATE_LIMITED = "rate_limit"
"""What the request log's ``fault`` shows for a call refused by the tenant's budget."""


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 resets connections when a fleet's calls arrive at once.
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        state: State,
        tls: ssl.SSLContext | None = None,
        quiet: bool = False,
    ) -> None:
        self.state = state
        self.tls = tls
        self.quiet = quiet
        super().__init__(address, EmulatorHandler)

    @property
    def root_url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls else 'http'}://{shown}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + DEFAULT_PREFIX

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            wrapped.settimeout(None)
            EmulatorHandler(wrapped, client_address, self)
        finally:
            wrapped.close()


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK, about 40 ms per answer on Linux.
    disable_nagle_algorithm = True
    server_version = "CommvaultEmulator/1.0"
    timeout = 120
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the base class; ``_log`` writes one line per API request instead."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(Response(400, b'"Request body is empty or format is invalid"'))
            return
        path, query = split_target(self.path)
        if is_control(path):
            self._send(
                handle_control(self.server.state, self.command, path[len(CONTROL_PREFIX) :], body)
            )
            return
        rel = api_relative(path)
        found = route(rel) if rel is not None else Route(UNKNOWN)
        request = ApiRequest(
            method=self.command,
            target=self.path,
            rel_path=rel if rel is not None else path,
            query=query,
            body=body,
            token=presented_token(self.headers.get("Authtoken"), self.headers.get("Authorization")),
            accept_xml=wants_xml(self.headers.get("Accept")),
        )
        self._answer_api(request, found, rel is not None)

    def _answer_api(self, request: ApiRequest, found: Route, under_api: bool) -> None:
        state = self.server.state
        arrived = time.time()
        if state.settings.latency_ms > 0:
            time.sleep(state.settings.latency_ms / 1000)
        fault = state.take_fault(request.method, request.rel_path) if under_api else None
        kind = fault.kind if fault else None
        # Each request is logged before its answer leaves, so a client that has its answer
        # always finds the request in the log.
        if fault and fault.kind == faults.DROP:
            self._log(request, found, arrived, 0, kind, None)
            self._drop()
            return
        if fault and fault.kind == faults.DELAY:
            time.sleep(fault.delay_seconds)
        if fault and fault.kind == faults.EXPIRE_TOKEN:
            with state.lock:
                state.tokens.expire(request.token)
        canned = faults.fault_answer(fault) if fault else None
        endpoint = BY_NAME.get(found.endpoint) if under_api else None
        refusal = (
            state.rate_limited(WRITES if endpoint.writes else READS)
            if canned is None and endpoint is not None
            else None
        )
        if canned is not None:
            response = canned
        elif refusal is not None:
            response = too_many_requests(refusal.headers())
            kind = RATE_LIMITED
        elif under_api:
            response = dispatch(state, request, found)
        else:
            response = not_found(f"path [{request.rel_path}]")
        if request.accept_xml:
            response = as_xml(response)
        if fault and fault.kind == faults.LOSE_ANSWER:
            time.sleep(fault.delay_seconds)  # the job runs while its sender still waits
            self._log(request, found, arrived, 0, kind, response.job_ids)
            self._drop()
            return
        self._log(request, found, arrived, response.status, kind, response.job_ids)
        self._send(response)

    def _drop(self) -> None:
        """Close the connection without a byte of answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)
        self.wfile.flush()

    def _log(
        self,
        request: ApiRequest,
        found: Route,
        arrived: float,
        status: int,
        fault: str | None,
        job_ids: list[str] | None,
    ) -> None:
        """Record the request; only method, path, endpoint and outcome: never a credential."""
        self.server.state.record(
            time=arrived,
            method=request.method,
            path=request.target,
            endpoint=found.endpoint,
            status=status,
            fault=fault,
            job_ids=job_ids,
        )
        if not self.server.quiet:
            note = f" [fault {fault}]" if fault else ""
            print(
                f"{request.method} {request.target} -> {status}{note}", file=sys.stderr, flush=True
            )
