"""The HTTP transport: one ``requests.Session``, its timeouts, TLS and retries.

Retries of the transport are configured here and nowhere else:
- every request is retried after a failure to connect, which proves it never left; but
  until the CommServe has answered once, a refused connection or an unknown host name is
  not retried: that is a wrong URL or a CommServe that is down, and the user should hear it
  at once rather than after a minute of backoff (``FirstContact``); nor is a connection
  dropped on an ``http://`` URL whose port answers a TLS handshake (``ServesTLSError``);
- reads are also retried after a dropped answer, 429, 502, 503 or 504, with exponential
  backoff and jitter, honouring ``Retry-After``, within a time budget. Reads are GETs and
  the POSTs that only read or are safe to repeat (``READING_POSTS``: job listings, job
  details, logins); a job action such as ``POST Job/{id}/action/kill`` is not one.

``POST CreateTask`` is never re-sent by the transport once it may have reached the server:
whether to send a backup request again is ``guard.start``'s decision, taken
after looking for the job the request may have started.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import (
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
)
from urllib3.util.retry import Retry

log = logging.getLogger("pulumi_commvault")

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
#: POST endpoints that only read (or, for a login, are safe to repeat): retried like GETs.
READING_POSTS = ("Jobs", "JobDetails", "Login", "RenewLoginToken")
#: Connections kept open per CommServe: as many as the provider serves calls at once
#: (``provider.PROVIDER_WORKERS``), so none is opened and dropped for lack of room.
CONNECTIONS_PER_HOST = 16


class FirstContact:
    """Whether the CommServe has answered this session yet (any HTTP answer counts).

    Before it has, a connection that is refused (or a host name that does not resolve, or a
    proxy from ``HTTP(S)_PROXY`` that refuses) is not retried: nothing listens at that
    address, and retrying for a minute only hides a wrong URL or proxy. Once it has
    answered, the same failure is a CommServe restarting, and is retried like any other
    failure to connect.
    """

    def __init__(self) -> None:
        self.answered = False
        self.tls_probed = False

    def seen(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        """A ``requests`` response hook."""
        self.answered = True


class ServesTLSError(HTTPError):
    """An ``http://`` URL to a port that serves HTTPS: the server dropped the plain request,
    and the same port answers a TLS handshake."""


def speaks_tls(host: str, port: int, *, timeout_s: float = 3.0) -> bool:
    """Whether ``host:port`` answers a TLS handshake. No request is sent and no certificate
    is checked: this only tells a wrong scheme from a server that dropped a connection."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


