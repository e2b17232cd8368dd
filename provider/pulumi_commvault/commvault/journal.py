"""A record, on this machine, of when each marked request was sent and which jobs it started.

Where a CommServe shows job descriptions, the marker finds a request's jobs again. Where it
shows them nowhere (``recognition``), this record is the evidence a re-run has: the jobs an
earlier run was answered with are adopted by id, and a send that got no answer (lost, or
interrupted) gives the window its job must have started in. One small JSON file per
CommServe and request marker, replaced whole on each write, dropped after a day.

It holds no secret: CommServe URLs, markers, times and job ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger("pulumi_commvault")

#: How long a send is kept: as far back as the duplicate guard looks (``guard.listing``).
KEEP_S = 24 * 3600


@dataclass(frozen=True)
class Send:
    """One CreateTask of a request: sent at ``sent_at``; a job it started began by ``until``
    (its answer, its failure, or, if the process died, the end of its read timeout)."""

    sent_at: float
    until: float
    job_ids: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return bool(self.job_ids)


@dataclass(frozen=True)
class OtherSend:
    """A send of another request of this machine, unanswered, for a database this one has
    too: a twin whose lost answer's job may be among this request's candidates."""

    marker: str
    send: Send


@dataclass
class _Recorded:
    """What the directory holds for one request: its databases and its sends' job ids."""

    databases: frozenset[str] = frozenset()
    sends: list[Send] = field(default_factory=list)


