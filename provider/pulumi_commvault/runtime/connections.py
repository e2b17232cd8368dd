"""One ``CommvaultClient`` per CommServe per provider process: one session, one login.

The provider object is pickled into the stack's state, so it holds no client; this module
does, and it is imported by reference in the provider process. Each CommServe also gets one
``MarkedJobIndex``, so a ``pulumi up`` of many resources lists the marked jobs once.
"""

from __future__ import annotations

import threading

from ..commvault.backups import MarkedJobIndex
from ..commvault.client import CommvaultClient
from ..commvault.connection import ConnectionSettings

_clients: dict[ConnectionSettings, CommvaultClient] = {}
_indexes: dict[ConnectionSettings, MarkedJobIndex] = {}
_lock = threading.Lock()


def client_for(settings: ConnectionSettings) -> CommvaultClient:
    """The process's client for these settings, created on first use."""
    with _lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = CommvaultClient.from_settings(settings)
        return client


def marked_jobs_for(settings: ConnectionSettings) -> MarkedJobIndex:
    """The process's index of marked jobs on that CommServe (see ``MarkedJobIndex``)."""
    with _lock:
        return _indexes.setdefault(settings, MarkedJobIndex())


def close_all() -> None:
    """Log out and close every cached client (for tests and long-lived processes)."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
        _indexes.clear()
    for client in clients:
        client.close()
