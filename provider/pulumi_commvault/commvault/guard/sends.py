"""When a request is sent again: the never-a-duplicate rule for CreateTask, in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..client import CommvaultClient
from ..errors import (
    AmbiguousCreateError,
    CommvaultError,
    RateLimitedError,
    UnexpectedAnswerError,
    UnrecognisedJobsError,
)
from ..marking import (
    Database,
    DatabaseKey,
    MarkedRequest,
    StartedJob,
)
from .rules import (
    Window,
)
from .search import JobSearch

log = logging.getLogger("pulumi_commvault")

LOOKS_AFTER_AMBIGUOUS_FAILURE = 3


class CreateTaskResends:
    """When a backup (or restore) request is sent again: the never-a-duplicate rule, in one
    place.

    - A 429 proves the request was not run: wait as the CommServe says, and send again.
    - A failure that may have reached the CommServe (``AmbiguousCreateError``): look for the
      job the request started (a few times, as a new job may take a moment to be listed);
      adopt what is found, and send again for the rest only if the failure allows it (no
      answer at all, rather than an answer we could not read).
    - Any other failure proves no job was started, and is raised.
    At most ``client.retry.create_attempts`` sends in all. Each send is kept in this
    machine's record (``journal``) before it goes out, its end recorded with its jobs, or
    forgotten when it provably started nothing.
    """

    def __init__(
        self,
        client: CommvaultClient,
        request: MarkedRequest,
        search: JobSearch,
        sleep: Callable[[float], None],
    ) -> None:
        self.client = client
        self.request = request
        self.search = search
        self.sleep = sleep

    def start_missing(self, jobs: dict[DatabaseKey, StartedJob]) -> dict[DatabaseKey, StartedJob]:
        """``jobs`` completed with a job for every database of the request."""
        jobs = dict(jobs)
        missing = [db for db in self.request.databases if db.key not in jobs]
        record, timeouts = self.search.record, self.client.timeouts
        for attempt in range(1, self.client.retry.create_attempts + 1):
            if not missing:
                break
            last = attempt == self.client.retry.create_attempts
            sent_at = time.time()
            # Recorded before it goes out: if this process dies, its job's window is known.
            record.record_send(sent_at, timeout_s=timeouts.connect_s + timeouts.read_s)
            try:
                answer = self.client.create_task(self.request.create_task_request(missing))
            except RateLimitedError as exc:
                record.forget_send(sent_at)
                if last:
                    raise
                self.sleep(min(exc.retry_after_s or self.client.retry.backoff_max_s, 60.0))
                continue
            except AmbiguousCreateError as exc:
                record.record_send_end(sent_at)  # now ends its window, even if looking fails
                window = Window(sent_at=sent_at, failed_at=time.time())
                found = self._look_after(exc, window)
                if found:
                    record.record_send_end(sent_at, [j.job_id for j in found.values()])
                for key, job in found.items():
                    jobs.setdefault(key, job)
                missing = [db for db in missing if db.key not in jobs]
                if missing and (last or not exc.resend_allowed):
                    raise exc.after_looking(
                        f"no job marked {self.request.tag} was found for "
                        + ", ".join(map(str, missing))
                    ) from None
                if missing:
                    log.info("no job was started by the lost request; sending it again")
                continue
            except CommvaultError:
                record.forget_send(sent_at)
                raise
            record.record_send_end(sent_at, answer.job_ids)
            jobs.update(self._started(answer.task_id, answer.job_ids, missing))
            missing = []
        return jobs

    def _started(
        self, task_id: int, job_ids: list[str], databases: list[Database]
    ) -> dict[DatabaseKey, StartedJob]:
        if len(job_ids) != len(databases):
            raise UnexpectedAnswerError(
                f"CreateTask answered {len(job_ids)} job ids for {len(databases)} databases",
                commserve=self.client.base_url,
                operation="POST CreateTask",
            )
        return {
            db.key: StartedJob(job_id, db, task_id, adopted=False)
            for db, job_id in zip(databases, job_ids, strict=True)
        }

    def _look_after(
        self, failure: AmbiguousCreateError, window: Window
    ) -> dict[DatabaseKey, StartedJob]:
        """Look a few times: a job a lost request started may take a moment to be listed."""
        found: dict[DatabaseKey, StartedJob] = {}
        try:
            for look in range(LOOKS_AFTER_AMBIGUOUS_FAILURE):
                if look:
                    self.sleep(self.client.retry.backoff_factor_s * 2**look)
                found = self.search.after_lost_answer(window)
                if found:
                    return found
        except UnrecognisedJobsError:
            raise
        except CommvaultError as lookup_failure:
            raise failure.after_looking(
                f"looking for the job it may have started failed too ({lookup_failure})"
            ) from None
        return found