class SendJournal:
    """The sends of this machine's processes, in ``directory`` (made when first written).

    Every write and every read of other requests' records goes through one lock; a send in
    flight is known to this process until it is settled, so a twin request of the same
    process can wait for it (``wait_for_twins``).
    """

    def __init__(self, directory: Path, *, notice: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self._notice = notice or log.warning
        self._changed = threading.Condition()
        self._warned = False
        self._tidied = False
        self._recorded: dict[tuple[str, str], _Recorded] | None = None
        self._in_flight: dict[tuple[str, str, float], frozenset[str]] = {}

    def sends(self, commserve: str, marker: str) -> list[Send]:
        """The request's sends of the last day, oldest first; none when nothing is recorded."""
        path = self._path(commserve, marker)
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["sends"]
            sends = [_send_of(e) for e in entries]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("ignoring the unreadable send record %s: %s", path, exc)
            return []
        oldest = time.time() - KEEP_S
        return [s for s in sends if s.sent_at >= oldest]

    def job_ids_of_others(self, commserve: str, marker: str) -> set[str]:
        """The jobs this machine recorded for the CommServe's other requests: never this
        one's. The directory is read once a process; its own writes are added as made."""
        with self._changed:
            return {
                job_id
                for _, recorded in self._others(commserve, marker)
                for send in recorded.sends
                for job_id in send.job_ids
            }

    def claim(
        self,
        commserve: str,
        marker: str,
        *,
        sent_at: float,
        job_ids: Sequence[str],
        databases: Sequence[str] = (),
    ) -> set[str]:
        """Record ``job_ids`` as the request's, answering its send at ``sent_at``, unless
        another request of this machine holds one of them: those are returned, and nothing
        is recorded. One job, one request."""
        with self._changed:
            taken = self.job_ids_of_others(commserve, marker) & set(job_ids)
            if not taken:
                self.record_send_end(
                    commserve, marker, sent_at=sent_at, job_ids=job_ids, databases=databases
                )
            return taken

    def twin_sends(self, commserve: str, marker: str, database: str) -> list[OtherSend]:
        """Other requests' unanswered sends for ``database`` (``database_name``): each may
        have started a job this request cannot tell from its own."""
        with self._changed:
            return [
                OtherSend(other, send)
                for other, recorded in self._others(commserve, marker)
                if database in recorded.databases
                for send in recorded.sends
                if not send.answered
            ]

    def wait_for_twins(
        self, commserve: str, marker: str, databases: Iterable[str], timeout_s: float
    ) -> None:
        """Until no send of another request of this process for one of ``databases`` is in
        flight (at most ``timeout_s``): its answer says which job is not this request's."""
        wanted = frozenset(databases)

        def none_in_flight() -> bool:
            return not any(
                (where, other) != _key(commserve, marker) and wanted & flying
                for (where, other, _), flying in self._in_flight.items()
                if where == _key(commserve, marker)[0]
            )

        with self._changed:
            self._changed.wait_for(none_in_flight, timeout_s)

    def _others(self, commserve: str, marker: str) -> list[tuple[str, _Recorded]]:
        """Other requests' records on the CommServe; the caller holds the lock."""
        if self._recorded is None:
            self._recorded = self._read_all()
        ours = _key(commserve, marker)
        return [
            (key[1], recorded)
            for key, recorded in self._recorded.items()
            if key[0] == ours[0] and key != ours
        ]

    def _read_all(self) -> dict[tuple[str, str], _Recorded]:
        recorded: dict[tuple[str, str], _Recorded] = {}
        for path in self.directory.glob("*.json"):
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
                key = _key(str(body["commserve"]), str(body["marker"]))
                sends = [_send_of(entry) for entry in body["sends"]]
                databases = frozenset(map(str, body.get("databases", [])))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            recorded[key] = _Recorded(databases, sends)
        return recorded

    def record_send(
        self,
        commserve: str,
        marker: str,
        *,
        sent_at: float,
        timeout_s: float,
        databases: Sequence[str] = (),
    ) -> None:
        """Record a send before it goes out: if this process dies, its window is known."""
        with self._changed:
            self._in_flight[(*_key(commserve, marker), sent_at)] = frozenset(databases)
        self._record(commserve, marker, Send(sent_at, sent_at + timeout_s), databases)

    def record_send_end(
        self,
        commserve: str,
        marker: str,
        *,
        sent_at: float,
        job_ids: Sequence[str] = (),
        databases: Sequence[str] = (),
    ) -> None:
        """Record how a send ended: answered with ``job_ids``, or failed (none) now."""
        self._record(commserve, marker, Send(sent_at, time.time(), tuple(job_ids)), databases)

    def forget_send(
        self, commserve: str, marker: str, *, sent_at: float, databases: Sequence[str] = ()
    ) -> None:
        """Forget a send that provably started nothing (refused, or a 429)."""
        self._replace(commserve, marker, sent_at, None, databases)

    def _record(self, commserve: str, marker: str, send: Send, databases: Sequence[str]) -> None:
        self._replace(commserve, marker, send.sent_at, send, databases)

    def _replace(
        self,
        commserve: str,
        marker: str,
        sent_at: float,
        send: Send | None,
        databases: Sequence[str],
    ) -> None:
        """The send made at ``sent_at`` becomes ``send`` (None: it is forgotten); a send
        that ends is no longer in flight, and whoever waits for it hears so."""
        with self._changed:
            kept = [s for s in self.sends(commserve, marker) if s.sent_at != sent_at]
            self._store(commserve, marker, kept if send is None else [*kept, send], databases)
            if send is None or send.until <= time.time():
                self._in_flight.pop((*_key(commserve, marker), sent_at), None)
            self._changed.notify_all()

    def _store(
        self, commserve: str, marker: str, sends: list[Send], databases: Sequence[str]
    ) -> None:
        if self._recorded is not None:
            self._recorded[_key(commserve, marker)] = _Recorded(frozenset(databases), sends)
        entries = [asdict(s) for s in sends]
        body: dict[str, object] = {"commserve": commserve, "marker": marker, "sends": entries}
        if databases:
            body["databases"] = sorted(databases)
        try:
            self._write(self._path(commserve, marker), json.dumps(body))
        except OSError as exc:
            if not self._warned:
                self._warned = True
                self._notice(
                    f"cannot record what this run sends in {self.directory} ({exc}): "
                    "set COMMVAULT_STATE_DIR to a writable directory. Without the "
                    "record, where the CommServe shows no job descriptions, a re-run "
                    "after an interrupted run stops at a job it cannot tell apart"
                )

    def _write(self, path: Path, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".send-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if not self._tidied:
            self._tidied = True
            self._drop_old()

    def _drop_old(self) -> None:
        """Once a process: a fleet's writes do not each walk the whole directory."""
        oldest = time.time() - KEEP_S
        for path in self.directory.glob("*.json"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except OSError:
                continue

    def _path(self, commserve: str, marker: str) -> Path:
        where, what = _key(commserve, marker)
        key = hashlib.sha256(f"{where}\n{what}".encode()).hexdigest()
        return self.directory / f"{key[:32]}.json"


def _send_of(entry: dict[str, object]) -> Send:
    job_ids = entry["job_ids"]
    if not isinstance(job_ids, list):
        raise TypeError("job_ids is no list")
    return Send(float(str(entry["sent_at"])), float(str(entry["until"])), tuple(map(str, job_ids)))


def _key(commserve: str, marker: str) -> tuple[str, str]:
    """A request as the journal names it: the same CommServe with or without a final /."""
    return commserve.rstrip("/"), marker


class NullJournal(SendJournal):
    """No record kept (a caller without a state directory): reads find nothing, writes go
    nowhere, and no twin is waited for."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent/pulumi-commvault"))

    def sends(self, commserve: str, marker: str) -> list[Send]:
        return []

    def _read_all(self) -> dict[tuple[str, str], _Recorded]:
        return {}

    def _store(
        self, commserve: str, marker: str, sends: list[Send], databases: Sequence[str]
    ) -> None:
        return None


NO_JOURNAL = NullJournal()


class RequestRecord:
    """One request's sends in a journal: what ``backups`` uses; ``databases`` are the
    request's, as ``database_name`` spells them, so its twins can find its sends."""

    def __init__(
        self, journal: SendJournal, commserve: str, marker: str, databases: Sequence[str]
    ) -> None:
        self.journal = journal
        self.commserve = commserve
        self.marker = marker
        self.databases = tuple(databases)

    def sends(self) -> list[Send]:
        return self.journal.sends(self.commserve, self.marker)

    def record_send(self, sent_at: float, *, timeout_s: float) -> None:
        self.journal.record_send(
            self.commserve,
            self.marker,
            sent_at=sent_at,
            timeout_s=timeout_s,
            databases=self.databases,
        )

    def record_send_end(self, sent_at: float, job_ids: Sequence[str] = ()) -> None:
        self.journal.record_send_end(
            self.commserve, self.marker, sent_at=sent_at, job_ids=job_ids, databases=self.databases
        )

    def forget_send(self, sent_at: float) -> None:
        self.journal.forget_send(
            self.commserve, self.marker, sent_at=sent_at, databases=self.databases
        )

    def others(self) -> set[str]:
        """Jobs this machine recorded for other requests: none of them is this one's."""
        return self.journal.job_ids_of_others(self.commserve, self.marker)

    def claim(self, sent_at: float, job_ids: Sequence[str]) -> set[str]:
        return self.journal.claim(
            self.commserve, self.marker, sent_at=sent_at, job_ids=job_ids, databases=self.databases
        )

    def twin_sends(self, database: str) -> list[OtherSend]:
        return self.journal.twin_sends(self.commserve, self.marker, database)

    def wait_for_twins(self, timeout_s: float) -> None:
        self.journal.wait_for_twins(self.commserve, self.marker, self.databases, timeout_s)
