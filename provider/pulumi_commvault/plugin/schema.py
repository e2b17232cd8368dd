"""The plugin's Pulumi package schema, built from the inputs' one declaration.

Each resource's properties, types, defaults and descriptions come from its pydantic model
(``BackupTriggerInputs``, ``RestoreInputs``) and its results' ``TypedDict``; the config from
``runtime.settings``. Every language's SDK and docs are generated from this schema, so they
say what the Python resources' docstrings and the README say. ``tools/update_docs.py``
writes it to ``sdk/schema.json``; the plugin serves the same text to ``GetSchema``.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from .._version import __version__
from ..backup_trigger.inputs import BackupTriggerInputs
from ..backup_trigger.outputs import BackupResults
from ..declarations import user_fields
from ..oracle_restore.inputs import RestoreInputs
from ..oracle_restore.outputs import RestoreResults
from .marshal import camel

PACKAGE = "commvault"
MODULE = "oracle"
BACKUP_TRIGGER = f"{PACKAGE}:{MODULE}:BackupTrigger"
RESTORE = f"{PACKAGE}:{MODULE}:Restore"
DATABASE = f"{PACKAGE}:{MODULE}:Database"
ANY = {"$ref": "pulumi.json#/Any"}

#: ``commvault:*`` config: (name, type, secret, description).
CONFIG: tuple[tuple[str, str, bool, str], ...] = (
    ("url", "string", False, "The CommServe's web API URL (env COMMVAULT_URL)."),
    ("authToken", "string", True, "A Commvault API token (env COMMVAULT_AUTHTOKEN)."),
    ("username", "string", False, "The Commvault user to log in as (env COMMVAULT_USERNAME)."),
    ("password", "string", True, "That user's password (env COMMVAULT_PASSWORD)."),
    ("caBundle", "string", False, "A CA bundle file for the CommServe's TLS certificate."),
    ("insecure", "boolean", False, "Skip TLS verification (testing only; warns)."),
    ("maxReadsPerHour", "integer", False, "The read budget of one run's waits."),
)

#: What each result holds, for the docs of every language.
RESULT_DOCS = {
    "task_id": "The Commvault task that started the job(s).",
    "job_id": "The restore job.",
    "job_ids": "The Commvault jobs of the latest operation.",
    "jobs": "One record per job: its id, database, status and sizes as last read.",
    "request_marker": "The marker that identifies this request in Commvault job descriptions.",
    "history": "Earlier operations, newest first.",
    "restore_point": "The restore point used (what a rollback needs to know).",
}


def _from_json_schema(js: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON-schema type as a Pulumi schema type (``None`` alternatives dropped)."""
    options = [o for o in js.get("anyOf", [js]) if o.get("type") != "null"]
    one = options[0] if len(options) == 1 else {}
    if "$ref" in one:
        return {"$ref": f"#/types/{DATABASE}"}
    kind = one.get("type")
    if kind == "array":
        return {"type": "array", "items": _from_json_schema(one.get("items") or {})}
    if kind in ("string", "boolean", "number", "integer"):
        return {"type": kind}
    return dict(ANY)


def _from_annotation(annotation: Any) -> dict[str, Any]:
    """A result's Python type as a Pulumi schema type."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is list:
        return {"type": "array", "items": _from_annotation(args[0])}
    if annotation is str or (args and args[0] is str):
        return {"type": "string"}
    return dict(ANY)


def _input_properties(model: type[Any]) -> dict[str, dict[str, Any]]:
    fields = model.model_json_schema()["properties"]
    properties: dict[str, dict[str, Any]] = {}
    for name, field in user_fields(model):
        spec = _from_json_schema(fields[name])
        spec["description"] = field.description or ""
        default = field.get_default(call_default_factory=True)
        if isinstance(default, str | bool | int | float):
            spec["default"] = default
        properties[camel(name)] = spec
    return properties


def _resource(model: type[Any], results: type[Any], what: str) -> dict[str, Any]:
    inputs = _input_properties(model)
    outputs = {
        camel(name): {**_from_annotation(annotation), "description": RESULT_DOCS[name]}
        for name, annotation in typing.get_type_hints(results).items()
    }
    return {
        "description": what,
        "inputProperties": inputs,
        "properties": {**inputs, **outputs},
        "required": [camel(name) for name in ("job_ids", "jobs", "history")],
    }


def _database_type() -> dict[str, Any]:
    """A database of ``databases``: its declaration's types, described by the same-named
    single-database inputs of ``BackupTriggerInputs``."""
    declared = BackupTriggerInputs.model_json_schema()["$defs"]["Database"]
    fields = BackupTriggerInputs.model_fields
    return {
        "type": "object",
        "description": "One Oracle database as Commvault backs it up: one job each.",
        "properties": {
            camel(name): {**_from_json_schema(spec), "description": fields[name].description}
            for name, spec in declared["properties"].items()
        },
        "required": [camel(name) for name in declared["required"]],
    }


def _config() -> dict[str, dict[str, Any]]:
    return {
        name: {"type": kind, "description": doc, **({"secret": True} if secret else {})}
        for name, kind, secret, doc in CONFIG
    }


def schema() -> dict[str, Any]:
    """The package schema as a dict."""
    return {
        "name": PACKAGE,
        "displayName": "Commvault",
        "version": __version__,
        "description": "Commvault backups and restores of Oracle databases, as resources.",
        "keywords": ["pulumi", "commvault", "oracle", "backup"],
        "license": "Apache-2.0",
        "config": {"variables": _config()},
        "provider": {
            "description": "The Commvault provider: where the CommServe is.",
            "inputProperties": _config(),
        },
        "types": {DATABASE: _database_type()},
        "resources": {
            BACKUP_TRIGGER: _resource(
                BackupTriggerInputs,
                BackupResults,
                "Takes a Commvault backup of Oracle databases when created and when its "
                "`triggers` change; refresh reads the jobs, destroy only forgets them.",
            ),
            RESTORE: _resource(
                RestoreInputs,
                RestoreResults,
                "Runs one Commvault restore of an Oracle database when created and when its "
                "`triggers` (or restore point, source, destination) change.",
            ),
        },
        "language": {
            "nodejs": {"packageName": "@pulumi-commvault/commvault"},
            "go": {"importBasePath": "example.com/pulumi-commvault/sdk/go/commvault"},
        },
    }


def schema_text() -> str:
    """The schema as ``sdk/schema.json`` holds it and ``GetSchema`` serves it."""
    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"
