"""Every input a user can get wrong, through the real CLI: a clear message naming the field.

Inputs are judged in the provider's `check`, so `pulumi preview` already shows them, as the
engine's "property <field> ... has a problem: <reason>", and no request reaches the CommServe.
The stack config (commvault:*) is read when a backup is about to start: `pulumi up` stops
there, still before any request. Names the CommServe does not know are found by CreateTask
itself, which starts nothing. (tests/test_provider.py checks the same input rules on the
provider directly; here they go through the engine.)
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from pulumi import automation as auto

from commvault_emulator.process import EmulatorProcess
from engine_support import BackupProgram, Deployment, deploy, first_diagnostic
from pulumi_commvault import OracleBackupTrigger

pytestmark = pytest.mark.engine

ONE_DATABASE = {"client_name": None, "instance_name": None}

# (what the user wrote, the field the message must name, what it must say)
BAD_INPUTS: list[Any] = [
    pytest.param({"client_name": None}, "client_name", "required", id="client_name missing"),
    pytest.param({"instance_name": None}, "instance_name", "required", id="instance missing"),
    pytest.param({"client_name": ""}, "client_name", "at least 1 character", id="client empty"),
    pytest.param({"instance_name": "  "}, "instance_name", "at least 1", id="instance blank"),
    pytest.param({"client_name": 42}, "client_name", "valid string", id="client a number"),
    pytest.param(
        {"backup_level": "differential"},
        "backup_level",
        "'full' or 'incremental'",
        id="unknown backup level",
    ),
    pytest.param(
        {"cumulative": True}, "cumulative", "incremental backups only", id="cumulative full"
    ),
    pytest.param({"timeout_minutes": -5}, "timeout_minutes", "greater than 0", id="timeout < 0"),
    pytest.param({"timeout_minutes": 0}, "timeout_minutes", "greater than 0", id="timeout 0"),
    pytest.param(
        {"timeout_minutes": 1e9}, "timeout_minutes", "less than or equal to 10080", id="absurd"
    ),
    pytest.param({"timeout_minutes": math.nan}, "timeout_minutes", "", id="timeout NaN"),
    pytest.param({"timeout_minutes": "soon"}, "timeout_minutes", "valid number", id="timeout str"),
    pytest.param(
        {"wait_for_completion": "yes"}, "wait_for_completion", "valid boolean", id="bool as text"
    ),
    pytest.param({"triggers": "v1"}, "triggers", "valid list", id="triggers not a list"),
    pytest.param({"description": "x" * 201}, "description", "at most 200", id="description long"),
    pytest.param({"databases": [], **ONE_DATABASE}, "databases", "at least 1", id="no databases"),
    pytest.param(
        {"databases": [{"client_name": "oradb01"}], **ONE_DATABASE},
        "databases[0].instance_name",
        "Field required",
        id="database without instance",
    ),
    pytest.param(
        {
            "databases": [{"client_name": "oradb01", "instance_name": "ORCL", "sid": "x"}],
            **ONE_DATABASE,
        },
        "databases[0].sid",
        "unknown field",
        id="database unknown key",
    ),
    pytest.param(
        {"databases": [{"client_name": "oradb01", "instance_name": "ORCL"}]},
        "databases",
        "not both",
        id="databases and client_name",
    ),
    pytest.param(
        {"databases": [{"client_name": "oradb01", "instance_name": "ORCL"}] * 2, **ONE_DATABASE},
        "databases",
        "listed more than once",
        id="database twice",
    ),
]


@pytest.fixture(scope="module")
def shared_stack(
    tmp_path_factory: pytest.TempPathFactory, emulator_process: EmulatorProcess
) -> Deployment:
    """One stack for the preview cases (a preview changes no state)."""
    config = {
        "commvault:url": auto.ConfigValue(emulator_process.url),
        "commvault:username": auto.ConfigValue("admin"),
        "commvault:password": auto.ConfigValue("demo-Pa55word", secret=True),
    }
    return deploy(tmp_path_factory.mktemp("bad-input"), BackupProgram(), config)


def without_nones(inputs: dict[str, Any]) -> dict[str, Any]:
    """A ``None`` in a case means the input is left out of the program."""
    program = BackupProgram(**inputs)
    program.inputs = {k: v for k, v in program.inputs.items() if v is not None}
    return program.inputs


def failing(run: Any, deployment: Deployment) -> str:
    with pytest.raises(auto.CommandError) as caught:
        run()
    return deployment.text + "\n" + str(caught.value)


def problems(text: str) -> list[str]:
    """The engine's check-failure lines: ``property <field> value {...} has a problem: ...``."""
    found = []
    for line in text.splitlines():
        if "resource 'snap': property " in line and line.strip().startswith("error:"):
            found.append(line.split("resource 'snap': ", 1)[1])
    return sorted(set(found))


