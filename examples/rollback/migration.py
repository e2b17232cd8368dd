"""A stand-in for a risky change that can fail: a schema migration gated on the backup.

With ``fail=True`` its create raises, as a migration that broke the schema half-way would;
the backup it depends on is then the restore point to roll back to.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult


class _MigrationProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        jobs = ", ".join(props["restore_point_job_ids"])
        if props.get("fail"):
            raise RuntimeError(
                f"schema migration {props['schema_version']} failed half-way; roll back to the "
                f"restore point (backup jobs {jobs}): see examples/rollback/README.md"
            )
        print(f"applied schema version {props['schema_version']} (restore point: jobs {jobs})")
        return CreateResult(f"migration-{props['schema_version']}", dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))


class Migration(Resource, module="example", name="Migration"):
    schema_version: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        schema_version: pulumi.Input[str],
        restore_point_job_ids: pulumi.Input[list[str]],
        fail: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "schema_version": schema_version,
            "restore_point_job_ids": restore_point_job_ids,
            "fail": fail,
        }
        super().__init__(_MigrationProvider(), name, props, opts)
