"""Validating a resource's inputs against its declaration, as the engine hands them over.

The engine gives plain dicts in which numbers are floats and values not known yet (during
preview) are ``pulumi.output.Unknown``. ``check_props`` validates the known ones against a
declaration model and reports ``(field, reason)`` per bad one; a model-level failure whose
message starts with ``"<field>: "`` is reported on that field. Both resources' ``inputs``
modules use it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pulumi.output import Unknown, contains_unknowns
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Inputs that do not validate: ``failures`` lists ``(field, reason)``."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in failures))


def is_unknown(value: Any) -> bool:
    """Whether a value (or something inside it) is not known yet (preview)."""
    return isinstance(value, Unknown) or bool(contains_unknowns(value))


def canonical(value: Any) -> Any:
    """A value as the engine round-trips it: integral floats are ints, containers normalized."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def check_props(
    model: type[M], props: dict[str, Any], *, whole_model_field: str
) -> tuple[M | None, list[tuple[str, str]]]:
    """The validated inputs (None while some are not known yet) and ``(field, reason)`` for
    each bad one; inputs not known yet are not judged. ``whole_model_field`` names a
    model-level failure that names no field."""
    names = tuple(model.model_fields)
    unknown = {k for k, v in props.items() if is_unknown(v)}
    failures = [
        (k, f"unknown input; valid inputs are {', '.join(names)}") for k in props if k not in names
    ]
    known = {k: v for k, v in props.items() if k in names and k not in unknown}
    try:
        inputs = model.model_validate(known)
    except ValidationError as exc:
        for error in exc.errors():
            field, reason = _field_and_reason(error, names, whole_model_field)
            if unknown and (field in unknown or not error["loc"]):
                continue
            failures.append((field, reason))
        return None, failures
    return (None if unknown else inputs), failures


def _field_and_reason(
    error: Any, names: tuple[str, ...], whole_model_field: str
) -> tuple[str, str]:
    loc = [str(p) for p in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc and ": " in message and message.split(": ", 1)[0] in names:
        field, message = message.split(": ", 1)
        return field, message
    if not loc:
        return whole_model_field, message
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc[1:])
    return f"{loc[0]}{path}", message
