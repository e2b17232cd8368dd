"""Inputs declared once, as a pydantic model, and everything derived from the declaration.

A resource's inputs are the fields of one model: name, type, default, documentation
(``Field(description=...)``) and validation. A field's ``Annotated`` metadata says what a
change of it means (``NEW_JOB``: the resource runs a new Commvault job) and whether it is
set by the resource itself rather than by the user (``INTERNAL``). From the model come the
names diff compares (``names_with``), the
names echoed as outputs, and the README's input table (``markdown_table``);
``tools/update_docs.py`` generates the typed ``Args`` classes users pass into
``typed_api.py`` from the same fields.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, ParamSpec, TypeVar

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


class ArgsError(pulumi.RunError, TypeError):
    """A resource or its ``Args`` called with an input it does not have: one line naming it
    and the closest valid one (a ``RunError``, so ``pulumi up`` shows no traceback)."""


class ResourceArgs:
    """Base of the typed ``Args`` classes (generated into ``typed_api.py``): every input
    optional, keyword-only; their typed ``__init__`` is for type checkers and editors."""

    #: The inputs, in declaration order (each class lists its own).
    INPUT_NAMES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **inputs: Any) -> None:
        for name in inputs:
            if name not in self.INPUT_NAMES:
                raise ArgsError(unknown_input_line(type(self).__name__, name, self.INPUT_NAMES))
        for name in self.INPUT_NAMES:
            setattr(self, name, inputs.get(name))

    def to_props(self) -> dict[str, Any]:
        """The inputs that are set; an unset input is not sent (the provider applies defaults)."""
        values = {name: getattr(self, name) for name in self.INPUT_NAMES}
        return {name: _plain(value) for name, value in values.items() if value is not None}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self) -> str:
        set_ = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if v is not None)
        return f"{type(self).__name__}({set_})"

    __hash__ = None  # type: ignore[assignment]


def unknown_input_line(owner: str, name: str, valid: Sequence[str]) -> str:
    """``<owner> has no input 'x'``, with the closest valid one when there is one."""
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; its inputs are {', '.join(valid)}"
    return f"{owner} has no input {name!r}{hint}"


P = ParamSpec("P")
R = TypeVar("R")


def refusing_unknown_keywords(
    error: type[Exception],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A function whose misspelt keyword raises ``error`` with ``unknown_input_line`` (named
    after the function and its first argument), not Python's ``TypeError``; its signature
    stays as written, for editors and type checkers."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        valid = tuple(inspect.signature(function).parameters)

        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            for name in kwargs:
                if name not in valid:
                    owner = function.__name__ + (f" {args[0]!r}" if args else "")
                    raise error(unknown_input_line(owner, name, valid))
            return function(*args, **kwargs)

        return checked

    return decorate


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