@pytest.mark.parametrize(("inputs", "field", "reason"), BAD_INPUTS)
def test_preview_rejects_a_bad_input_naming_the_field_without_calling_the_api(
    shared_stack, emulator, inputs, field, reason
):
    shared_stack.output.clear()
    program = BackupProgram()
    program.inputs = without_nones(inputs)

    text = failing(lambda: shared_stack.preview(program=program), shared_stack)

    [problem] = problems(text)
    assert problem.startswith(f"property {field} value ")
    assert reason in problem.split(" has a problem: ", 1)[1]
    assert emulator.control.requests() == []


def test_a_nan_timeout_is_called_not_a_finite_number_rather_than_too_large(shared_stack, emulator):
    # inputs.py means to say "must be a finite number of minutes" (TriggerInputs._finite),
    # but the `le` bound is checked first and NaN fails it: the user reads "less than or
    # equal to 10080" about a value that is not a number at all.
    shared_stack.output.clear()
    program = BackupProgram()
    program.inputs = without_nones({"timeout_minutes": math.nan})

    text = failing(lambda: shared_stack.preview(program=program), shared_stack)

    [problem] = problems(text)
    assert "finite" in problem, problem


def test_up_stops_at_the_same_check_and_nothing_is_created(deployer, emulator):
    deployment = deployer(BackupProgram(backup_level="weekly", timeout_minutes=-1))

    text = failing(deployment.up, deployment)

    assert [p.split(" value ")[0] for p in problems(text)] == [
        "property backup_level",
        "property timeout_minutes",
    ]
    assert emulator.control.requests() == []
    assert "snap" not in deployment.names()


def test_a_misspelt_input_fails_the_program_naming_it_without_calling_the_api(deployer, emulator):
    deployment = deployer(BackupProgram(timeout_minute=5))

    text = failing(deployment.preview, deployment)

    assert (
        "OracleBackupTrigger 'snap' has no input 'timeout_minute'; did you mean 'timeout_minutes'?"
    ) in text
    assert "Traceback" not in text
    assert emulator.control.requests() == []


# --- The stack config: read by `pulumi up`, before any request ------------------------------

BAD_CONFIG: list[Any] = [
    pytest.param(
        {"commvault:url": None},
        "no CommServe URL: set stack config commvault:url or environment variable COMMVAULT_URL",
        id="url missing",
    ),
    pytest.param(
        {"commvault:url": "commserve.example.com/commandcenter/api"},
        "commvault:url or environment variable COMMVAULT_URL: url: "
        "'commserve.example.com/commandcenter/api' is not an http(s) URL",
        id="url without scheme",
    ),
    pytest.param(
        {"commvault:url": "https://cs.example.com/commandcenter/api?user=admin"},
        "commvault:url or environment variable COMMVAULT_URL: url: "
        "'https://cs.example.com/commandcenter/api?user=admin' must not have a query",
        id="url with a query",
    ),
    pytest.param(
        {"commvault:password": None},
        "(stack config commvault:password or environment variable COMMVAULT_PASSWORD is missing)",
        id="password missing",
    ),
    pytest.param(
        {"commvault:username": None, "commvault:password": None},
        "no Commvault credentials: set stack config commvault:authToken",
        id="no credentials",
    ),
    pytest.param(
        {"commvault:insecure": "maybe"},
        "stack config commvault:insecure or environment variable COMMVAULT_INSECURE: "
        "expected true or false",
        id="insecure not a boolean",
    ),
]


@pytest.mark.parametrize(("changes", "message"), BAD_CONFIG)
def test_up_rejects_bad_stack_config_naming_the_key_without_calling_the_api(
    deployer, emulator, engine_config, changes, message
):
    config = dict(engine_config)
    for key, value in changes.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = auto.ConfigValue(value)
    deployment = deployer(BackupProgram(), config=config)

    text = failing(deployment.up, deployment)

    assert message in text
    first = first_diagnostic(text, "snap")
    assert message in first  # the sentence comes first, and it names the key
    assert "commvault:" in first
    assert emulator.control.requests() == []
    assert "snap" not in deployment.names()


