"""CreateTask enums in every form Commvault accepts: names in any case, numbers, numbers as text."""

from __future__ import annotations

from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import backup_body, create


def _with(
    level: Any = None, subtask: Any = None, operation: Any = None, **task: Any
) -> dict[str, Any]:
    body = backup_body(level=level)
    if subtask is not None:
        body["taskInfo"]["subTasks"][0]["subTask"]["subTaskType"] = subtask
    if operation is not None:
        body["taskInfo"]["subTasks"][0]["subTask"]["operationType"] = operation
    body["taskInfo"]["task"] = task
    return body


def _job(emulator: EmulatorProcess) -> dict[str, Any]:
    jobs = emulator.control.jobs()
    assert len(jobs) == 1, jobs
    return jobs[0]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("Full", "Full"),
        ("FULL", "Full"),
        ("full", "Full"),
        (1, "Full"),
        ("1", "Full"),
        ("Incremental", "Incremental"),
        ("INCREMENTAL", "Incremental"),
        (2, "Incremental"),
        ("2", "Incremental"),
    ],
)
def test_backup_level_as_name_in_any_case_or_number(
    emulator: EmulatorProcess, level: Any, expected: str
) -> None:
    answer = create(emulator, _with(level=level))

    assert answer["jobIds"]
    assert _job(emulator)["backupLevel"] == expected


@pytest.mark.parametrize("level", ["Differential", "SYNTHETIC_FULL", 4, 8, 3, "Fulll", True])
def test_levels_oracle_does_not_take_are_refused_naming_them(
    emulator: EmulatorProcess, level: Any
) -> None:
    answer = create(emulator, _with(level=level))

    assert answer["errorCode"] == 1
    assert f"Backup level [{level}]" in answer["errorMessage"]
    assert emulator.control.jobs() == []


@pytest.mark.parametrize(
    ("subtask", "operation"), [("BACKUP", "BACKUP"), ("backup", "Backup"), (2, 2), ("2", "2")]
)
def test_backup_subtask_in_every_form(
    emulator: EmulatorProcess, subtask: Any, operation: Any
) -> None:
    answer = create(emulator, _with(subtask=subtask, operation=operation))

    assert len(answer["jobIds"]) == 1


@pytest.mark.parametrize(("subtask", "operation"), [("RESTORE", "BACKUP"), (2, 3), (1, 2)])
def test_other_subtasks_are_refused(
    emulator: EmulatorProcess, subtask: Any, operation: Any
) -> None:
    answer = create(emulator, _with(subtask=subtask, operation=operation))

    assert answer["errorCode"] == 1
    assert "only backups" in answer["errorMessage"]


@pytest.mark.parametrize(
    ("initiated_from", "expected"),
    [
        ("COMMANDLINE", "COMMANDLINE"),
        ("commandline", "COMMANDLINE"),
        (2, "COMMANDLINE"),
        (1, "GUI"),
        ("Interactive", "GUI"),
        ("3", "SCHEDULER"),
    ],
)
def test_task_type_immediate_and_initiated_from_in_every_form(
    emulator: EmulatorProcess, initiated_from: Any, expected: str
) -> None:
    create(emulator, _with(taskType="IMMEDIATE", initiatedFrom=initiated_from))
    create(emulator, _with(taskType=1, initiatedFrom=initiated_from))

    jobs = emulator.control.jobs()
    assert [j["initiatedFrom"] for j in jobs] == [expected, expected]


def test_a_task_without_these_fields_runs_as_before(emulator: EmulatorProcess) -> None:
    create(emulator, _with())

    assert _job(emulator)["initiatedFrom"] == ""


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"taskType": "SCHEDULE"}, "Scheduled tasks are not emulated"),
        ({"taskType": 2}, "Scheduled tasks are not emulated"),
        ({"taskType": "SOMETIMES"}, "Unsupported taskType [SOMETIMES]: use IMMEDIATE (1)"),
        ({"initiatedFrom": 9}, "Unsupported initiatedFrom [9]: use GUI (1), COMMANDLINE (2)"),
    ],
)
def test_task_fields_it_cannot_run_are_refused_naming_them(
    emulator: EmulatorProcess, task: dict[str, Any], message: str
) -> None:
    answer = create(emulator, _with(**task))

    assert answer["errorCode"] == 1
    assert message in answer["errorMessage"]
    assert emulator.control.jobs() == []
