"""What the user reads when a Commvault call fails: one sentence naming what to change.

The client raises typed errors that state facts (what was called, on which CommServe, what
came back); it knows nothing of Pulumi. This module turns them into the sentence the user
sees first: ``<what failed>: <the client's facts>; <what to do>``, where *what to do* names
the stack config key (``commvault:url``, ``commvault:username``...) or the resource input
(``timeout_minutes``, ``client_name``...) to change, or the command to run.
"""

from __future__ import annotations

from enum import Enum

from ..commvault.errors import (
    AlreadyRunningError,
    AmbiguousCreateError,
    AuthenticationError,
    CommvaultError,
    ConnectionFailedError,
    InvalidRequestError,
    JobFailedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TLSFailedError,
    UnexpectedAnswerError,
    UnrecognisedJobsError,
    WaitTimeoutError,
)
from ..commvault.job_status import JobOutcome, classify
from ..commvault.restores import RestoreCheckError
from ..commvault.watcher import WaitCancelledError
from .settings import (
    ADOPT_JOBS_ENV,
    AUTH_TOKEN,
    CA_BUNDLE,
    PASSWORD,
    STACK_CONFIG,
    START_NEW_FOR_ENV,
    URL,
    USERNAME,
    Vocabulary,
)

RERUN = "re-run `pulumi up`"
ADOPT = f"{RERUN}, which adopts the running jobs instead of starting new ones"
#: `pulumi refresh` configures the provider from the state, not from the stack config.
REFRESH_WITH_NEW_CONFIG = (
    f"if you changed {URL.config_key} (or another commvault:* key) since the last "
    "`pulumi up`, note that a plain "
    "`pulumi refresh` still uses the old value stored in the state: run "
    "`pulumi refresh --run-program` (Pulumi CLI 3.160 or later), or `pulumi up` first"
)
DATABASE_INPUTS = "client_name, instance_name and subclient_name (or databases)"


class Stage(Enum):
    """Where an operation failed: what has happened in Commvault decides what to do next."""

    STARTING_BACKUP = "no backup job started"
    WAITING_FOR_BACKUP = "the backup jobs started"
    READING_BACKUPS = "refresh read the recorded backup jobs"
    KILLING_BACKUPS = "destroy killed the running backup jobs"
    STARTING_RESTORE = "no restore job started"
    WAITING_FOR_RESTORE = "the restore job started"
    READING_RESTORE = "refresh read the restore job"


def failure_line(
    what: str, failure: Exception, stage: Stage, *, logs_in_with_password: bool
) -> str:
    """The one line the user reads first about a failed operation, from the failure's typed
    fields: ``<what>: <the facts>; <what to do>`` (the action first where it is a decision)."""
    if isinstance(failure, WaitCancelledError):
        return cancelled(what, failure, _CANCELLED_NOUN.get(stage, "job"))
    if isinstance(failure, UnrecognisedJobsError):
        return undecided(what, failure, "pulumi up")
    if isinstance(failure, RestoreCheckError):
        return f"{what}: nothing was sent: {failure}"
    if not isinstance(failure, CommvaultError):
        raise TypeError(f"no sentence for {type(failure).__name__}") from failure
    auth = {"logs_in_with_password": logs_in_with_password}
    if stage is Stage.STARTING_BACKUP:
        return sentence(what, failure, before_the_jobs_started(failure, **auth))
    if stage is Stage.WAITING_FOR_BACKUP:
        return sentence(what, failure, after_the_jobs_started(failure, **auth))
    if stage is Stage.READING_BACKUPS:
        return sentence(what, failure, reading_jobs(failure, **auth))
    if stage is Stage.KILLING_BACKUPS:
        return sentence(what, failure, killing_jobs(failure, **auth))
    if stage is Stage.WAITING_FOR_RESTORE:
        return f"{what}: {after_the_restore_started(failure)}"
    return f"{what}: {failure}"


_CANCELLED_NOUN = {Stage.WAITING_FOR_RESTORE: "restore job"}


