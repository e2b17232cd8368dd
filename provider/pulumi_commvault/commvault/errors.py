"""The one exception tree of the Commvault client.

Every error names the CommServe, the operation and what the server said. Messages are built
once, here, from parts that the client has already redacted, so no token or password can
reach a log line or a traceback through an exception.
"""

from __future__ import annotations


class CommvaultError(Exception):
    """Root of every error the client raises.

    Attributes:
        commserve: the API base URL of the CommServe the call went to.
        operation: what the client was doing, e.g. ``"POST CreateTask"``.
        status_code: the HTTP status of the answer, when there was one.
        detail: what the server (or the transport) said, redacted.
    """

    def __init__(
        self,
        detail: str,
        *,
        commserve: str = "",
        operation: str = "",
        status_code: int | None = None,
    ) -> None:
        self.detail = detail
        self.commserve = commserve
        self.operation = operation
        self.status_code = status_code
        super().__init__(self._message())

    def _message(self) -> str:
        where = f" from {self.commserve}" if self.commserve else ""
        what = f"{self.operation}: " if self.operation else ""
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"{what}{self.detail}{status}{where}"


class AuthenticationError(CommvaultError):
    """The CommServe refused the credentials or the token (401, or a failed login)."""


class InvalidRequestError(CommvaultError):
    """The CommServe rejected the request as malformed or not allowed (400, or an errorCode)."""


class NotFoundError(InvalidRequestError):
    """The request named a client, instance, subclient or job the CommServe does not know."""


class AlreadyRunningError(InvalidRequestError):
    """The CommServe refused to start a job because one is already running for the subclient."""


class ServerError(CommvaultError):
    """The CommServe failed or was unreachable (5xx, 429 after retries, connection errors)."""


class RateLimitedError(ServerError):
    """429: the CommServe's rate limiter refused the call before running it."""

    def __init__(
        self, detail: str, *, retry_after_s: float | None, commserve: str = "", operation: str = ""
    ) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(detail, commserve=commserve, operation=operation, status_code=429)


class ConnectionFailedError(ServerError):
    """No answer came: the CommServe was unreachable, the connection dropped, or it timed out.

    ``request_sent`` is False only when the failure was in connecting, which proves the
    request never reached the server.
    """

    def __init__(
        self, detail: str, *, request_sent: bool, commserve: str = "", operation: str = ""
    ) -> None:
        self.request_sent = request_sent
        super().__init__(detail, commserve=commserve, operation=operation)


class TLSFailedError(ConnectionFailedError):
    """The TLS handshake with the CommServe failed, so no request was sent.

    ``problem`` says what the handshake showed: ``NOT_TLS`` (the server answered in plain
    HTTP, or something else that is not TLS: an ``https://`` URL to a plain-HTTP port),
    ``SERVES_TLS`` (the reverse: an ``http://`` URL to a port that serves HTTPS, told by a
    handshake after the server dropped the plain request), ``CERTIFICATE`` (the certificate
    does not verify against the trusted CAs) or
    ``HANDSHAKE`` (any other TLS failure, e.g. no protocol version or cipher in common).
    """

    NOT_TLS = "not_tls"
    SERVES_TLS = "serves_tls"
    CERTIFICATE = "certificate"
    HANDSHAKE = "handshake"

    def __init__(
        self, detail: str, *, problem: str, commserve: str = "", operation: str = ""
    ) -> None:
        self.problem = problem
        super().__init__(detail, request_sent=False, commserve=commserve, operation=operation)


class UnexpectedAnswerError(CommvaultError):
    """The answer was not what Commvault documents: HTML, an empty body, a missing field."""


class HTMLAnswerError(UnexpectedAnswerError):
    """An HTML page answered instead of JSON: something else (a proxy, a load balancer, a
    login portal) answers at the URL."""


class AmbiguousCreateError(ServerError):
    """CreateTask may have reached the server but its answer was lost.

    Raised only when the client could not show whether a job was started, so the caller must
    not send the request again blindly. ``resend_allowed`` says whether the failure was in the
    transport (no usable answer came) rather than an answer of a surprising shape;
    ``answered_html`` that an HTML page answered (something other than the CommServe).
    """

    def __init__(
        self,
        detail: str,
        *,
        resend_allowed: bool,
        commserve: str = "",
        operation: str = "",
        status_code: int | None = None,
        answered_html: bool = False,
    ) -> None:
        self.resend_allowed = resend_allowed
        self.answered_html = answered_html
        super().__init__(detail, commserve=commserve, operation=operation, status_code=status_code)

    def after_looking(self, found: str) -> AmbiguousCreateError:
        """This failure once its job was looked for: ``found`` says what the look found.

        Never to be resent: a re-run looks for the job again before starting one.
        """
        return AmbiguousCreateError(
            f"{self.detail}; {found}, so a re-run will look again before starting one",
            resend_allowed=False,
            commserve=self.commserve,
            operation=self.operation,
            status_code=self.status_code,
            answered_html=self.answered_html,
        )


