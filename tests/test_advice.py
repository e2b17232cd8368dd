"""What the user is told to change, for failures the real client meets against the emulator.

``runtime.advice`` turns the client's typed, Pulumi-free errors into the sentence the user
reads first; each test causes the failure for real and checks that the sentence names the
config key or input to change, and does not send the user to the wrong one.
"""

from __future__ import annotations

import pytest

from emulator_support import EMULATOR_TOKEN, start_backup
from fault_scenarios import closed_port_url
from pulumi_commvault import CommvaultClient, CommvaultError
from pulumi_commvault.commvault.backups import BackupRequest, Database
from pulumi_commvault.commvault.backups import start_backup as start_marked_backup
from pulumi_commvault.commvault.errors import (
    AlreadyRunningError,
    AmbiguousCreateError,
    JobFailedError,
    WaitTimeoutError,
)
from pulumi_commvault.commvault.restores import RestoreCheckError
from pulumi_commvault.commvault.transport import RetryPolicy
from pulumi_commvault.commvault.waiting import raise_for_outcome, wait_for_jobs
from pulumi_commvault.commvault.watcher import WaitCancelledError
from pulumi_commvault.runtime import advice

NO_RETRIES = RetryPolicy(attempts=0, backoff_factor_s=0.0, jitter_s=0.0)


def failure_of(client: CommvaultClient) -> CommvaultError:
    with pytest.raises(CommvaultError) as caught:
        client.list_jobs()
    return caught.value


def before_start(failure: CommvaultError, *, password: bool = True) -> str:
    return advice.sentence(
        "Oracle backup of oradb01/ORCL/default",
        failure,
        advice.before_the_jobs_started(failure, logs_in_with_password=password),
    )


def test_a_refused_connection_names_commvault_url(demo_user):
    client = CommvaultClient(closed_port_url(), username=demo_user[0], password=demo_user[1])

    message = before_start(failure_of(client))

    assert message.startswith("Oracle backup of oradb01/ORCL/default: POST Login as 'admin': ")
    assert "Connection refused" in message
    assert "commvault:url" in message
    assert "commvault:password" not in message


def test_https_to_a_plain_http_port_says_to_fix_the_scheme_or_port_not_the_ca(emulator, demo_user):
    https_url = emulator.url.replace("http://", "https://", 1)
    client = CommvaultClient(https_url, username=demo_user[0], password=demo_user[1])

    message = before_start(failure_of(client))

    assert "does not speak TLS" in message
    assert "fix commvault:url: http://" in message
    assert "caBundle" not in message


def test_http_to_an_https_port_says_to_use_https_in_commvault_url(tls_emulator, demo_user):
    http_url = tls_emulator.url.replace("https://", "http://", 1)
    client = CommvaultClient(http_url, username=demo_user[0], password=demo_user[1])

    message = before_start(failure_of(client))

    assert "the port serves HTTPS, so it dropped the plain HTTP request" in message
    assert "; use https:// in commvault:url (or COMMVAULT_URL)" in message
    assert "caBundle" not in message


def test_a_certificate_that_does_not_verify_names_commvault_ca_bundle(tls_emulator, api_token):
    client = CommvaultClient(tls_emulator.url, token=api_token)

    message = before_start(failure_of(client), password=False)

    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert "set the CA bundle (commvault:caBundle / COMMVAULT_CA_BUNDLE)" in message


def test_a_wrong_password_names_commvault_username_and_password(emulator):
    client = CommvaultClient(emulator.url, username="admin", password="not-the-password")

    message = before_start(failure_of(client))

    assert "Invalid Username or Password" in message
    assert "check commvault:username and commvault:password" in message
    assert "commvault:authToken" in message  # the other way to log in
    assert "not-the-password" not in message


def test_a_refused_token_names_commvault_auth_token(emulator):
    client = CommvaultClient(emulator.url, token="not-a-token-of-this-commserve")

    message = before_start(failure_of(client), password=False)

    assert "(HTTP 401)" in message
    assert "renew stack config commvault:authToken" in message


def test_a_url_that_is_not_the_api_base_names_commvault_url_not_the_password(emulator, demo_user):
    site_root = emulator.url.removesuffix("/commandcenter/api")
    client = CommvaultClient(site_root, username=demo_user[0], password=demo_user[1])

    message = before_start(failure_of(client))

    assert "(HTTP 404)" in message
    assert "check that commvault:url is its API base URL" in message
    assert "commvault:password" not in message


def test_an_unknown_client_names_the_database_inputs(emulator):
    client = CommvaultClient(emulator.url, token=EMULATOR_TOKEN)
    request = BackupRequest((Database("oradb99", "ORCL"),), "Full", marker="advice-unknown")
    with pytest.raises(CommvaultError) as caught:
        start_marked_backup(client, request, adoptable=lambda _s: True)

    message = before_start(caught.value, password=False)

    assert "Client [oradb99] not found" in message
    assert "check client_name, instance_name and subclient_name (or databases)" in message


