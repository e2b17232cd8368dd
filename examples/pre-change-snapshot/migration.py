"""A stand-in for a risky change: a schema migration that must run after the backup.

It is a dynamic resource too, so the example needs nothing but the emulator; it records
which restore point it was gated on, as a real migration's pipeline would.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider, UpdateResult


class _MigrationProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        _apply(props)
        return CreateResult("migration", dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _apply(news)
        return UpdateResult(dict(news))


def _apply(props: dict[str, Any]) -> None:
    print(
        f"applying schema version {props['schema_version']} "
        f"(restore point: jobs {', '.join(props['restore_point_job_ids'])})"
    )


class Migration(Resource, module="example", name="Migration"):
    schema_version: pulumi.Output[str]
    restore_point_job_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        schema_version: pulumi.Input[str],
        restore_point_job_ids: pulumi.Input[list[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _MigrationProvider(),
            name,
            {"schema_version": schema_version, "restore_point_job_ids": restore_point_job_ids},
            opts,
        )