class UnrecognisedJobsError(CommvaultError):
    """Jobs that may be the ones a request already started, which the duplicate guard could
    not tell from others (the CommServe shows no job description): nothing was started.

    ``job_ids`` are those jobs and ``jobs`` describe them, one line each; ``databases`` is
    how many of the request's databases they are for (one job to adopt each), and
    ``suggested`` names one job for each, the newest, as an example; ``marker``
    is the request's, to name it in a decision. ``detail`` says why the guard cannot tell.
    """

    def __init__(
        self,
        detail: str,
        *,
        job_ids: list[str],
        jobs: list[str],
        databases: int,
        suggested: list[str],
        marker: str,
        commserve: str,
        operation: str,
    ) -> None:
        self.job_ids = job_ids
        self.jobs = jobs
        self.databases = databases
        self.suggested = suggested
        self.marker = marker
        super().__init__(detail, commserve=commserve, operation=operation)

    @property
    def which(self) -> str:
        """The jobs, as the sentence that names them says it: "job 12", "one of jobs 12, 13"."""
        if len(self.job_ids) == 1:
            return f"job {self.job_ids[0]}"
        ids = ", ".join(self.job_ids)
        return f"jobs {ids}" if self.databases > 1 else f"one of jobs {ids}"

    @property
    def them(self) -> str:
        """What the user adopts, as the advice says it: "it", "one", "one each"."""
        if len(self.job_ids) == 1:
            return "it"
        return "one each" if self.databases > 1 else "one"

    def _message(self) -> str:
        jobs = "; ".join(self.jobs)
        return f"{jobs[:1].upper()}{jobs[1:]}. The guard cannot tell: {self.detail}"


class UnknownDecisionError(CommvaultError):
    """A job the user said to adopt is none that the request could have started (or it
    failed): nothing was started, rather than a new job where the user asked for that one."""

    def _message(self) -> str:
        return self.detail


class JobFailedError(CommvaultError):
    """A backup job ended unsuccessfully (failed, killed, or completed with errors)."""

    def __init__(
        self,
        detail: str,
        *,
        job_id: str,
        status: str,
        reason: str = "",
        commserve: str = "",
        operation: str = "",
    ) -> None:
        self.job_id = job_id
        self.status = status
        self.reason = reason
        super().__init__(detail, commserve=commserve, operation=operation)


class WaitTimeoutError(CommvaultError):
    """Jobs did not finish within the time the caller allowed."""

    def __init__(
        self,
        detail: str,
        *,
        job_ids: list[str],
        elapsed_s: float,
        commserve: str = "",
        operation: str = "",
    ) -> None:
        self.job_ids = job_ids
        self.elapsed_s = elapsed_s
        super().__init__(detail, commserve=commserve, operation=operation)


def create_task_failure(exc: CommvaultError) -> CommvaultError:
    """What a failed ``POST CreateTask`` proves about the job it may have started.

    A refusal (400, 401, an ``errorCode``), a 429 and a failure to connect prove that no job
    was started: the error is returned as it is. Anything else may have reached a CommServe
    that started a job and lost the answer: an ``AmbiguousCreateError``, whose
    ``resend_allowed`` is False when the CommServe did answer 200 (with a body of a shape
    we cannot read), since a job may then well exist.
    """
    if isinstance(exc, ConnectionFailedError) and not exc.request_sent:
        return exc
    if isinstance(exc, RateLimitedError):
        return exc
    if isinstance(exc, ServerError):
        resend_allowed = True
    elif isinstance(exc, UnexpectedAnswerError):
        resend_allowed = exc.status_code not in (None, 200)
    else:
        return exc
    return AmbiguousCreateError(
        f"the backup request may have started a job, but no usable answer came: {exc.detail}",
        resend_allowed=resend_allowed,
        commserve=exc.commserve,
        operation=exc.operation,
        status_code=exc.status_code,
        answered_html=isinstance(exc, HTMLAnswerError),
    )
