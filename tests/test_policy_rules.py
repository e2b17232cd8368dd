"""The policy pack's rules (policy/restore-points/rules.py) as tables over plain resources,
without the engine; tests/test_engine_policy.py runs the pack through the real CLI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

RULES_PATH = Path(__file__).resolve().parent.parent / "policy" / "restore-points" / "rules.py"
_spec = importlib.util.spec_from_file_location("restore_point_rules", RULES_PATH)
assert _spec is not None
assert _spec.loader is not None
rules = importlib.util.module_from_spec(_spec)
sys.modules["restore_point_rules"] = rules
_spec.loader.exec_module(rules)

UNKNOWN = rules.UNKNOWN


def res(name: str, type_: str, deps: tuple[str, ...] = (), **props: Any) -> Any:
    prop_deps = props.pop("prop_deps", {})
    return rules.Resource(
        urn=f"urn:{name}",
        name=name,
        type=type_,
        props=props,
        dependencies=[f"urn:{d}" for d in deps],
        property_dependencies={k: [f"urn:{d}" for d in v] for k, v in prop_deps.items()},
    )


def backup(name: str, *databases: str, deps: tuple[str, ...] = ()) -> Any:
    if len(databases) == 1:
        client, instance = databases[0].split("/")
        return res(name, rules.BACKUP_TYPE, deps, client_name=client, instance_name=instance)
    listed = [
        dict(zip(("client_name", "instance_name"), d.split("/"), strict=True)) for d in databases
    ]
    return res(name, rules.BACKUP_TYPE, deps, databases=listed)


MIGRATION = "pulumi-python:dynamic:Resource"
COMMAND = "command:local:Command"
PROD = ("oradb01/ORCL",)


@pytest.mark.parametrize(
    ("resources", "production", "flagged"),
    [
        # a migration with no backup at all
        ([res("migration", MIGRATION)], (), ["migration"]),
        ([res("migration", MIGRATION)], PROD, ["migration"]),
        # direct, transitive and property dependencies on a backup
        ([backup("snap", *PROD), res("migration", MIGRATION, ("snap",))], PROD, []),
        (
            [
                backup("snap", *PROD),
                res("schema", "x:y:Z", ("snap",)),
                res("migration", MIGRATION, ("schema",)),
            ],
            PROD,
            [],
        ),
        (
            [backup("snap", *PROD), res("migration", MIGRATION, prop_deps={"after": ["snap"]})],
            PROD,
            [],
        ),
        # a backup of another database does not cover production; several together do
        (
            [backup("snap", "oradb02/SALES"), res("migration", MIGRATION, ("snap",))],
            PROD,
            ["migration"],
        ),
        ([backup("snap", "oradb02/SALES"), res("migration", MIGRATION, ("snap",))], (), []),
        (
            [
                backup("a", "oradb01/ORCL"),
                backup("b", "oradb02/SALES"),
                res("migration", MIGRATION, ("a", "b")),
            ],
            ("oradb01/ORCL", "oradb02/SALES"),
            [],
        ),
        (
            [
                backup("fleet", "oradb02/SALES", "oradb01/ORCL"),
                res("migrate-db", MIGRATION, ("fleet",)),
            ],
            PROD,
            [],
        ),
        # a backup that depends on the migration is no restore point for it
        (
            [backup("snap", *PROD, deps=("migration",)), res("migration", MIGRATION)],
            PROD,
            ["migration"],
        ),
        # what counts as risky: pulumi-command's commands, names and types with "migrat"
        ([res("cmd", COMMAND)], (), ["cmd"]),
        ([res("DataMigration", MIGRATION)], (), ["DataMigration"]),
        ([res("x", "acme:db:SchemaMigration")], (), ["x"]),
        ([res("bucket", "aws:s3:Bucket")], PROD, []),
        # a backup whose databases are not known yet (preview of computed inputs) counts
        (
            [
                res("snap", rules.BACKUP_TYPE, client_name=UNKNOWN, instance_name="ORCL"),
                res("migration", MIGRATION, ("snap",)),
            ],
            PROD,
            [],
        ),
    ],
)
def test_restore_point_before_change(
    resources: list[Any], production: tuple[str, ...], flagged: list[str]
) -> None:
    config = rules.restore_point_config({"productionDatabases": list(production)})

    violations = rules.missing_restore_points(resources, config)

    assert [v.urn for v in violations] == [f"urn:{name}" for name in flagged]


def test_the_violation_names_the_resource_the_rule_and_the_fix_in_one_line() -> None:
    config = rules.restore_point_config({"productionDatabases": ["oradb01/ORCL", "oradb02/SALES"]})
    resources = [backup("snap", "oradb02/SALES"), res("migration", MIGRATION, ("snap",))]

    (violation,) = rules.missing_restore_points(resources, config)

    assert violation.message == (
        "restore-point-before-change: migration (pulumi-python:dynamic:Resource) runs without a "
        "restore point: make migration depend on an OracleBackupTrigger of oradb01/ORCL: "
        "opts=ResourceOptions(depends_on=[snap])"
    )


def test_configured_types_and_words_replace_the_defaults() -> None:
    config = rules.restore_point_config(
        {"riskyTypes": ["acme:db:Ddl"], "namesContaining": ["DROP"]}
    )
    resources = [
        res("cmd", COMMAND),
        res("migration", MIGRATION),
        res("ddl", "acme:db:Ddl"),
        res("drop-table", "x:y:Z"),
    ]

    assert [v.urn for v in rules.missing_restore_points(resources, config)] == [
        "urn:ddl",
        "urn:drop-table",
    ]


def restore(name: str, deps: dict[str, list[str]] | None = None, **props: Any) -> Any:
    return res(name, rules.RESTORE_TYPE, prop_deps=deps or {}, **props)


SOURCE = {"client_name": "oradb01", "instance_name": "ORCL"}
ELSEWHERE = {"destination_client_name": "oradb02", "destination_instance_name": "SALES"}


@pytest.mark.parametrize(
    ("resources", "allowed", "flagged"),
    [
        ([restore("r", **SOURCE)], False, ["r"]),  # no destination: in place
        ([restore("r", **SOURCE, **ELSEWHERE)], False, []),  # out of place
        (
            [
                restore(
                    "r",
                    **SOURCE,
                    destination_client_name="oradb01",
                    destination_instance_name="ORCL",
                )
            ],
            False,
            ["r"],
        ),
        ([restore("r", **SOURCE)], True, []),  # allowed by the config
        ([restore("r", client_name="oradb02", instance_name="SALES")], False, []),  # not production
        # the source from from_backup's one database, when the inputs leave it out
        ([backup("snap", *PROD), restore("r", {"from_backup": ["snap"]})], False, ["r"]),
        ([backup("snap", *PROD), restore("r", {"from_backup": ["snap"]}, **ELSEWHERE)], False, []),
        # a destination not known yet: decided when it is
        ([restore("r", **SOURCE, destination_client_name=UNKNOWN)], False, []),
    ],
)
def test_no_in_place_restore_of_production(
    resources: list[Any], allowed: bool, flagged: list[str]
) -> None:
    config = rules.in_place_restore_config(
        {"productionDatabases": list(PROD), "allowInPlaceRestore": allowed}
    )

    violations = rules.in_place_restores_of_production(resources, config)

    assert [v.urn for v in violations] == [f"urn:{name}" for name in flagged]
    for violation in violations:
        assert violation.message.startswith(
            "no-in-place-restore-of-production: r restores production database oradb01/ORCL in "
            "place: give destination_client_name"
        )


@pytest.mark.parametrize(
    ("read", "raw", "first_words"),
    [
        (
            rules.restore_point_config,
            {"productionDatabases": ["oradb01"]},
            "policy pack config restore-point-before-change.productionDatabases: 'oradb01' is not "
            "client/instance",
        ),
        (
            rules.restore_point_config,
            {"productionDatabases": "oradb01/ORCL"},
            "policy pack config restore-point-before-change.productionDatabases: 'oradb01/ORCL' is "
            "not a list of non-empty strings",
        ),
        (
            rules.restore_point_config,
            {"productionDatabase": ["oradb01/ORCL"]},
            "policy pack config restore-point-before-change.productionDatabase: unknown key",
        ),
        (
            rules.restore_point_config,
            {"namesContaining": [""]},
            "policy pack config restore-point-before-change.namesContaining: [''] is not",
        ),
        (
            rules.in_place_restore_config,
            {"allowInPlaceRestore": "yes"},
            "policy pack config no-in-place-restore-of-production.allowInPlaceRestore: 'yes' is "
            "not true or false",
        ),
    ],
)
def test_a_bad_config_is_refused_naming_the_key(read: Any, raw: Any, first_words: str) -> None:
    with pytest.raises(rules.ConfigError) as refused:
        read(raw)

    assert str(refused.value).startswith(first_words)


def test_no_config_means_the_defaults() -> None:
    assert rules.restore_point_config(None) == rules.RestorePointConfig(
        (), ("command:local:Command", "command:remote:Command"), ("migrat",)
    )
    assert rules.in_place_restore_config({"enforcementLevel": "advisory"}) == (
        rules.InPlaceRestoreConfig((), False)
    )
