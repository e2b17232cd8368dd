"""Inputs declared once, as a pydantic model, and everything derived from the declaration.

A resource's inputs are the fields of one model: name, type, default, documentation
(``Field(description=...)``) and validation. A field's ``Annotated`` metadata says what a
change of it means (``NEW_JOB``: the resource runs a new Commvault job) and whether it is
set by the resource itself rather than by the user (``INTERNAL``). From the model come the
``Args`` class users pass (``args_class``), the names diff compares (``names_with``), the
names echoed as outputs, and the README's input table (``markdown_table``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class InputRole:
    """What an input is for, beyond its value (see ``NEW_JOB``, ``INTERNAL``)."""

    name: str


#: A change of this input makes the resource run a new Commvault job (a backup, a restore).
NEW_JOB = InputRole("new job")
#: Set by the resource (not an argument of its ``Args``); still an input the engine stores.
INTERNAL = InputRole("internal")


def has_role(field: FieldInfo, role: InputRole) -> bool:
    return role in field.metadata


def fields_of(model: type[Any]) -> dict[str, FieldInfo]:
    """The declared fields of a pydantic model or pydantic dataclass."""
    fields = getattr(model, "model_fields", None) or getattr(model, "__pydantic_fields__", None)
    if not isinstance(fields, dict):
        raise TypeError(f"{model!r} is not a pydantic model or pydantic dataclass")
    return fields


def names_with(model: type[Any], role: InputRole) -> tuple[str, ...]:
    return tuple(name for name, f in fields_of(model).items() if has_role(f, role))


def user_fields(model: type[Any]) -> Iterator[tuple[str, FieldInfo]]:
    """The inputs a user gives, in declaration order."""
    for name, field in fields_of(model).items():
        if not has_role(field, INTERNAL):
            yield name, field


def default_text(field: FieldInfo) -> str:
    """A field's default as the docs show it: ``none`` when there is none, JSON-ish otherwise."""
    default = field.get_default(call_default_factory=True)
    if default is None or default is PydanticUndefined:
        return "none"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return f"`{default}`" if isinstance(default, str) else str(default)


class ResourceArgs:
    """Base of the ``Args`` classes made by ``args_class``: every input optional, keyword-only."""

    if TYPE_CHECKING:

        def __init__(self, **inputs: Any) -> None: ...

    def to_props(self) -> dict[str, Any]:
        """The inputs that are set; an unset input is not sent (the provider applies defaults)."""
        props: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                continue
            props[f.name] = _plain(value)
        return props


A = TypeVar("A", bound=ResourceArgs)


def args_class(model: type[Any], name: str, summary: str, *, module: str, base: type[A]) -> type[A]:
    """A keyword-only dataclass of every user input of ``model``, each optional.

    Each field takes a ``pulumi.Input`` (a value or another resource's output); its
    documentation is the model's, gathered into the class docstring.
    """
    fields = [
        (field_name, "pulumi.Input[Any] | None", dataclasses.field(default=None))
        for field_name, _ in user_fields(model)
    ]
    lines = [summary, "", "Inputs (each optional; the provider applies the defaults):"]
    lines += [
        f"    {field_name}: {field.description or ''} Default: {default_text(field)}."
        for field_name, field in user_fields(model)
    ]
    made = dataclasses.make_dataclass(
        name, fields, bases=(base,), kw_only=True, namespace={"__doc__": "\n".join(lines)}
    )
    made.__module__ = module
    return made


def markdown_table(model: type[Any]) -> str:
    """The README's input table for ``model``: input, default, what a change does, meaning."""
    rows = ["| input | default | a change | meaning |", "| --- | --- | --- | --- |"]
    for field_name, field in user_fields(model):
        change = "runs a new job" if has_role(field, NEW_JOB) else "no new job"
        rows.append(
            f"| `{field_name}` | {default_text(field)} | {change} | {field.description or ''} |"
        )
    return "\n".join(rows)


def _plain(value: Any) -> Any:
    """Nested ``Args`` dataclasses as dicts, so the engine receives plain values."""
    if isinstance(value, ResourceArgs):
        return value.to_props()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def unset_input_output(resource: object, name: str, input_names: Collection[str]) -> Any:
    """A resource's output attribute for an input left unset: None, as its provider echoes it.

    Unset inputs are not registered (each registered property costs the SDK an Output it
    tracks until the program ends), so a resource's ``__getattr__`` makes them on first use.
    """
    if name not in input_names:
        raise AttributeError(f"{type(resource).__name__!r} object has no attribute {name!r}")
    output: pulumi.Output[Any] = pulumi.Output.from_input(None)
    setattr(resource, name, output)
    return output