def cancelled(what: str, failure: WaitCancelledError, noun: str) -> str:
    """Why ``what`` stopped waiting on Ctrl-C, and that its ``noun`` (e.g. "restore job")
    runs on and is adopted by a re-run."""
    jobs = ", ".join(failure.job_ids)
    return (
        f"{what}: stopped waiting because the update was cancelled (Ctrl-C); {noun} {jobs} "
        "keeps running in Commvault and nothing was lost: run `pulumi up` again, which adopts "
        "the running job instead of starting another"
    )


def after_the_restore_started(failure: CommvaultError) -> str:
    """What happened to the restore job once it had started, and what to do."""
    if isinstance(failure, JobFailedError):
        reason = f": {failure.reason}" if failure.reason else ""
        return (
            f"restore job {failure.job_id} ended {failure.status}{reason}; fix the cause "
            "and re-run `pulumi up` to run the restore again"
        )
    timeout = (
        "raise timeout_minutes if needed and " if isinstance(failure, WaitTimeoutError) else ""
    )
    return (
        f"{failure}; the restore job keeps running in Commvault; {timeout}re-run `pulumi up`, "
        "which adopts it instead of starting another"
    )


def sentence(what: str, failure: CommvaultError, next_step: str) -> str:
    """``<what>: <failure>; <next_step>``: the one line the user sees first."""
    return f"{what}: {failure}; {next_step}"


def for_connection(
    failure: CommvaultError,
    *,
    logs_in_with_password: bool,
    vocabulary: Vocabulary = STACK_CONFIG,
) -> str | None:
    """What to change when the failure is in reaching or logging in to the CommServe; None
    when it is not such a failure. ``vocabulary`` names the settings (the CLI's: variables)."""
    say = vocabulary
    if isinstance(failure, TLSFailedError):
        if failure.problem == TLSFailedError.NOT_TLS:
            return (
                f"fix {say.key(URL)}: http:// if the CommServe serves plain HTTP on that "
                "port, or the port on which it serves HTTPS"
            )
        if failure.problem == TLSFailedError.SERVES_TLS:
            also = f" (or {URL.env_var})" if say.stack_config else ""
            return f"use https:// in {say.key(URL)}{also}"
        if failure.problem == TLSFailedError.CERTIFICATE:
            return (
                f"set the CA bundle ({CA_BUNDLE.config_key} / {CA_BUNDLE.env_var}) to the PEM "
                "file of the CA that signed the CommServe's certificate"
                if say.stack_config
                else f"set {CA_BUNDLE.env_var} to the PEM file of the CA that signed the "
                "CommServe's certificate"
            )
        return f"check the scheme and port of {say.key(URL)}, and the CommServe's TLS settings"
    if isinstance(failure, ConnectionFailedError) and not failure.request_sent:
        also = f" (or {URL.env_var})" if say.stack_config else ""
        return (
            f"check that {say.key(URL)}{also} is the CommServe's API address "
            "and that the CommServe is up"
        )
    if failure.status_code == 404 and not failure.operation.startswith("POST CreateTask"):
        return (
            f"the CommServe has no such endpoint: check that {say.key(URL)} is its API base "
            "URL, ending in /commandcenter/api or /SearchSvc/CVWebService.svc"
        )
    if isinstance(failure, AuthenticationError):
        return _for_credentials(failure, logs_in_with_password=logs_in_with_password, say=say)
    return None


def _for_credentials(
    failure: AuthenticationError, *, logs_in_with_password: bool, say: Vocabulary
) -> str:
    if failure.operation.startswith("POST Login"):
        how = f" ({say.how_to_set(PASSWORD, '...', secret=True)})" if say.stack_config else ""
        return (
            f"check {say.key(USERNAME)} and {say.key(PASSWORD)}{how}, or use "
            f"{say.key(AUTH_TOKEN)} instead"
        )
    if not logs_in_with_password:
        return (
            f"renew {say.where(AUTH_TOKEN)} "
            f"({say.how_to_set(AUTH_TOKEN, '<token>', secret=True)}), or set "
            f"{say.key(USERNAME)} and {say.key(PASSWORD)} so "
            f"{'the provider' if say.stack_config else 'commvault-oracle'} can log in itself"
        )
    return f"check that {say.key(USERNAME)} may run Oracle backups on this CommServe"