class BudgetedRetry(Retry):
    """urllib3's Retry within a time budget, counted from the first failure of a call.

    A server's ``Retry-After`` is honoured but capped at the budget, so no call sleeps for the
    hour a rate limiter may ask for. With a ``first_contact``, a refused connection before the
    CommServe ever answered is not retried (see ``FirstContact``), nor a dropped one that a
    TLS handshake shows to be an ``http://`` URL to an HTTPS port.
    """

    def __init__(
        self,
        *args: Any,
        budget_s: float = 60.0,
        deadline: float | None = None,
        first_contact: FirstContact | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget_s = budget_s
        self.deadline = deadline
        self.first_contact = first_contact

    def new(self, **kwargs: Any) -> Self:
        # ``new`` makes the copy for the next try, so the clock starts at the first failure.
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.budget_s
        carried = {"budget_s": self.budget_s, "deadline": deadline}
        return super().new(**{**carried, "first_contact": self.first_contact, **kwargs})

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if _pool is not None and self._plain_http_to_a_tls_port(error, _pool):
            wrong = ServesTLSError(f"{_pool.host}:{_pool.port} serves HTTPS, not plain HTTP")
            raise MaxRetryError(_pool, url, wrong) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def _plain_http_to_a_tls_port(self, error: Exception | None, pool: ConnectionPool) -> bool:
        """Probed once, before the first answer, on the first dropped plain-HTTP connection."""
        contact = self.first_contact
        if contact is None or contact.answered or contact.tls_probed:
            return False
        if not isinstance(error, ProtocolError) or pool.scheme != "http":
            return False
        contact.tls_probed = True
        return speaks_tls(str(pool.host), pool.port or 80)

    def is_exhausted(self) -> bool:
        out_of_time = self.deadline is not None and time.monotonic() >= self.deadline
        return out_of_time or self._nobody_there() or super().is_exhausted()

    def _nobody_there(self) -> bool:
        if self.first_contact is None or self.first_contact.answered or not self.history:
            return False
        error = self.history[-1].error
        if isinstance(error, ProxyError):
            error = error.original_error
        return isinstance(error, NewConnectionError)

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.budget_s)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries; the defaults suit a CommServe behind a load balancer.

    Attributes:
        attempts: tries of a read after the first, for each kind of failure.
        backoff_factor_s: first backoff; each retry doubles it, plus up to ``jitter_s``.
        backoff_max_s: the cap of one backoff (a ``Retry-After`` is capped at ``budget_s``).
        jitter_s: random extra added to each backoff so clients do not retry in step.
        create_attempts: sends of one CreateTask in all, each after proving no job started.
        budget_s: the most time one call spends retrying, from its first failure.
    """

    attempts: int = 5
    backoff_factor_s: float = 0.5
    backoff_max_s: float = 10.0
    jitter_s: float = 0.5
    create_attempts: int = 3
    budget_s: float = 60.0

    def for_reads(
        self,
        *,
        methods: frozenset[str] = frozenset({"GET"}),
        first_contact: FirstContact | None = None,
    ) -> Retry:
        """Retry connection failures of any request, and failures of ``methods`` after
        the request was sent (a dropped answer, a retryable status)."""
        return BudgetedRetry(
            total=self.attempts,
            connect=self.attempts,
            read=self.attempts,
            status=self.attempts,
            other=0,
            allowed_methods=methods,
            status_forcelist=RETRYABLE_STATUSES,
            backoff_factor=self.backoff_factor_s,
            backoff_max=self.backoff_max_s,
            backoff_jitter=self.jitter_s,
            respect_retry_after_header=True,
            raise_on_status=False,
            budget_s=self.budget_s,
            first_contact=first_contact,
        )

    def for_create_task(self, *, first_contact: FirstContact | None = None) -> Retry:
        """Retry only connection failures: the request provably never reached the server.

        Kept apart from ``for_reads`` so that no later change to what reads retry can make
        the transport re-send a backup request.
        """
        return BudgetedRetry(
            total=self.attempts,
            connect=self.attempts,
            read=0,
            status=0,
            other=0,
            # Only connection failures are retried; POST is listed nowhere else. (An empty
            # collection would mean "any method" to urllib3.)
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.backoff_factor_s,
            backoff_max=self.backoff_max_s,
            backoff_jitter=self.jitter_s,
            raise_on_status=False,
            budget_s=self.budget_s,
            first_contact=first_contact,
        )


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect and to wait for an answer; nothing waits forever."""

    connect_s: float = 5.0
    read_s: float = 30.0

    def as_tuple(self) -> tuple[float, float]:
        return (self.connect_s, self.read_s)


def build_session(
    base_url: str,
    *,
    retry: RetryPolicy,
    ca_bundle: str | None = None,
    insecure: bool = False,
    pool_size: int = CONNECTIONS_PER_HOST,
) -> requests.Session:
    """A session with JSON headers, TLS settings, and the retrying adapters mounted."""
    session = requests.Session()
    session.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
    _read_environment_once(session, base_url, ca_bundle=ca_bundle, insecure=insecure)
    if insecure:
        warnings.warn(
            f"TLS certificate verification is disabled for {base_url} (insecure=True); "
            "anyone on the path can read the Commvault token",
            stacklevel=3,
        )
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        session.verify = False
    elif ca_bundle:
        session.verify = ca_bundle
    base = base_url.rstrip("/")
    contact = FirstContact()
    session.hooks["response"].append(contact.seen)
    reads = retry.for_reads(first_contact=contact)
    for prefix in ("http://", "https://"):
        session.mount(prefix, HTTPAdapter(max_retries=reads, pool_maxsize=pool_size))
    reading = retry.for_reads(methods=frozenset({"GET", "POST"}), first_contact=contact)
    for path in READING_POSTS:
        # A prefix: ``Jobs`` also covers ``Jobs?...``; requests matches prefixes ignoring case.
        session.mount(f"{base}/{path}", HTTPAdapter(max_retries=reading, pool_maxsize=pool_size))
    session.mount(
        f"{base}/CreateTask",
        HTTPAdapter(
            max_retries=retry.for_create_task(first_contact=contact), pool_maxsize=pool_size
        ),
    )
    return session


def _read_environment_once(
    session: requests.Session, base_url: str, *, ca_bundle: str | None, insecure: bool
) -> None:
    """Take the proxy and CA settings from the environment now, not at every request.

    With ``trust_env`` a session scans the whole environment for proxy variables on each
    request (measured under cProfile: 0.8 ms of the 2.9 ms of CPU a create cost). The
    environment a provider process sees does not change, so it is read here, once:
    ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` for the CommServe, and
    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` when no CA bundle is configured. ``.netrc``
    is not read: the CommServe is authenticated by token, never by basic auth.
    """
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    if not insecure and not ca_bundle:
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    session.trust_env = False
