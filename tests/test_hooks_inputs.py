"""``oracle_backup_hook`` checks its arguments with ``OracleBackupTrigger``'s declaration:
the same rules, the same words, one line naming the argument, before any hook exists."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_commvault import oracle_backup_hook
from pulumi_commvault.backup_trigger.inputs import DECLARED
from pulumi_commvault.hooks import HookInputError

ORCL = {"client_name": "oradb01", "instance_name": "ORCL"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"client_name": "oradb01"}, "instance_name"),
        ({**ORCL, "backup_level": "weekly"}, "backup_level"),
        ({**ORCL, "cumulative": True}, "cumulative"),
        ({**ORCL, "timeout_minutes": 0}, "timeout_minutes"),
        ({**ORCL, "timeout_minutes": 8 * 24 * 60}, "timeout_minutes"),
        ({**ORCL, "description": "x" * 201}, "description"),
        ({**ORCL, "databases": [ORCL]}, "databases"),
        ({"databases": [ORCL, ORCL]}, "databases"),
        ({"databases": [{**ORCL, "sid": "ORCL"}]}, "databases[0].sid"),
        ({**ORCL, "accept_completed_with_errors": "yes"}, "accept_completed_with_errors"),
    ],
)
def test_bad_input_fails_at_construction_in_the_triggers_words(
    kwargs: dict[str, Any], field: str
) -> None:
    _, failures = DECLARED.check({"backup_level": "full", **kwargs})
    assert failures
    assert failures[0][0] == field
    expected = "; ".join(f"{f}: {why}" for f, why in failures)
    with pytest.raises(HookInputError) as raised:
        oracle_backup_hook("orcl", **kwargs)
    assert str(raised.value) == f"oracle_backup_hook 'orcl': {expected}"
    assert "\n" not in str(raised.value)


def test_the_error_stops_the_program_without_a_traceback() -> None:
    # The Python language host prints a RunError as its one line.
    assert issubclass(HookInputError, pulumi.RunError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({**ORCL, "on": ("update", "destroy")}, "on: 'destroy' is not an operation"),
        ({**ORCL, "on": ()}, "on: empty is not an operation"),
    ],
)
def test_on_is_checked_too(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(HookInputError, match=f"^oracle_backup_hook 'orcl': {message}"):
        oracle_backup_hook("orcl", **kwargs)


@pytest.mark.parametrize("name", ["", "  "])
def test_the_hook_needs_a_name(name: str) -> None:
    with pytest.raises(HookInputError, match=r"^oracle_backup_hook: name: give the hook"):
        oracle_backup_hook(name, **ORCL)


@pytest.mark.parametrize(
    ("kwargs", "line"),
    [
        (
            {"client_name": "oradb01", "instance_nmae": "ORCL"},
            "oracle_backup_hook 'orcl' has no input 'instance_nmae'; did you mean 'instance_name'?",
        ),
        (
            {**ORCL, "timeout": 5},
            "oracle_backup_hook 'orcl' has no input 'timeout'; did you mean 'timeout_minutes'?",
        ),
    ],
)
def test_a_misspelt_keyword_is_one_line_naming_the_closest_input(
    kwargs: dict[str, Any], line: str
) -> None:
    with pytest.raises(HookInputError) as raised:
        oracle_backup_hook("orcl", **kwargs)
    assert str(raised.value) == line
