"""``CommvaultClient``: one session with one CommServe, one method per endpoint.

The client logs in (or uses the token it was given), sends each call with explicit timeouts,
turns every failure into one typed error from ``errors`` and keeps its secrets out of logs,
messages and ``repr``. Retries live in ``transport``; ``backups`` builds on ``create_task``
to make sure a backup request starts one job, never two.
"""

from __future__ import annotations

import base64
import logging
import platform
import re
import ssl
import threading
import time
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from pydantic import BaseModel
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProxyError,
)

from .connection import ConnectionSettings, normalize_token
from .decoding import decode, parse
from .errors import (
    AuthenticationError,
    CommvaultError,
    ConnectionFailedError,
    InvalidRequestError,
    NotFoundError,
    TLSFailedError,
    UnexpectedAnswerError,
    create_task_failure,
)
from .models import (
    ClientListResponse,
    CreateTaskRequest,
    CreateTaskResponse,
    InstanceEntity,
    InstanceListResponse,
    JobDetailsResponse,
    JobGeneralInfo,
    JobListResponse,
    JobSummary,
    LoginResponse,
    RenewTokenResponse,
)
from .oracle_models import (
    MAX_LOG_CHARS,
    BackupPiece,
    BackupPiecesResponse,
    OracleInstancesResponse,
    RmanLog,
)
from .redaction import Redactor
from .restore_models import RestoreTaskRequest
from .transport import RetryPolicy, ServesTLSError, Timeouts, build_session

log = logging.getLogger("pulumi_commvault")

JOB_CATEGORY_ALL = 0

M = TypeVar("M", bound=BaseModel)


