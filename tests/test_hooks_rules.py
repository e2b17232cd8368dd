"""The hook's decisions as tables: which steps take a backup, a delete told from a
replacement's, the change's marker, and the lines it leaves. No server."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_commvault.commvault.backups import Database, StartedJob
from pulumi_commvault.hooks.marker import (
    DEFAULT_ON,
    Created,
    Operation,
    Replacements,
    change_marker,
    delete_kind,
    operations_from,
    takes_backup,
)
from pulumi_commvault.hooks.record import (
    finished_line,
    job_description,
    restore_line,
    started_line,
)

URN = "urn:pulumi:dev::shop::example:SchemaMigration::schema"
ORCL = Database("oradb01", "ORCL")
SALES = Database("oradb02", "SALES", "archive")
EARLIER = Created({"schema_version": "2"}, backed_up=False)
EARLIER_BACKED_UP = Created({"schema_version": "2"}, backed_up=True)


@pytest.mark.parametrize(
    ("operation", "on", "replacing", "backs_up"),
    [
        ("update", DEFAULT_ON, None, True),
        ("replace", DEFAULT_ON, EARLIER, True),
        ("delete", DEFAULT_ON, None, True),
        ("create", DEFAULT_ON, None, False),  # a first creation has nothing to lose
        ("create", ("create",), None, True),
        ("update", ("delete",), None, False),
        ("delete", ("update", "replace"), None, False),
        ("replace", ("delete",), EARLIER, False),
        # the new copy's before_create already backed up: one backup per replacement
        ("replace", ("create", "replace"), EARLIER_BACKED_UP, False),
        ("replace", ("replace",), EARLIER, True),
    ],
)
def test_which_steps_take_a_backup(
    operation: Operation, on: tuple[Operation, ...], replacing: Created | None, backs_up: bool
) -> None:
    assert takes_backup(operation, on, replacing) is backs_up


@pytest.mark.parametrize(
    ("replacing", "kind"), [(None, "delete"), (EARLIER, "replace"), (EARLIER_BACKED_UP, "replace")]
)
def test_a_delete_is_a_replacement_only_after_the_new_copy_was_created(
    replacing: Created | None, kind: str
) -> None:
    assert delete_kind(replacing) == kind


def test_replacements_remember_the_new_copy_per_urn() -> None:
    replacements = Replacements()
    assert replacements.of(URN) is None
    replacements.created(URN, {"schema": "APP2"}, backed_up=False)
    assert replacements.of(URN) == Created({"schema": "APP2"}, backed_up=False)
    assert replacements.of(URN.replace("schema", "other")) is None


@pytest.mark.parametrize(
    ("on", "chosen"),
    [
        (("delete", "update"), ("update", "delete")),
        (["Replace"], ("replace",)),
        ("delete", ("delete",)),
    ],
)
def test_on_takes_the_operations_in_any_order_and_case(on: Any, chosen: tuple[str, ...]) -> None:
    assert operations_from(on) == chosen


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (("update", "destroy"), "on: 'destroy' is not an operation; give some of create, update"),
        ((), "on: empty is not an operation"),
    ],
)
def test_on_names_what_is_not_an_operation(on: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        operations_from(on)


OLD = {"schema": "APP", "schema_version": "1"}
NEW = {"schema": "APP", "schema_version": "2"}


def test_a_retried_change_has_the_same_marker() -> None:
    assert change_marker(URN, "update", OLD, NEW) == change_marker(URN, "update", dict(OLD), NEW)
    assert change_marker(URN, "update", {"n": 2.0}, NEW) == change_marker(
        URN, "update", {"n": 2}, NEW
    )


@pytest.mark.parametrize(
    ("urn", "operation", "olds", "news"),
    [
        (URN + "2", "update", OLD, NEW),  # another resource
        (URN, "replace", OLD, NEW),  # another step
        (URN, "update", NEW, {"schema": "APP", "schema_version": "3"}),  # the next change
        (URN, "update", OLD, {"schema": "APP", "schema_version": "3"}),  # another target
        (URN, "delete", OLD, None),
    ],
)
def test_any_other_change_has_another_marker(
    urn: str, operation: Operation, olds: dict[str, Any], news: dict[str, Any] | None
) -> None:
    assert change_marker(urn, operation, olds, news) != change_marker(URN, "update", OLD, NEW)


def test_the_job_description_names_the_urn_and_the_step() -> None:
    assert job_description(URN, "update", None) == f"pre-change backup of {URN} before update"
    assert (
        job_description(URN, "delete", "final")
        == f"final: pre-change backup of {URN} before delete"
    )


def test_the_lines_name_the_jobs_and_the_databases() -> None:
    jobs = [
        StartedJob("3400891", ORCL, 1, adopted=False),
        StartedJob("3400892", SALES, 1, adopted=True),
    ]
    assert started_line("update", jobs) == (
        "pre-change backup before update: job 3400891 started for oradb01/ORCL; "
        "job 3400892 adopted for oradb02/SALES/archive; waiting for it"
    )
    assert finished_line("update", [(ORCL, "3400891", "Completed")]) == (
        "pre-change backup of oradb01/ORCL before update: job 3400891 Completed"
    )


def test_the_restore_line_is_the_exact_command_per_database() -> None:
    line = restore_line("update", [(ORCL, "3400891", "Completed"), (SALES, "7", "Completed")])
    assert line == (
        "the update failed after its pre-change backup (job 3400891 of oradb01/ORCL, "
        "job 7 of oradb02/SALES/archive); nothing was restored. To roll the database back to "
        "that backup: commvault-oracle restore oradb01/ORCL --backup-job-ids 3400891 "
        "--confirm-overwrite oradb01/ORCL ; commvault-oracle restore oradb02/SALES "
        "--backup-job-ids 7 --confirm-overwrite oradb02/SALES"
    )
