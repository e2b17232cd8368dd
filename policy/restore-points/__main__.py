"""pulumi-commvault's policy pack: no risky change without a restore point, no in-place restore
of production. The rules live in rules.py; this file hands them the engine's resources and
config. Run: ``pulumi preview --policy-pack policy/restore-points [--policy-pack-config F]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import rules
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

# Types only: rules.py checks the rest, with a message that says what to write.
DATABASES_SCHEMA = {
    "type": "array",
    "items": {"type": "string"},
    "description": "production databases as client/instance, e.g. oradb01/ORCL",
}
WORDS_SCHEMA = {"type": "array", "items": {"type": "string", "minLength": 1}}


def plain(value: Any) -> Any:
    """The engine's value with unknowns as ``rules.UNKNOWN`` (reading one through the
    pulumi_policy proxy raises, which would skip the whole policy in preview)."""
    if isinstance(value, Mapping):
        return {key: _read(lambda k=key: value[k]) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_read(lambda i=i: value[i]) for i in range(len(value))]
    return value


def _read(get: Callable[[], Any]) -> Any:
    try:
        return plain(get())
    except UnknownValueError:
        return rules.UNKNOWN


def resource(policy_resource: PolicyResource) -> rules.Resource:
    return rules.Resource(
        urn=policy_resource.urn,
        name=policy_resource.name,
        type=policy_resource.resource_type,
        props=plain(policy_resource.props),
        dependencies=[r.urn for r in policy_resource.dependencies],
        property_dependencies={
            prop: [r.urn for r in depended]
            for prop, depended in policy_resource.property_dependencies.items()
        },
    )


def report(violations: list[rules.Violation], report_violation: ReportViolation) -> None:
    for violation in violations:
        report_violation(violation.message, violation.urn)


def check_restore_points(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = rules.restore_point_config(args.get_config())
    resources = [resource(r) for r in args.resources]
    report(rules.missing_restore_points(resources, config), report_violation)


def check_in_place_restores(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = rules.in_place_restore_config(args.get_config())
    resources = [resource(r) for r in args.resources]
    report(rules.in_place_restores_of_production(resources, config), report_violation)


restore_point_before_change = StackValidationPolicy(
    name=rules.RESTORE_POINT_RULE,
    description=(
        "Every risky resource (pulumi-command commands, anything named or typed as a migration) "
        "depends on an OracleBackupTrigger of the production databases."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_restore_points,
    config_schema=PolicyConfigSchema(
        properties={
            "productionDatabases": DATABASES_SCHEMA,
            "riskyTypes": WORDS_SCHEMA,
            "namesContaining": WORDS_SCHEMA,
        }
    ),
)

no_in_place_restore_of_production = StackValidationPolicy(
    name=rules.IN_PLACE_RESTORE_RULE,
    description="No OracleRestore in place onto a production database, unless allowed.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_in_place_restores,
    config_schema=PolicyConfigSchema(
        properties={
            "productionDatabases": DATABASES_SCHEMA,
            "allowInPlaceRestore": {"type": "boolean"},
        }
    ),
)

PolicyPack(
    name="pulumi-commvault-restore-points",
    policies=[restore_point_before_change, no_in_place_restore_of_production],
)
