"""What ``commvault-oracle`` shows: lines for people, one JSON document for pipelines, and a
progress bar (rich, on stderr) while it waits."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ..commvault.models import JobSummary

ProgressCallback = Callable[[JobSummary], None]


def job_fields(summary: JobSummary | None, job_id: str) -> dict[str, Any]:
    """A job as the JSON output and the lines show it."""
    if summary is None:
        return {"job_id": job_id, "known": False}
    return {
        "job_id": str(summary.job_id),
        "known": True,
        "job_type": summary.job_type or None,
        "status": summary.status,
        "percent_complete": summary.percent_complete,
        "client_name": summary.subclient.client_name,
        "instance_name": summary.subclient.instance_name,
        "is_aged": summary.is_aged,
        "start_time": summary.job_start_time or None,
        "end_time": summary.job_end_time or None,
        "reason": summary.pending_reason or None,
    }


class Display:
    """Human lines on stdout (or one JSON document with ``--json``); progress on stderr."""

    def __init__(self, *, as_json: bool, quiet: bool = False) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.document: dict[str, Any] = {}
        self._errors = Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str) -> None:
        if not self.as_json and not self.quiet:
            print(text, flush=True)

    def error(self, text: str) -> None:
        """A failure, on stderr, in both modes (the JSON document also carries it)."""
        self._errors.print(f"commvault-oracle: error: {text}", markup=False)
        self.document.setdefault("error", text)

    def warning(self, text: str) -> None:
        """Something the user should know that is no failure, on stderr (unless --quiet)."""
        if not self.quiet:
            self._errors.print(f"commvault-oracle: warning: {text}", markup=False)
        self.document.setdefault("warnings", []).append(text)

    def put(self, **fields: Any) -> None:
        self.document.update(fields)

    def finish(self, exit_code: int) -> None:
        """The JSON document, which always has ``job_ids`` and ``jobs`` (empty when none;
        ``job_ids`` the jobs' ids when a command named only ``jobs``)."""
        if self.as_json:
            print(json.dumps(finished_document(self.document, exit_code), indent=2, sort_keys=True))
            sys.stdout.flush()

    @contextmanager
    def progress(self, job_ids: list[str]) -> Iterator[ProgressCallback]:
        """A bar per job while waiting; with ``--json`` or ``--quiet``, none."""
        if self.as_json or self.quiet:
            yield lambda _summary: None
            return
        bars = Progress(
            TextColumn("job {task.fields[job_id]}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        tasks: dict[str, TaskID] = {
            j: bars.add_task("", total=100, job_id=j, status="starting") for j in job_ids
        }

        def on_progress(summary: JobSummary) -> None:
            task = tasks.get(str(summary.job_id))
            if task is not None:
                bars.update(task, completed=summary.percent_complete, status=summary.status)

        with bars:
            yield on_progress


def finished_document(document: dict[str, Any], exit_code: int) -> dict[str, Any]:
    """``document`` as ``--json`` prints it: every key README promises on every outcome."""
    jobs = document.get("jobs", [])
    job_ids = document.get("job_ids", [str(job["job_id"]) for job in jobs])
    return {**document, "job_ids": job_ids, "jobs": jobs, "exit_code": exit_code}


def stdout_closed() -> None:
    """The reader closed stdout (``| head``): send what is still buffered nowhere, so that
    the interpreter's final flush raises no second ``BrokenPipeError`` (the recipe of
    Python's ``signal`` docs)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