def before_the_jobs_started(failure: CommvaultError, *, logs_in_with_password: bool) -> str:
    """What to do when a backup failed before any job started (so none runs)."""
    connection = for_connection(failure, logs_in_with_password=logs_in_with_password)
    if connection is not None:
        return f"{connection}, then {RERUN}"
    if isinstance(failure, AmbiguousCreateError):
        if failure.answered_html:
            return (
                f"check what answers at {URL.config_key} (a proxy or load balancer instead of "
                f"the CommServe?), then {RERUN}"
            )
        return f"{RERUN} once the CommServe answers again"
    if isinstance(failure, NotFoundError):
        return f"check {DATABASE_INPUTS} against the CommServe's clients and instances"
    if isinstance(failure, AlreadyRunningError):
        return f"wait for that job to end, then {RERUN}"
    if isinstance(failure, InvalidRequestError):
        return f"fix what the CommServe names, then {RERUN}"
    if isinstance(failure, RateLimitedError):
        return f"the CommServe limits API calls: {RERUN} later"
    if isinstance(failure, UnexpectedAnswerError):
        return (
            f"check that {URL.config_key} is the CommServe's API base URL (ending in "
            f"/commandcenter/api or /SearchSvc/CVWebService.svc), then {RERUN}"
        )
    if isinstance(failure, ServerError):
        return f"{RERUN} once the CommServe works again"
    return RERUN


def deciding(failure: UnrecognisedJobsError, command: str) -> str:
    """What the user runs to tell the guard what it could not tell: adopt, or start anew.
    ``command`` is the one to run again, bare (``pulumi up``)."""
    return (
        f"nothing was started, as {failure.which} may be this request's own: to adopt "
        f"{failure.them}, run `{ADOPT_JOBS_ENV}={','.join(failure.suggested)} {command}`; "
        f"to take a new job, run `{START_NEW_FOR_ENV}={failure.marker} {command}`"
    )


def undecided(what: str, failure: UnrecognisedJobsError, command: str) -> str:
    """``<what>: <what to run>. <the jobs, and why>``: the action first."""
    return f"{what}: {deciding(failure, command)}. {failure}"


def after_the_jobs_started(failure: CommvaultError, *, logs_in_with_password: bool) -> str:
    """What to do when the jobs started but waiting for them failed."""
    if isinstance(failure, JobFailedError):
        if classify(failure.status) is JobOutcome.COMPLETED_WITH_ERRORS:
            return (
                f"{RERUN} to take a new backup, or set accept_completed_with_errors=True "
                "to accept this one"
            )
        return f"{RERUN} to take a new backup"
    if isinstance(failure, WaitTimeoutError):
        return f"the jobs keep running in Commvault; raise timeout_minutes if needed and {ADOPT}"
    connection = for_connection(failure, logs_in_with_password=logs_in_with_password)
    if connection is not None:
        return f"the jobs keep running in Commvault; {connection}, then {ADOPT}"
    return f"the jobs keep running in Commvault; {ADOPT}"


def reading_jobs(failure: CommvaultError, *, logs_in_with_password: bool) -> str:
    """What to do when ``pulumi refresh`` could not read the recorded jobs."""
    connection = for_connection(failure, logs_in_with_password=logs_in_with_password)
    if connection is None:
        return "the recorded jobs are unchanged; run `pulumi refresh` again later"
    return f"{connection}; {REFRESH_WITH_NEW_CONFIG}"


def killing_jobs(failure: CommvaultError, *, logs_in_with_password: bool) -> str:
    """What to do when ``pulumi destroy`` could not kill the running jobs."""
    connection = for_connection(failure, logs_in_with_password=logs_in_with_password)
    step = (
        "run `pulumi destroy` again, or set cancel_running_jobs_on_delete=False to leave the "
        "jobs running"
    )
    return f"{connection}; then {step}" if connection else step
