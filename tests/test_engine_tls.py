"""HTTPS to the CommServe through the real CLI: the emulator serves a certificate of a test CA.

Verified with `commvault:caBundle`, refused clearly without it, and skipped only with
`commvault:insecure=true`, which says so in the output of `pulumi up`.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from commvault_emulator.process import EmulatorControl, EmulatorProcess
from engine_support import BackupProgram, Deployment, first_diagnostic

pytestmark = pytest.mark.engine


@pytest.fixture
def tls_control(tls_emulator: EmulatorProcess) -> EmulatorControl:
    """The HTTPS emulator's control plane (trusting the test CA), reset for this test."""
    control = EmulatorControl(tls_emulator.root_url, verify=tls_emulator.ca_path)  # type: ignore[attr-defined]
    control.reset()
    return control


@pytest.fixture
def tls_config(tls_emulator: EmulatorProcess, api_token: str) -> dict[str, auto.ConfigValue]:
    return {
        "commvault:url": auto.ConfigValue(tls_emulator.url),
        "commvault:authToken": auto.ConfigValue(api_token, secret=True),
    }


def failed_up(deployment: Deployment) -> str:
    with pytest.raises(auto.CommandError) as caught:
        deployment.up()
    return deployment.text + "\n" + str(caught.value)


def test_https_with_the_ca_bundle_configured_verifies_and_takes_one_backup(
    deployer, tls_emulator, tls_control, tls_config
):
    tls_config["commvault:caBundle"] = auto.ConfigValue(tls_emulator.ca_path)
    deployment = deployer(BackupProgram(), config=tls_config)

    result = deployment.up()

    [job] = tls_control.jobs()
    assert result.outputs["job_ids"].value == [str(job["jobId"])]
    assert tls_control.count("CreateTask") == 1
    assert "verification is disabled" not in deployment.text


def test_https_without_the_ca_bundle_fails_naming_commvault_ca_bundle_and_sends_nothing(
    deployer, tls_control, tls_config
):
    deployment = deployer(BackupProgram(), config=tls_config)

    text = failed_up(deployment)

    assert "TLS verification failed" in text
    assert "CERTIFICATE_VERIFY_FAILED" in text
    assert "set the CA bundle (commvault:caBundle / COMMVAULT_CA_BUNDLE)" in text
    message = first_diagnostic(text, "snap")
    assert message.startswith("Oracle backup of oradb01/ORCL/default: ")
    assert "commvault:caBundle" in message
    assert tls_control.requests() == []  # no request got past the handshake
    assert "snap" not in deployment.names()


def test_insecure_true_skips_verification_with_a_warning_in_the_output(
    deployer, tls_emulator, tls_control, tls_config
):
    tls_config["commvault:insecure"] = auto.ConfigValue("true")
    deployment = deployer(BackupProgram(), config=tls_config)

    deployment.up()

    warning = (
        f"TLS certificate verification is disabled for {tls_emulator.url} (insecure=True); "
        "anyone on the path can read the Commvault token"
    )
    diagnostics = deployment.text.partition("Diagnostics:")[2].partition("Outputs:")[0]
    assert diagnostics.count("verification is disabled") == 1, deployment.text
    assert warning in diagnostics
    assert "UserWarning" not in deployment.text
    assert "warnings.warn(" not in deployment.text
    [job] = tls_control.jobs()
    assert deployment.outputs_of("snap")["job_ids"] == [str(job["jobId"])]


def test_a_ca_bundle_path_that_does_not_exist_fails_naming_commvault_ca_bundle(
    deployer, tls_control, tls_config, tmp_path
):
    missing = tmp_path / "no-such-ca.pem"
    tls_config["commvault:caBundle"] = auto.ConfigValue(str(missing))
    deployment = deployer(BackupProgram(), config=tls_config)

    text = failed_up(deployment)

    assert tls_control.requests() == []
    assert "snap" not in deployment.names()
    [message] = [line for line in text.splitlines() if str(missing) in line][-1:]
    assert "commvault:caBundle" in message, message
    assert "commvault:caBundle" in first_diagnostic(text, "snap")


def test_https_to_a_plain_http_commserve_says_to_fix_the_scheme_or_port_not_the_ca(
    deployer, emulator, engine_config
):
    config = dict(engine_config)
    config["commvault:url"] = auto.ConfigValue(emulator.url.replace("http://", "https://", 1))
    deployment = deployer(BackupProgram(), config=config)

    message = first_diagnostic(failed_up(deployment), "snap")

    assert message.startswith("Oracle backup of oradb01/ORCL/default: ")
    assert "the server does not speak TLS" in message
    assert "fix commvault:url: http://" in message
    assert "caBundle" not in message
    assert emulator.control.requests() == []


def test_http_to_an_https_commserve_says_to_use_https_in_commvault_url_and_sends_nothing(
    deployer, tls_emulator, tls_config, tls_control
):
    config = dict(tls_config)
    config["commvault:url"] = auto.ConfigValue(tls_emulator.url.replace("https://", "http://", 1))
    deployment = deployer(BackupProgram(), config=config)

    message = first_diagnostic(failed_up(deployment), "snap")

    assert message.startswith("Oracle backup of oradb01/ORCL/default: ")
    assert "the port serves HTTPS, so it dropped the plain HTTP request" in message
    assert "use https:// in commvault:url (or COMMVAULT_URL)" in message
    assert tls_control.requests() == []
