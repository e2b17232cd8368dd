"""A typed client of the emulator's ``/_emulator/`` control plane (needs ``requests``)."""

from __future__ import annotations

from typing import Any

import requests

CONTROL_TIMEOUT_S = 10.0


class EmulatorError(RuntimeError):
    """The emulator did not start, or its control plane refused a request."""


class EmulatorControl:
    """Typed wrapper of the ``/_emulator/`` control plane at ``root_url``."""

    def __init__(
        self, root_url: str, verify: bool | str = True, timeout_s: float = CONTROL_TIMEOUT_S
    ) -> None:
        self.root_url = root_url.rstrip("/")
        self.timeout_s = timeout_s
        self.verify = verify
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.root_url}/_emulator/{path}"
        # verify per request: a Session.verify loses to REQUESTS_CA_BUNDLE in the environment
        response = self._session.request(
            method, url, json=body, timeout=self.timeout_s, verify=self.verify
        )
        if response.status_code >= 400:
            raise EmulatorError(
                f"{method} /_emulator/{path}: {response.status_code} {response.text}"
            )
        return response.json()

    @staticmethod
    def _given(**fields: Any) -> dict[str, Any]:
        return {key: value for key, value in fields.items() if value is not None}

    def reset(self) -> None:
        """Back to the start state: inventory, no jobs, faults, log or sessions."""
        self._call("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        """The API request log, oldest first."""
        records: list[dict[str, Any]] = self._call("GET", "requests")["requests"]
        return records

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def count(self, endpoint: str) -> int:
        """How many logged requests went to ``endpoint`` (e.g. ``"CreateTask"``)."""
        return sum(1 for record in self.requests() if record["endpoint"] == endpoint)

    def inject(
        self,
        path: str,
        kind: str,
        count: int = 1,
        status: int | None = None,
        delay_seconds: float | None = None,
        retry_after: float | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``count`` requests to ``path`` (``*`` suffix: prefix) fail as ``kind``."""
        body = self._given(
            path=path,
            kind=kind,
            count=count,
            status=status,
            delay_seconds=delay_seconds,
            retry_after=retry_after,
            method=method,
        )
        self._call("POST", "faults", body)

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def next_jobs(
        self,
        seconds: float | None = None,
        outcome: str | None = None,
        count: int = 1,
        hidden_polls: int | None = None,
        error: str | None = None,
    ) -> None:
        """The next ``count`` jobs created take ``seconds`` and/or end with ``outcome``.

        ``hidden_polls``: ``GET Job/{id}`` answers ``totalRecordsWithoutPaging: 0`` that many
        times before it finds each of these jobs. ``error``: the ORA-/RMAN- error their RMAN
        log ends with when they fail or are killed.
        """
        body = self._given(
            seconds=seconds, outcome=outcome, count=count, hidden_polls=hidden_polls, error=error
        )
        self._call("POST", "jobs/next", body)

    def subclient_jobs(
        self,
        client: str,
        instance: str,
        subclient: str,
        seconds: float | None = None,
        outcome: str | None = None,
        error: str | None = None,
    ) -> None:
        """Every later job on this subclient takes ``seconds`` and/or ends with ``outcome``
        (and, failing, logs the ORA-/RMAN- ``error``)."""
        body = self._given(
            client=client,
            instance=instance,
            subclient=subclient,
            seconds=seconds,
            outcome=outcome,
            error=error,
        )
        self._call("POST", "jobs/subclient", body)

    def job_defaults(
        self,
        seconds: float | None = None,
        outcome: str | None = None,
        busy: str | None = None,
        omit_job_description: bool | None = None,
        omit_details_description: bool | None = None,
    ) -> None:
        """Change the defaults of later jobs (``busy``: ``"queue"`` or ``"reject"``);
        ``omit_job_description``: job summaries (``GET Job``, ``POST Jobs``) leave out
        ``jobDescription``, for every job, from now on; ``omit_details_description``: so
        does ``POST JobDetails`` (``generalInfo.description``)."""
        body = self._given(
            seconds=seconds,
            outcome=outcome,
            busy=busy,
            omit_job_description=omit_job_description,
            omit_details_description=omit_details_description,
        )
        self._call("POST", "jobs/defaults", body)

    def forget_job(self, job_id: int | str) -> None:
        """Remove a job, as if the CommServe had aged it away (``GET Job`` finds nothing)."""
        self._call("POST", "jobs/forget", {"jobId": int(job_id)})

    def age_job(self, job_id: int | str) -> None:
        """The job's data ages out of retention: its summary says ``isAged: true``."""
        self._call("POST", "jobs/age", {"jobId": int(job_id)})

    def prune_job(self, job_id: int | str) -> None:
        """Prune a job: the CommServe no longer knows it (``GET Job`` finds nothing)."""
        self._call("POST", "jobs/prune", {"jobId": int(job_id)})

    def expire_tokens(self) -> None:
        """Every session token, and the pre-issued one, expires now."""
        self._call("POST", "tokens/expire")

    def jobs(self) -> list[dict[str, Any]]:
        """Every job: ``jobSummary`` as the API shows it now, plus internal fields."""
        jobs: list[dict[str, Any]] = self._call("GET", "jobs")["jobs"]
        return jobs

    def set_inventory(self, inventory: dict[str, Any]) -> dict[str, Any]:
        """Replace the inventory (file format); returns it with ids assigned."""
        answer: dict[str, Any] = self._call("PUT", "inventory", inventory)
        return answer

    def inventory(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._call("GET", "inventory")
        return answer

    def rate_limit(self) -> dict[str, Any]:
        """The tenant budgets: ``enabled``, ``period_seconds`` and, for ``reads`` and
        ``writes``, ``limit``, ``used``, ``rejected`` and ``resets_in`` (seconds)."""
        answer: dict[str, Any] = self._call("GET", "ratelimit")
        return answer

    def set_rate_limit(self, reads: int, writes: int, period: float) -> dict[str, Any]:
        """New budgets (on, counters from zero); returns them as ``rate_limit()`` does."""
        answer: dict[str, Any] = self._call(
            "PUT", "ratelimit", {"reads": reads, "writes": writes, "period": period}
        )
        return answer

    def clear_rate_limit(self) -> None:
        """No budgets until ``set_rate_limit`` or ``reset`` (which restores the flag's)."""
        self._call("DELETE", "ratelimit")

    def reset_rate_limit(self) -> dict[str, Any]:
        """Every counter back to zero, the budgets unchanged."""
        answer: dict[str, Any] = self._call("POST", "ratelimit/reset")
        return answer