class CommvaultClient:
    """A client of one CommServe's REST API.

    Give either ``token`` (a login token or API key, with or without its ``QSDK `` prefix) or
    ``username`` and ``password``. With credentials, the client logs in on first use and logs
    in again, once, when a call is refused with 401 (an expired session); with a token alone,
    a 401 is an ``AuthenticationError``.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        ca_bundle: str | None = None,
        insecure: bool = False,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        settings = ConnectionSettings(
            url,
            token=token,
            username=username,
            password=password,
            ca_bundle=ca_bundle,
            insecure=insecure,
        )
        self._start(settings, timeouts or Timeouts(), retry or RetryPolicy())

    @classmethod
    def from_settings(
        cls,
        settings: ConnectionSettings,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> CommvaultClient:
        """A client for settings already validated (``ConnectionSettings`` checks them)."""
        client = cls.__new__(cls)
        client._start(settings, timeouts or Timeouts(), retry or RetryPolicy())
        return client

    def _start(self, settings: ConnectionSettings, timeouts: Timeouts, retry: RetryPolicy) -> None:
        self.base_url = settings.url
        self._auth = settings.auth
        self._redact = Redactor()
        self._redact.add(settings.token)
        self._redact.add(settings.password)
        self._token = normalize_token(settings.token) if settings.token else None
        self._redact.add(self._token)
        self._username = settings.username
        self._password = settings.password
        self._logged_in = False
        self._user_name: str | None = None
        self.timeouts = timeouts
        self.retry = retry
        self._session = build_session(
            self.base_url, retry=retry, ca_bundle=settings.ca_bundle, insecure=settings.insecure
        )
        self._auth_lock = threading.Lock()
        self._client_ids: dict[str, int] | None = None
        self._lookup_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CommvaultClient(url={self.base_url!r}, auth={self._auth!r})"

    def __reduce__(self) -> Any:
        raise TypeError("CommvaultClient holds credentials and a live session; it is not picklable")

    def __enter__(self) -> CommvaultClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out if this client logged in, and close its connections."""
        try:
            if self._logged_in:
                self.logout()
        except CommvaultError as exc:
            log.debug("logout on close failed: %s", exc)
        finally:
            self._session.close()

    # --- Authentication ---------------------------------------------------------------------

    def login(self) -> None:
        """``POST Login`` with the username and base64 password; keeps the token it returns."""
        if not (self._username and self._password):
            raise AuthenticationError(
                "no username and password to log in with",
                commserve=self.base_url,
                operation="POST Login",
            )
        body = {
            "mode": 4,
            "username": self._username,
            "password": base64.b64encode(self._password.encode()).decode(),
            "deviceId": f"pulumi-commvault@{platform.node()}",
            "clientType": 30,
        }
        answer = self._call(
            "POST",
            "Login",
            body=body,
            authenticated=False,
            refused_as=AuthenticationError,
            operation=f"POST Login as {self._username!r}",
        )
        login = self._parse(LoginResponse, answer, "POST Login")
        self._redact.add(login.token)
        self._token = normalize_token(login.token)
        self._redact.add(self._token)
        self._logged_in = True
        self._user_name = login.user_name
        log.debug("logged in to %s as %s", self.base_url, login.user_name)

    def logout(self) -> None:
        """``POST Logout``: the CommServe forgets the session token."""
        self._call("POST", "Logout", expect_json=False)
        self._logged_in = False

    def renew_token(self) -> None:
        """``POST RenewLoginToken``: trade the current session token for a fresh one."""
        body = {"sessionId": self._token, "deviceId": f"pulumi-commvault@{platform.node()}"}
        answer = self._call("POST", "RenewLoginToken", body=body)
        renewed = self._parse(RenewTokenResponse, answer, "POST RenewLoginToken")
        self._redact.add(renewed.token)
        self._token = normalize_token(renewed.token)
        self._redact.add(self._token)

    def who_am_i(self) -> dict[str, Any]:
        """``GET WhoAmI``: the user behind the token; a cheap check that the token works."""
        answer = self._call("GET", "WhoAmI")
        if not isinstance(answer, dict):
            raise UnexpectedAnswerError(
                "WhoAmI did not answer a JSON object",
                commserve=self.base_url,
                operation="GET WhoAmI",
            )
        return answer

    def user_name(self) -> str:
        """The Commvault user this client acts as (the ``userName`` of the jobs it starts):
        from ``POST Login``, or ``GET WhoAmI`` once when the client was given a token."""
        if self._user_name is None:
            if self._can_log_in():
                self._current_token()
            if self._user_name is None:
                user = self.who_am_i().get("user")
                name = user.get("userName") if isinstance(user, dict) else None
                self._user_name = name if isinstance(name, str) else ""
        return self._user_name or ""

    # --- Backups and jobs ---------------------------------------------------------------

    def create_task(self, request: CreateTaskRequest | RestoreTaskRequest) -> CreateTaskResponse:
        """``POST CreateTask``, sent once.

        Raises ``AmbiguousCreateError`` when the request may have reached the CommServe but no
        usable answer came back: the caller must look for the job before sending again (see
        ``backups.start_backup``). Every other error proves no job was started.
        """
        try:
            answer = self._call("POST", "CreateTask", body=request.to_wire())
            return self._parse(CreateTaskResponse, answer, "POST CreateTask")
        except CommvaultError as exc:
            raise create_task_failure(exc) from None

    def find_job(self, job_id: str | int) -> JobSummary | None:
        """``GET Job/{id}``: the job's summary, or None while the CommServe does not show it."""
        answer = self._call("GET", f"Job/{int(job_id)}")
        listing = self._parse(JobListResponse, answer, f"GET Job/{job_id}")
        for envelope in listing.jobs:
            if str(envelope.job_summary.job_id) == str(job_id):
                return envelope.job_summary
        return None

    def job_general_info(self, job_id: str | int) -> JobGeneralInfo:
        """``POST JobDetails``: the job's general information (description, who started it)."""
        answer = self._call("POST", "JobDetails", body={"jobId": int(job_id), "showAttempt": True})
        details = self._parse(JobDetailsResponse, answer, f"POST JobDetails of job {job_id}")
        return details.job.job_detail.general_info

    def get_job(self, job_id: str | int) -> JobSummary:
        """Like ``find_job``, but a job the CommServe does not know is a ``NotFoundError``."""
        summary = self.find_job(job_id)
        if summary is None:
            raise NotFoundError(
                f"job {job_id} is not known to the CommServe",
                commserve=self.base_url,
                operation=f"GET Job/{job_id}",
            )
        return summary

    def list_jobs(
        self,
        *,
        client_ids: list[int] | None = None,
        category: int = JOB_CATEGORY_ALL,
        lookup_s: int = 24 * 3600,
        limit: int = 100,
        offset: int = 0,
        job_types: list[int] | None = None,
        application_id: int | None = None,
    ) -> list[JobSummary]:
        """``POST Jobs``: recent backup jobs, newest first, of the given clients (or all).

        ``job_types`` (``jobFilter.jobTypeList``) and ``application_id``
        (``jobFilter.entity.applicationId``) narrow the listing on the CommServe's side.
        """
        job_filter: dict[str, Any] = {
            "completedJobLookupTime": lookup_s,
            "showAgedJobs": False,
            "hideAdminJobs": False,
            "clientList": [{"clientId": cid} for cid in client_ids or []],
            "jobTypeList": list(job_types or []),
        }
        if application_id is not None:
            job_filter["entity"] = {"applicationId": application_id}
        body = {
            "scope": 1,
            "category": category,
            "pagingConfig": {
                "sortDirection": 1,
                "offset": offset,
                "sortField": "jobId",
                "limit": limit,
            },
            "jobFilter": job_filter,
        }
        answer = self._call("POST", "Jobs", body=body)
        listing = self._parse(JobListResponse, answer, "POST Jobs")
        return [envelope.job_summary for envelope in listing.jobs]

    def kill_job(self, job_id: str | int) -> None:
        """``POST Job/{id}/action/kill``: ask the CommServe to stop a running job."""
        self._call("POST", f"Job/{int(job_id)}/action/kill")

    def client_ids(self) -> dict[str, int]:
        """``GET Client``, once per client object: lower-cased client names to client ids."""
        with self._lookup_lock:
            if self._client_ids is None:
                answer = self._call("GET", "Client")
                listing = self._parse(ClientListResponse, answer, "GET Client")
                self._client_ids = {
                    p.client.client_entity.client_name.lower(): p.client.client_entity.client_id
                    for p in listing.client_properties
                }
            return self._client_ids

    def instances(self, client_id: int) -> list[InstanceEntity]:
        """``GET Instance?clientId=``: the client's instances and their agents."""
        answer = self._call("GET", f"Instance?clientId={int(client_id)}")
        listing = self._parse(InstanceListResponse, answer, "GET Instance")
        return [p.instance for p in listing.instance_properties]

    def rman_log(self, job_id: str | int) -> RmanLog:
        """``GET Job/{id}/RMANLogs``: the job's RMAN transcript, its head kept (bounded)."""
        answer = self._call("GET", f"Job/{int(job_id)}/RMANLogs")
        found = self._parse(RmanLog, answer, f"GET Job/{job_id}/RMANLogs")
        kept = self._redact(found.log_content[:MAX_LOG_CHARS])
        return found.model_copy(update={"log_content": kept})

    def oracle_instance_id(self, client_name: str, instance_name: str) -> int | None:
        """``GET instance?clientName=&appName=Oracle``: the id of the client's Oracle instance
        of that name (case-insensitive), None when the CommServe lists none."""
        query = urlencode({"clientName": client_name, "appName": "Oracle"})
        answer = self._call("GET", f"instance?{query}", operation="GET instance")
        listing = self._parse(OracleInstancesResponse, answer, "GET instance")
        for props in listing.instance_properties:
            if props.instance.instance_name.casefold() == instance_name.casefold():
                return props.instance.instance_id
        return None

    def backup_pieces(
        self, instance_id: int, from_time: int = 0, to_time: int = 0
    ) -> list[BackupPiece]:
        """``GET oracle/instance/{id}/backupPieces?fromTime=&toTime=``: the instance's backups
        within the window (epoch s; 0 leaves that end open), filtered by the CommServe."""
        params = {k: v for k, v in (("fromTime", from_time), ("toTime", to_time)) if v > 0}
        path = f"oracle/instance/{int(instance_id)}/backupPieces"
        operation = f"GET {path}"
        answer = self._call(
            "GET", f"{path}?{urlencode(params)}" if params else path, operation=operation
        )
        return self._parse(BackupPiecesResponse, answer, operation).backup_pieces

    # --- The one place requests are sent and answers judged ------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        authenticated: bool = True,
        expect_json: bool = True,
        refused_as: type[CommvaultError] = InvalidRequestError,
        operation: str | None = None,
    ) -> Any:
        operation = operation or f"{method} {path}"
        token = self._current_token() if authenticated else None
        response = self._send(method, path, body, token, operation)
        if response.status_code == 401 and authenticated and self._can_log_in():
            self._log_in_again(token)
            response = self._send(method, path, body, self._token, operation)
        if not expect_json and response.ok:
            return None
        return decode(
            response,
            commserve=self.base_url,
            operation=operation,
            redact=self._redact,
            refused_as=refused_as,
        )

    def _send(
        self, method: str, path: str, body: Any, token: str | None, operation: str
    ) -> requests.Response:
        headers = {"Authtoken": token} if token else {}
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                f"{self.base_url}/{path}",
                json=body,
                headers=headers,
                timeout=self.timeouts.as_tuple(),
            )
        except requests.exceptions.SSLError as exc:
            raise _tls_failure(
                exc, redact=self._redact, commserve=self.base_url, operation=operation
            ) from None
        except requests.exceptions.RequestException as exc:
            if isinstance(_root_exception(exc), ServesTLSError):
                raise TLSFailedError(
                    "the port serves HTTPS, so it dropped the plain HTTP request",
                    problem=TLSFailedError.SERVES_TLS,
                    commserve=self.base_url,
                    operation=operation,
                ) from None
            sent = not _failed_to_connect(exc)
            what = (
                "no answer (the request may have reached the CommServe)"
                if sent
                else ("could not connect")
            )
            raise ConnectionFailedError(
                self._redact(f"{what}: {_root_cause(exc)}"),
                request_sent=sent,
                commserve=self.base_url,
                operation=operation,
            ) from None
        log.debug("%s -> %s in %.3f s", operation, response.status_code, time.monotonic() - started)
        return response

    def _current_token(self) -> str:
        with self._auth_lock:
            if self._token is None:
                self.login()
            return self._token or ""

    def _can_log_in(self) -> bool:
        return bool(self._username and self._password)

    def _log_in_again(self, refused_token: str | None) -> None:
        """After a 401: log in again unless another thread already did."""
        with self._auth_lock:
            if self._token == refused_token:
                log.info("the CommServe refused the session token; logging in again")
                self.login()

    def _parse(self, model: type[M], answer: Any, operation: str) -> M:
        return parse(
            model, answer, commserve=self.base_url, operation=operation, redact=self._redact
        )


