"""The engine's ``google.protobuf.Struct`` properties to the core's plain dicts and back.

The engine sends a secret as ``{SIGNATURE_KEY: SECRET_SIGNATURE, "value": ...}`` and, in a
preview, a value not known yet as the string ``UNKNOWN``. The core works on plain dicts with
snake_case keys in which numbers are floats and an unknown value is ``pulumi.output.Unknown``
(what ``validation`` accepts); the schema names properties in camelCase, as every Pulumi
language expects. ``triggers`` hold the user's own values: their keys are never renamed.

A plugin that says ``acceptSecrets`` must keep secrets secret in what it returns: the
top-level properties that held a secret anywhere inside them are returned as secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.output import Unknown

SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - a marker, no secret
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: A value not known yet, as the core's validation takes it (one shared, immutable marker).
NOT_KNOWN: Any = Unknown()  # type: ignore[no-untyped-call]
#: Properties whose values are the user's own: their keys are kept as written.
OPAQUE = frozenset({"triggers"})


def snake(name: str) -> str:
    """``clientName`` -> ``client_name``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    """``client_name`` -> ``clientName``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass
class Plain:
    """Properties as the core takes them, and which top-level ones held a secret."""

    props: dict[str, Any]
    secret: set[str] = field(default_factory=set)


def from_struct(struct: struct_pb2.Struct | None) -> Plain:
    """The engine's properties as snake_case plain values; secrets unwrapped and noted."""
    if struct is None:
        return Plain({})
    raw = json_format.MessageToDict(struct)
    plain = Plain({})
    for key, value in raw.items():
        name = snake(key)
        secret: list[bool] = []
        plain.props[name] = _plain(value, secret, rename=name not in OPAQUE)
        if secret:
            plain.secret.add(name)
    return plain


def _plain(value: Any, secret: list[bool], *, rename: bool) -> Any:
    if value == UNKNOWN:
        return NOT_KNOWN
    if isinstance(value, list):
        return [_plain(v, secret, rename=rename) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
        secret.append(True)
        return _plain(value.get("value"), secret, rename=rename)
    return {
        (snake(k) if rename else k): _plain(v, secret, rename=rename and k not in OPAQUE)
        for k, v in value.items()
    }


def to_struct(props: dict[str, Any], secret: Iterable[str] = ()) -> struct_pb2.Struct:
    """Plain snake_case properties as the engine's camelCase ``Struct``; ``secret`` ones
    wrapped as secrets, ``Unknown`` values as the engine's unknown."""
    hidden = set(secret)
    struct = struct_pb2.Struct()
    wire: dict[str, Any] = {}
    for name, value in props.items():
        encoded = _wire(value, rename=name not in OPAQUE)
        if name in hidden:
            encoded = {SIGNATURE_KEY: SECRET_SIGNATURE, "value": encoded}
        wire[camel(name)] = encoded
    struct.update(wire)
    return struct


def with_secrets(struct: struct_pb2.Struct, names: Iterable[str]) -> struct_pb2.Struct:
    """A copy of ``struct`` with its top-level ``names`` (camelCase, as on the wire) wrapped
    as secrets, where they are set and not secret already."""
    marked = struct_pb2.Struct()
    marked.CopyFrom(struct)
    for name in names:
        if name not in marked.fields:
            continue
        value = json_format.MessageToDict(marked)[name]
        if isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            continue
        marked.update({name: {SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}})
    return marked


def _wire(value: Any, *, rename: bool) -> Any:
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return [_wire(v, rename=rename) for v in value]
    if isinstance(value, dict):
        return {
            (camel(str(k)) if rename else str(k)): _wire(v, rename=rename and k not in OPAQUE)
            for k, v in value.items()
        }
    return str(value)


def config_value(value: Any) -> str | None:
    """A ``commvault:*`` config value as the settings read it (they read text, as from the
    environment): ``true``/``false``, whole numbers without ``.0``."""
    if value is None or isinstance(value, Unknown):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
