"""The typed ``Args`` and resource signatures: what a user's editor and mypy see, and the
one line a misspelt input gets at run time (generated from the declaration: test_docs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_commvault import DatabaseArgs, OracleBackupTriggerArgs, OracleRestoreArgs
from pulumi_commvault.backup_trigger.inputs import BackupTriggerInputs
from pulumi_commvault.declarations import ArgsError, unknown_input_line, user_fields
from pulumi_commvault.oracle_restore.inputs import RestoreInputs

USER_PROGRAM = """
from pulumi_commvault import OracleBackupTrigger, OracleBackupTriggerArgs

OracleBackupTriggerArgs(client_name="oradb01", instance_name="ORCL", timeout_minutes=30)
{line}
"""


def mypy_says(tmp_path: Path, line: str) -> str:
    program = tmp_path / "__main__.py"
    program.write_text(USER_PROGRAM.format(line=line))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(program)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        pytest.param(
            'OracleBackupTriggerArgs(clinet_name="oradb01")',
            'Unexpected keyword argument "clinet_name"',
            id="misspelt Args input",
        ),
        pytest.param(
            'OracleBackupTriggerArgs(client_name="a", instance_name="b", cumulative="yes")',
            'Argument "cumulative" to "OracleBackupTriggerArgs" has incompatible type "str"',
            id="mistyped Args input",
        ),
        pytest.param(
            'OracleBackupTrigger("snap", client_name="a", instance_nmae="b")',
            "instance_nmae",
            id="misspelt resource keyword",
        ),
    ],
)
def test_mypy_reports_a_misspelt_or_mistyped_input_in_a_user_program(tmp_path, line, reported):
    said = mypy_says(tmp_path, line)

    assert reported in said
    assert "error" in said


def test_mypy_accepts_a_correct_user_program(tmp_path):
    said = mypy_says(tmp_path, 'OracleBackupTrigger("snap", client_name="a", instance_name="b")')

    assert "Success: no issues found" in said, said


@pytest.mark.parametrize(
    ("args", "model"),
    [(OracleBackupTriggerArgs, BackupTriggerInputs), (OracleRestoreArgs, RestoreInputs)],
)
def test_every_user_input_has_a_typed_keyword_and_a_doc(args, model):
    names = [name for name, _ in user_fields(model)]

    assert tuple(names) == args.INPUT_NAMES
    assert [name for name in args.__annotations__ if name != "INPUT_NAMES"] == names


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "clinet_name",
            "OracleBackupTriggerArgs has no input 'clinet_name'; did you mean 'client_name'?",
        ),
        (
            "timeout",
            "OracleBackupTriggerArgs has no input 'timeout'; did you mean 'timeout_minutes'?",
        ),
        ("colour", "OracleBackupTriggerArgs has no input 'colour'; its inputs are client_name,"),
    ],
)
def test_an_unknown_input_at_run_time_is_one_line_naming_the_closest(name, said):
    with pytest.raises(ArgsError) as caught:
        OracleBackupTriggerArgs(**{name: "x"})

    assert str(caught.value).startswith(said)
    assert "\n" not in str(caught.value)


def test_unknown_input_line_names_the_closest_valid_input():
    line = unknown_input_line("DatabaseArgs", "instance", ("client_name", "instance_name"))

    assert line == "DatabaseArgs has no input 'instance'; did you mean 'instance_name'?"


def test_args_send_only_what_is_set_with_nested_args_as_dicts():
    args = OracleBackupTriggerArgs(
        databases=[DatabaseArgs(client_name="oradb01", instance_name="ORCL")], cumulative=False
    )

    assert args.to_props() == {
        "databases": [{"client_name": "oradb01", "instance_name": "ORCL"}],
        "cumulative": False,
    }
    assert args == OracleBackupTriggerArgs(
        databases=[DatabaseArgs(client_name="oradb01", instance_name="ORCL")], cumulative=False
    )