def test_a_busy_subclient_says_to_wait_for_the_running_job(emulator):
    emulator.control.job_defaults(busy="reject", seconds=5)
    start_backup(emulator)
    client = CommvaultClient(emulator.url, token=EMULATOR_TOKEN)
    request = BackupRequest((Database("oradb01", "ORCL"),), "Full", marker="advice-busy")
    with pytest.raises(CommvaultError) as caught:
        start_marked_backup(client, request, adoptable=lambda _s: False)

    message = before_start(caught.value, password=False)

    assert "is already running for subclient [default]" in message
    assert "wait for that job to end, then re-run `pulumi up`" in message


def waited(emulator, outcome: str | None = None, seconds: float = 0.2, timeout_s: float = 30):
    emulator.control.next_jobs(seconds=seconds, outcome=outcome)
    job_id = start_backup(emulator)
    client = CommvaultClient(emulator.url, token=EMULATOR_TOKEN)

    def wait_and_judge() -> None:
        summaries = wait_for_jobs(client, [job_id], timeout_s=timeout_s)
        raise_for_outcome(client, summaries.values())

    with pytest.raises(CommvaultError) as caught:
        wait_and_judge()
    return caught.value


def after_start(failure: CommvaultError) -> str:
    return advice.after_the_jobs_started(failure, logs_in_with_password=False)


def test_a_job_completed_with_errors_names_accept_completed_with_errors(emulator):
    failure = waited(emulator, outcome="Completed w/ one or more errors")

    assert "set accept_completed_with_errors=True" in after_start(failure)


def test_a_failed_job_says_a_rerun_takes_a_new_backup(emulator):
    failure = waited(emulator, outcome="Failed")

    assert after_start(failure) == "re-run `pulumi up` to take a new backup"


def test_a_wait_that_times_out_names_timeout_minutes(emulator):
    failure = waited(emulator, seconds=5, timeout_s=0.5)

    assert "raise timeout_minutes" in after_start(failure)
    assert "adopts the running jobs" in after_start(failure)


def test_a_refresh_that_cannot_connect_tells_how_refresh_takes_a_changed_url():
    client = CommvaultClient(closed_port_url(), token=EMULATOR_TOKEN, retry=NO_RETRIES)

    hint = advice.reading_jobs(failure_of(client), logs_in_with_password=False)

    assert "commvault:url" in hint
    assert "`pulumi refresh --run-program`" in hint


# --- the one line, from the failure's typed fields (pure: no server) ----------------------

WHAT = "Oracle restore of oradb01/ORCL onto oradb02/SALES from the latest backup"


@pytest.mark.parametrize(
    ("failure", "stage", "says", "never"),
    [
        pytest.param(
            AmbiguousCreateError("no usable answer", resend_allowed=True, answered_html=True),
            advice.Stage.STARTING_BACKUP,
            "check what answers at commvault:url (a proxy or load balancer",
            "once the CommServe answers again",
            id="an HTML page answered: what answers at the URL",
        ),
        pytest.param(
            AmbiguousCreateError("expected JSON but got an HTML page", resend_allowed=True),
            advice.Stage.STARTING_BACKUP,
            "re-run `pulumi up` once the CommServe answers again",
            "a proxy or load balancer instead",
            id="the words of the detail decide nothing",
        ),
        pytest.param(
            AlreadyRunningError("the CommServe answered error 2: busy"),
            advice.Stage.STARTING_BACKUP,
            "wait for that job to end, then re-run `pulumi up`",
            "fix what the CommServe names",
            id="a job already runs for the subclient",
        ),
        pytest.param(
            JobFailedError("job 5 failed", job_id="5", status="Failed", reason="disk full"),
            advice.Stage.WAITING_FOR_RESTORE,
            f"{WHAT}: restore job 5 ended Failed: disk full; fix the cause and re-run",
            "adopts it",
            id="a restore job that failed",
        ),
        pytest.param(
            WaitTimeoutError("job 5 still running", job_ids=["5"], elapsed_s=60.0),
            advice.Stage.WAITING_FOR_RESTORE,
            "raise timeout_minutes if needed and re-run `pulumi up`, which adopts it",
            "ended",
            id="a restore wait that timed out",
        ),
        pytest.param(
            WaitCancelledError("cancelled", job_ids=["5"]),
            advice.Stage.WAITING_FOR_RESTORE,
            f"{WHAT}: stopped waiting because the update was cancelled (Ctrl-C); restore job 5 "
            "keeps running",
            "Traceback",
            id="a restore wait cancelled",
        ),
        pytest.param(
            RestoreCheckError([("from_backup", "job 7 is no restore point")]),
            advice.Stage.STARTING_RESTORE,
            f"{WHAT}: nothing was sent: from_backup: job 7 is no restore point",
            "backup_job_ids",
            id="a restore the CommServe would refuse",
        ),
    ],
)
def test_failure_line_is_one_line_from_the_typed_failure(failure, stage, says, never):
    line = advice.failure_line(WHAT, failure, stage, logs_in_with_password=True)

    assert says in line
    assert never not in line
    assert "\n" not in line
