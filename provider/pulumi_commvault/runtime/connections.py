"""One ``CommvaultClient`` per CommServe per provider process: one session, one login.

The provider object is pickled into the stack's state, so it holds no client; this module
does, and it is imported by reference in the provider process. Each CommServe also gets one
``MarkedJobIndex``, so a ``pulumi up`` of many resources lists the marked jobs of the same
clients once, and one ``JobWatcher``, so all of its waiting resources poll together. The
record of what this machine sent (``SendJournal``) is one per state directory.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from ..commvault.backups import MarkedJobIndex
from ..commvault.client import CommvaultClient
from ..commvault.connection import ConnectionSettings
from ..commvault.journal import SendJournal
from ..commvault.watcher import JobWatcher, Pacing
from .reporting import warn
from .settings import state_dir

_clients: dict[ConnectionSettings, CommvaultClient] = {}
_indexes: dict[ConnectionSettings, MarkedJobIndex] = {}
_watchers: dict[ConnectionSettings, JobWatcher] = {}
_journals: dict[Path, SendJournal] = {}
_lock = threading.Lock()
#: The least time between two reads of a watcher that predicts the jobs' end: it reads
#: when they should have ended, so a shorter gap costs reads only when a prediction misses.
PREDICTED_ROUND_GAP_S = 1.0


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
        index = _indexes.get(settings)
        if index is None:
            index = _indexes[settings] = MarkedJobIndex(notice=warn)
        return index


def journal() -> SendJournal:
    """The record of this machine's sends, in ``COMMVAULT_STATE_DIR`` (see ``SendJournal``)."""
    directory = state_dir()
    with _lock:
        found = _journals.get(directory)
        if found is None:
            found = _journals[directory] = SendJournal(directory, notice=warn)
        return found


def watcher_for(
    settings: ConnectionSettings, *, max_reads_per_hour: int | None, predict_end: bool = False
) -> JobWatcher:
    """The process's job watcher for that CommServe (see ``JobWatcher``).

    The read budget is the process's (``commvault:maxReadsPerHour``), so the watcher made
    first keeps it. ``predict_end`` (a program's hooks, whose wait holds the deployment):
    jobs are read when their progress says they end, rounds at least
    ``PREDICTED_ROUND_GAP_S`` apart; the watcher made first keeps its pacing too.
    """
    client = client_for(settings)
    with _lock:
        watcher = _watchers.get(settings)
        if watcher is None:
            pacing = Pacing(max_reads_per_hour=max_reads_per_hour)
            if predict_end:
                pacing = replace(pacing, predict_end=True, min_round_gap_s=PREDICTED_ROUND_GAP_S)
            watcher = _watchers[settings] = JobWatcher(client, pacing=pacing)
        return watcher


def close_all() -> None:
    """Log out and close every cached client (for tests and long-lived processes)."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
        _indexes.clear()
        _watchers.clear()
        _journals.clear()
    for client in clients:
        client.close()
