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
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger("pulumi_commvault")

#: How long a send is kept: as far back as the duplicate guard looks (``backups``).
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


class SendJournal:
    """The sends of this machine's processes, in ``directory`` (made when first written)."""

    def __init__(self, directory: Path, *, notice: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self._notice = notice or log.warning
        self._lock = threading.Lock()
        self._warned = False
        self._tidied = False
        self._recorded: dict[tuple[str, str], set[str]] | None = None

    def sends(self, commserve: str, marker: str) -> list[Send]:
        """The request's sends of the last day, oldest first; none when nothing is recorded."""
        path = self._path(commserve, marker)
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["sends"]
            sends = [
                Send(float(e["sent_at"]), float(e["until"]), tuple(map(str, e["job_ids"])))
                for e in entries
            ]
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
        with self._lock:
            if self._recorded is None:
                self._recorded = self._read_all()
            ours = _key(commserve, marker)
            return {
                job_id
                for key, ids in self._recorded.items()
                if key[0] == ours[0] and key != ours
                for job_id in ids
            }

    def _read_all(self) -> dict[tuple[str, str], set[str]]:
        recorded: dict[tuple[str, str], set[str]] = {}
        for path in self.directory.glob("*.json"):
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
                key = _key(str(body["commserve"]), str(body["marker"]))
                ids = {str(j) for send in body["sends"] for j in send["job_ids"]}
            except (OSError, ValueError, KeyError, TypeError):
                continue
            recorded.setdefault(key, set()).update(ids)
        return recorded

    def sending(self, commserve: str, marker: str, *, sent_at: float, timeout_s: float) -> None:
        """Record a send before it goes out: if this process dies, its window is known."""
        self._record(commserve, marker, Send(sent_at, sent_at + timeout_s))

    def settled(
        self, commserve: str, marker: str, *, sent_at: float, job_ids: Sequence[str] = ()
    ) -> None:
        """Record how a send ended: answered with ``job_ids``, or failed (none) now."""
        self._record(commserve, marker, Send(sent_at, time.time(), tuple(job_ids)))

    def withdrawn(self, commserve: str, marker: str, *, sent_at: float) -> None:
        """Forget a send that provably started nothing (refused, or a 429)."""
        self._replace(commserve, marker, sent_at, None)

    def _record(self, commserve: str, marker: str, send: Send) -> None:
        self._replace(commserve, marker, send.sent_at, send)

    def _replace(self, commserve: str, marker: str, sent_at: float, send: Send | None) -> None:
        """The send made at ``sent_at`` becomes ``send`` (None: it is forgotten)."""
        with self._lock:
            kept = [s for s in self.sends(commserve, marker) if s.sent_at != sent_at]
            self._store(commserve, marker, kept if send is None else [*kept, send])

    def _store(self, commserve: str, marker: str, sends: list[Send]) -> None:
        if self._recorded is not None:
            ids = {j for s in sends for j in s.job_ids}
            self._recorded[_key(commserve, marker)] = ids
        entries = [asdict(s) for s in sends]
        body = {"commserve": commserve, "marker": marker, "sends": entries}
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


def _key(commserve: str, marker: str) -> tuple[str, str]:
    """A request as the journal names it: the same CommServe with or without a final /."""
    return commserve.rstrip("/"), marker


class RequestRecord:
    """One request's sends in a journal (none kept without one): what ``backups`` uses."""

    def __init__(self, journal: SendJournal | None, commserve: str, marker: str) -> None:
        self.journal = journal
        self.commserve = commserve
        self.marker = marker

    def sends(self) -> list[Send]:
        return self.journal.sends(self.commserve, self.marker) if self.journal else []

    def sending(self, sent_at: float, *, timeout_s: float) -> None:
        if self.journal:
            self.journal.sending(self.commserve, self.marker, sent_at=sent_at, timeout_s=timeout_s)

    def settled(self, sent_at: float, job_ids: Sequence[str] = ()) -> None:
        if self.journal:
            self.journal.settled(self.commserve, self.marker, sent_at=sent_at, job_ids=job_ids)

    def withdrawn(self, sent_at: float) -> None:
        if self.journal:
            self.journal.withdrawn(self.commserve, self.marker, sent_at=sent_at)

    def others(self) -> set[str]:
        """Jobs this machine recorded for other requests: none of them is this one's."""
        if not self.journal:
            return set()
        return self.journal.job_ids_of_others(self.commserve, self.marker)
