"""This machine's record of each marked request's sends and their jobs: a re-run's evidence where
no job description shows. A JSON file per request, dropped after a day; no secret in it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger("pulumi_commvault")

#: How long a send is kept: as far back as the duplicate guard looks (``guard.listing``).
KEEP_S = 24 * 3600

_Key = tuple[str, str]  # a request: its CommServe without a final /, its marker


@dataclass(frozen=True)
class Send:
    """One CreateTask of a request: a job it started began between ``sent_at`` and ``until``
    (its answer, its failure, or, if the process died, the end of its read timeout)."""

    sent_at: float
    until: float
    job_ids: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return bool(self.job_ids)

    @classmethod
    def of(cls, e: dict[str, object]) -> Send:
        if not isinstance(job_ids := e["job_ids"], list):
            raise TypeError("job_ids is no list")
        return cls(float(str(e["sent_at"])), float(str(e["until"])), tuple(map(str, job_ids)))


class OtherSend(NamedTuple):
    """A twin's unanswered send: another request of this machine, for the same database."""

    marker: str
    send: Send


class SendJournal:
    """The sends of this machine's processes, in ``directory`` (None: nothing is kept)."""

    def __init__(self, directory: Path | None, *, notice: Callable[[str], None] | None = None):
        self.directory = directory
        self._notice = notice or log.warning
        self._changed = threading.Condition()
        self._warned = self._tidied = False
        #: Every request's databases and sends, read once a process; own writes added as made.
        self._recorded: dict[_Key, tuple[frozenset[str], list[Send]]] | None = None
        self._in_flight: dict[tuple[_Key, float], frozenset[str]] = {}

    def request(self, commserve: str, marker: str, databases: Sequence[str] = ()) -> RequestRecord:
        """One request's record; ``databases`` as ``client/instance/subclient``, lower case."""
        key = (commserve.rstrip("/"), marker)
        name = hashlib.sha256("\n".join(key).encode()).hexdigest()[:32] + ".json"
        path = self.directory / name if self.directory else None
        return RequestRecord(self, commserve, marker, frozenset(databases), key, path)

    def _others(self, key: _Key) -> list[tuple[str, frozenset[str], Send]]:
        """Other requests' sends on the same CommServe; the caller holds the lock."""
        if self._recorded is None:
            self._recorded = {}
            for path in self.directory.glob("*.json") if self.directory else ():
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    body = json.loads(path.read_text(encoding="utf-8"))
                    sends = [Send.of(entry) for entry in body["sends"]]
                    databases = frozenset(map(str, body.get("databases", [])))
                    other = (str(body["commserve"]).rstrip("/"), str(body["marker"]))
                    self._recorded[other] = (databases, sends)
        return [
            (other[1], databases, send)
            for other, (databases, sends) in self._recorded.items()
            if other[0] == key[0] and other != key
            for send in sends
        ]

    def _store(self, record: RequestRecord, sends: list[Send]) -> None:
        if record.path is None:
            return
        if self._recorded is not None:
            self._recorded[record.key] = (record.databases, sends)
        body: dict[str, object] = {"commserve": record.commserve, "marker": record.marker}
        body["sends"] = [asdict(s) for s in sends]
        if record.databases:
            body["databases"] = sorted(record.databases)
        try:
            self._write(record.path, json.dumps(body))
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
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".send-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if not self._tidied:  # once a process: a fleet's writes do not each walk the directory
            self._tidied = True
            for old in path.parent.glob("*.json"):
                with contextlib.suppress(OSError):
                    if old.stat().st_mtime < time.time() - KEEP_S:
                        old.unlink()


@dataclass(frozen=True)
class RequestRecord:
    """One request's sends; ``databases`` let its twins find them."""

    journal: SendJournal
    commserve: str
    marker: str
    databases: frozenset[str]
    key: _Key
    path: Path | None

    def sends(self) -> list[Send]:
        """The request's sends of the last day, oldest first."""
        if self.path is None:
            return []
        try:
            sends = [Send.of(e) for e in json.loads(self.path.read_text("utf-8"))["sends"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("ignoring the unreadable send record %s: %s", self.path, exc)
            return []
        return [s for s in sends if s.sent_at >= time.time() - KEEP_S]

    def record_send(self, sent_at: float, *, timeout_s: float) -> None:
        """Before a send goes out: if this process dies, its window is known."""
        with self.journal._changed:
            self.journal._in_flight[(self.key, sent_at)] = self.databases
        self._replace(sent_at, Send(sent_at, sent_at + timeout_s))

    def record_send_end(self, sent_at: float, job_ids: Sequence[str] = ()) -> None:
        """How a send ended: answered with ``job_ids``, or failed (none) now."""
        self._replace(sent_at, Send(sent_at, time.time(), tuple(job_ids)))

    def forget_send(self, sent_at: float) -> None:
        """A send that provably started nothing (refused, or a 429)."""
        self._replace(sent_at, None)

    def _replace(self, sent_at: float, send: Send | None) -> None:
        with self.journal._changed:
            kept = [s for s in self.sends() if s.sent_at != sent_at]
            self.journal._store(self, kept if send is None else [*kept, send])
            if send is None or send.until <= time.time():  # it ended: wake who waits for it
                self.journal._in_flight.pop((self.key, sent_at), None)
            self.journal._changed.notify_all()

    def others(self) -> set[str]:
        """Jobs this machine recorded for the CommServe's other requests: never this one's."""
        with self.journal._changed:
            return {job_id for _, _, s in self.journal._others(self.key) for job_id in s.job_ids}

    def claim(self, sent_at: float, job_ids: Sequence[str]) -> set[str]:
        """Record ``job_ids`` as the send's, unless other requests hold some: those are returned."""
        with self.journal._changed:
            if not (taken := self.others() & set(job_ids)):
                self.record_send_end(sent_at, job_ids)
            return taken

    def twin_sends(self, database: str) -> list[OtherSend]:
        """Other requests' unanswered sends for ``database``: each may have started a job."""
        with self.journal._changed:
            others = self.journal._others(self.key)
            return [OtherSend(m, s) for m, dbs, s in others if database in dbs and not s.answered]

    def wait_for_twins(self, timeout_s: float) -> None:
        """Until no other request of this process has a send in flight for its databases."""

        def none_in_flight() -> bool:
            return not any(
                key != self.key and key[0] == self.key[0] and self.databases & flying
                for (key, _), flying in self.journal._in_flight.items()
            )

        with self.journal._changed:
            self.journal._changed.wait_for(none_in_flight, timeout_s)


#: No record kept (a caller without a state directory): reads find nothing, writes go nowhere.
NO_JOURNAL = SendJournal(None)
