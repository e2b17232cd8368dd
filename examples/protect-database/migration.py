"""A stand-in for a risky change to a database: a schema migration of the example's own.

A dynamic resource, so the example needs nothing but the emulator. A new
``schema_version`` is an update in place; another ``schema`` replaces the resource (a new
schema, the old one dropped); ``fail`` makes the next migration fail, as a bad script would.
"""

import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class _SchemaMigrationProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['schema']}@{props['schema_version']}", _migrate(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in ("schema", "schema_version", "fail") if olds.get(k) != news.get(k)]
        replaces = ["schema"] if "schema" in changed else []
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_migrate(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        print(f"dropping schema {props['schema']}")


def _migrate(props: dict[str, Any]) -> dict[str, Any]:
    """Run the migration; the outputs record when (``applied_at``, seconds since the epoch)."""
    if props.get("fail"):
        raise RuntimeError(
            f"migration of {props['schema']} to version {props['schema_version']} failed: "
            "ORA-00942: table or view does not exist"
        )
    print(f"migrating {props['schema']} to version {props['schema_version']}")
    return {**props, "applied_at": time.time()}


class SchemaMigration(Resource, module="example", name="SchemaMigration"):
    schema: pulumi.Output[str]
    schema_version: pulumi.Output[str]
    applied_at: pulumi.Output[float]

    def __init__(
        self,
        name: str,
        *,
        schema: str,
        schema_version: str,
        fail: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "schema": schema,
            "schema_version": schema_version,
            "fail": fail,
            "applied_at": None,
        }
        super().__init__(_SchemaMigrationProvider(), name, props, opts)