def _failed_to_connect(exc: requests.exceptions.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if isinstance(reason, ProxyError):  # the proxy refused: the request never left either
        reason = reason.original_error
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


#: OpenSSL's reasons for a handshake that met something other than TLS: typically a plain
#: HTTP server answering the ClientHello with an HTTP 400 page.
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)


def _tls_failure(
    exc: requests.exceptions.SSLError,
    *,
    redact: Redactor,
    commserve: str,
    operation: str,
) -> TLSFailedError:
    root = _root_exception(exc)
    cause = f"{type(root).__name__}: {root}"
    if isinstance(root, ssl.SSLCertVerificationError):
        problem = TLSFailedError.CERTIFICATE
        detail = (
            f"TLS verification failed ({cause}): the CommServe's certificate does not verify "
            "against the trusted CAs (give ca_bundle, the PEM file of the CA that signed it)"
        )
    elif isinstance(root, ssl.SSLError) and getattr(root, "reason", None) in _NOT_TLS_REASONS:
        problem = TLSFailedError.NOT_TLS
        detail = f"the server does not speak TLS: it answered the handshake with no TLS ({cause})"
    else:
        problem = TLSFailedError.HANDSHAKE
        detail = f"the TLS handshake failed ({cause})"
    return TLSFailedError(redact(detail), problem=problem, commserve=commserve, operation=operation)


def _root_exception(exc: BaseException) -> BaseException:
    reason: BaseException = exc
    while True:
        inner = getattr(reason, "reason", None) or (reason.args[0] if reason.args else None)
        if not isinstance(inner, BaseException) or inner is reason:
            return reason
        reason = inner


#: urllib3's prefix naming the connection, e.g. ``HTTPConnection(host='h', port=80): ``.
_CONNECTION_PREFIX = re.compile(r"^\w*Connection(?:Pool)?\(host=.*?, port=\d+\): ")


def _root_cause(exc: BaseException) -> str:
    reason = _root_exception(exc)
    if isinstance(reason, NewConnectionError):
        # What the OS said ("[Errno 111] Connection refused", "Failed to resolve 'h' (...)"):
        # the URL is in the message already.
        text = _CONNECTION_PREFIX.sub("", str(reason))
        return text.replace("Failed to establish a new connection: ", "", 1)
    return f"{type(reason).__name__}: {reason}"