def test_up_with_a_wrong_password_names_the_username_and_password_keys_and_starts_no_job(
    deployer, emulator, engine_config
):
    config = dict(engine_config)
    config["commvault:password"] = auto.ConfigValue("not-the-password", secret=True)
    deployment = deployer(BackupProgram(), config=config)

    text = failing(deployment.up, deployment)

    message = first_diagnostic(text, "snap")
    assert message.startswith("Oracle backup of oradb01/ORCL/default: POST Login as 'admin': ")
    assert "Invalid Username or Password" in message
    assert "check commvault:username and commvault:password" in message
    assert "not-the-password" not in text
    assert emulator.control.count("CreateTask") == 0
    assert "snap" not in deployment.names()


# --- Names the CommServe does not know: CreateTask refuses them and starts nothing ----------


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        pytest.param(
            {"client_name": "oradb99"},
            "Oracle backup of oradb99/ORCL/default: POST CreateTask: not found: "
            "Failed to start backups as no eligible subclients were found. "
            "Client [oradb99] not found.",
            id="unknown client",
        ),
        pytest.param(
            {"instance_name": "NOPE"},
            "Instance [NOPE] not found on client [oradb01].",
            id="unknown instance",
        ),
        pytest.param(
            {"subclient_name": "nightly"},
            "Subclient [nightly] not found in instance [ORCL] of client [oradb01].",
            id="unknown subclient",
        ),
        pytest.param(
            {"client_name": "filesrv01", "instance_name": "DefaultInstanceName"},
            "Instance [DefaultInstanceName] on client [filesrv01] is not an Oracle instance",
            id="not an Oracle instance",
        ),
        pytest.param(
            {
                "databases": [
                    {"client_name": "oradb01", "instance_name": "ORCL"},
                    {"client_name": "oradb02", "instance_name": "PAYROLL"},
                ],
                **ONE_DATABASE,
            },
            "Instance [PAYROLL] not found on client [oradb02].",
            id="one unknown among several",
        ),
    ],
)
def test_up_with_a_name_unknown_to_the_commserve_fails_naming_it_and_starts_no_job(
    deployer, emulator, inputs, message
):
    program = BackupProgram()
    program.inputs = without_nones(inputs)
    deployment = deployer(program)

    text = failing(deployment.up, deployment)

    assert message in text
    first = first_diagnostic(text, "snap")
    assert message in first
    assert "check client_name, instance_name and subclient_name (or databases)" in first
    assert emulator.control.count("CreateTask") == 1
    assert emulator.control.jobs() == []
    assert "snap" not in deployment.names()


def test_preview_without_a_url_fails_naming_the_key_and_calls_no_api(
    deployer, emulator, engine_config
):
    config = {k: v for k, v in engine_config.items() if k != "commvault:url"}
    deployment = deployer(BackupProgram(), config=config)

    text = failing(deployment.preview, deployment)

    first = first_diagnostic(text, "snap")
    assert first.startswith("no CommServe URL: set stack config commvault:url"), first
    assert emulator.control.requests() == []


@pytest.mark.parametrize(
    ("secret", "warnings"),
    [pytest.param(False, 1, id="plain: one warning"), pytest.param(True, 0, id="secret: none")],
)
def test_a_password_in_plain_stack_config_gets_one_warning_naming_the_secret_command(
    deployer, emulator, engine_config, demo_user, secret, warnings
):
    config = dict(engine_config)
    config["commvault:password"] = auto.ConfigValue(demo_user[1], secret=secret)
    program = BackupProgram()
    deployment = deployer(lambda: (program(), program_twin()), config=config)

    deployment.preview()

    command = "and so in the stack's state (the pulumi-python provider's inputs): encrypt it "
    command += "with `pulumi config set --secret commvault:password ...`"
    diagnostics = deployment.text.partition("Diagnostics:")[2].partition("Outputs:")[0]
    assert diagnostics.count(command) == warnings, deployment.text


def program_twin() -> None:
    """A second resource in the same program: the warning is still said once."""
    OracleBackupTrigger("twin", client_name="oradb02", instance_name="SALES")


def test_a_misspelt_commvault_config_key_is_named_once_with_the_setting_it_resembles(
    deployer, emulator, engine_config
):
    config = {**engine_config, "commvault:usernmae": auto.ConfigValue("admin")}
    program = BackupProgram()
    deployment = deployer(lambda: (program(), program_twin()), config=config)

    deployment.preview()

    warning = "commvault:usernmae is not a Commvault setting and is ignored: did you mean "
    diagnostics = deployment.text.partition("Diagnostics:")[2].partition("Outputs:")[0]
    assert diagnostics.count(warning + "commvault:username?") == 1, deployment.text
    assert emulator.control.requests() == []
