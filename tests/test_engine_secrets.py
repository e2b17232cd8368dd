"""The Commvault token and password never leak, through the real CLI, under every fault.

Each fault of tests/fault_scenarios.py runs once more here (but those that take the same
code path as another, see ``Fault.same_path_as``), with the token and the password
both configured (so the provider holds both), the engine logging at `-v=9` to stderr. Then
every place a secret could end up is searched, in each form a secret travels in (as is,
without its `QSDK ` prefix, base64 as in the Login body): the state directory (checkpoint,
history, backups, locks), plain `pulumi stack export`, the CLI's output (which carries the
provider's stdout and stderr, its tracebacks and exception text), the engine's log files and
its verbose log, and the provider object pickled into the state.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pulumi import automation as auto

from engine_support import BackupProgram, Deployment, pickled_provider
from fault_scenarios import FAULTS

pytestmark = pytest.mark.engine


@pytest.fixture
def both_credentials(emulator, demo_user, api_token) -> dict[str, auto.ConfigValue]:
    """Token and password configured together: the token is used, the password to log in
    again when the token is refused."""
    return {
        "commvault:url": auto.ConfigValue(emulator.url),
        "commvault:authToken": auto.ConfigValue(api_token, secret=True),
        "commvault:username": auto.ConfigValue(demo_user[0]),
        "commvault:password": auto.ConfigValue(demo_user[1], secret=True),
    }


def forms(secret: str) -> set[str]:
    """A secret as it may travel: as is, without a token prefix, and base64-encoded."""
    bare = secret.removeprefix("QSDK ")
    return {secret, bare, base64.b64encode(secret.encode()).decode()}


def state_files_text(deployment: Deployment) -> str:
    """Every file of the file backend: checkpoints, history, backups and locks."""
    return "\n".join(
        path.read_text(errors="replace")
        for path in sorted(deployment.state_dir.rglob("*"))
        if path.is_file()
    )


def where_secrets_could_be(deployment: Deployment, cli_result: str) -> dict[str, Any]:
    """Each place a leak could hide, by name: text (or bytes, for pickles)."""
    places: dict[str, Any] = {
        "state files": state_files_text(deployment),
        "pulumi stack export": deployment.exported_text(),
        "CLI output, provider output and errors": deployment.text + "\n" + cli_result,
        "engine log files": deployment.engine_logs_text(),
        "stack config file": deployment.config_file_text(),
    }
    for resource in deployment.resources():
        if pickled := pickled_provider(resource):
            places[f"pickled provider of {resource['urn']}"] = pickled
    return places


def assert_no_leak(places: dict[str, Any], secrets: list[str]) -> None:
    leaks = []
    for place, content in places.items():
        for secret in secrets:
            for form in forms(secret):
                needle: Any = form.encode() if isinstance(content, bytes) else form
                if needle in content:
                    leaks.append(f"{place} holds a form of a secret ({len(form)} chars)")
    assert leaks == []


def up_with_verbose_logs(deployment: Deployment) -> str:
    """`pulumi up --logtostderr -v=9`; its stdout and stderr, whether it fails or not."""
    try:
        result = deployment.up(log_verbosity=9, log_to_std_err=True)
    except auto.CommandError as exc:
        return str(exc)
    return result.stdout + "\n" + result.stderr


@pytest.mark.parametrize("name", [name for name, f in FAULTS.items() if not f.same_path_as])
def test_no_token_or_password_leaks_under_the_fault(
    deployer, emulator, both_credentials, api_token, demo_user, name
):
    fault = FAULTS[name]
    deployment = deployer(BackupProgram(**fault.inputs), config=both_credentials)
    more_secrets = fault.arrange(emulator, deployment)

    cli_result = up_with_verbose_logs(deployment)

    assert ("error: update failed" in cli_result) == fault.fails, cli_result
    assert ".Configure() executing" in cli_result  # the -v=9 engine log is searched too
    places = where_secrets_could_be(deployment, cli_result)
    assert_no_leak(places, [api_token, demo_user[1], *more_secrets])


def test_the_stack_config_file_holds_the_token_and_password_only_encrypted(
    deployer, both_credentials, api_token, demo_user
):
    deployment = deployer(BackupProgram(), config=both_credentials)

    text = deployment.config_file_text()

    for key in ("commvault:authToken", "commvault:password"):
        assert f"  {key}:\n    secure: v1:" in text
    assert "commvault:url: http" in text
    assert_no_leak({"Pulumi.e2e.yaml": text}, [api_token, demo_user[1]])


def test_a_plain_up_keeps_secrets_out_of_the_pickled_provider_and_the_engine_log_files(
    deployer, emulator, both_credentials, api_token, demo_user
):
    deployment = deployer(BackupProgram(), config=both_credentials)
    deployment.up()

    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    pickled = pickled_provider(snap)
    # The provider is pickled by reference to its class: no settings, no client, no secret.
    assert b"pulumi_commvault.provider" in pickled
    assert b"OracleBackupTriggerProvider" in pickled
    for word in (b"commvault:", b"127.0.0.1", b"admin", b"http"):
        assert word not in pickled
    assert len(pickled) < 200
    logs = deployment.engine_logs_text()
    assert logs  # the search below is not vacuous
    assert_no_leak({"pickle": pickled, "engine logs": logs}, [api_token, demo_user[1]])
