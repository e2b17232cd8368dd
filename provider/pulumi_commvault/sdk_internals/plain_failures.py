"""Our user-facing failures answered as their sentence, not as a traceback (SDK 3.260+)."""

from __future__ import annotations

import ast
import logging
import sys
import types
from typing import Any

from . import sdk_source
from .fallbacks import shims_enabled, warn_fallback

# From SDK 3.260 on, ``python -m pulumi.dynamic`` wraps Create, Read, Update, Delete, Check
# and Diff in ``_abort_with_traceback``, which answers the engine with
# ``traceback.format_exc()``: the user's row then reads ``error: Traceback (most recent call
# last):`` and the sentence that matters comes 12 lines later. The wrapper looks the name
# ``traceback`` up in its module's globals when it fails, and that module is ``__main__`` of
# the provider process; replacing that global with ``_PlainFailures`` makes ``format_exc()``
# return just the message for our user-facing errors, and the real traceback for any other
# exception. Before 3.260 the methods were not wrapped: grpc answers
# ``Exception calling application: <message>``, one line, so nothing is needed there.

PLAIN_FAILURES = "showing failures without a traceback"
#: The first SDK release that answers a failed provider call with its traceback.
TRACEBACK_ANSWERS_FROM = (3, 260, 0)
_WRAPPED = "wrapped"
_LEGACY = "legacy"
_WRAPPED_METHODS = ("Check", "Diff", "Create", "Read", "Update", "Delete")


def sdk_answers_failures_with_tracebacks(version: tuple[int, ...] | None) -> bool:
    """Whether an SDK of ``version`` needs ``show_plainly`` (an unknown one is assumed to)."""
    return version is None or version >= TRACEBACK_ANSWERS_FROM


class _PlainFailures:
    """Stands in for the ``traceback`` module in the provider server's ``__main__``."""

    def __init__(self, real: Any, user_facing: type[BaseException]) -> None:
        self._real = real
        self.user_facing: tuple[type[BaseException], ...] = (user_facing,)

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        failure = sys.exc_info()[1]
        if isinstance(failure, self.user_facing):
            logging.getLogger("pulumi_commvault").debug(
                "%s", self._real.format_exc(*args, **kwargs)
            )
            return str(failure)
        return str(self._real.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def servicer_shape(namespace: dict[str, Any]) -> str | None:
    """How the dynamic provider server in ``namespace`` (a module's globals) answers a failed
    call: ``"wrapped"`` (3.260+, through ``traceback.format_exc``), ``"legacy"`` (before
    3.260, grpc's one line), None when there is no such server (a program process, a test),
    or a problem, described, when it looks like neither."""
    servicer = namespace.get("DynamicResourceProviderServicer")
    if not isinstance(servicer, type):
        return None
    create = servicer.__dict__.get("Create")
    qualname = getattr(create, "__qualname__", "")
    if qualname == "DynamicResourceProviderServicer.Create":
        return _LEGACY
    code = getattr(create, "__code__", None)
    names = set(getattr(code, "co_names", ()))
    if (
        qualname == "_abort_with_traceback.<locals>.wrapper"
        and {"traceback", "format_exc", "abort"} <= names
        and isinstance(namespace.get("traceback"), _PlainFailures | types.ModuleType)
        and getattr(namespace["traceback"], "format_exc", None) is not None
    ):
        return _WRAPPED
    return f"the provider server's Create is now {qualname or create!r} (using {sorted(names)})"


def plain_failures_problems(version: tuple[int, ...] | None = None) -> list[str]:
    """What ``show_plainly`` relies on that the installed SDK (or one of ``version``, with
    the installed source) does not have; nothing before 3.260, which does not need it."""
    if not sdk_answers_failures_with_tracebacks(version or sdk_source.sdk_version()):
        return []
    source = sdk_source.dynamic_main_source()
    if source is None:
        return ["the source of pulumi.dynamic.__main__ cannot be read"]
    return traceback_wrapper_problems(ast.parse(source))


def traceback_wrapper_problems(module: ast.Module) -> list[str]:
    """How the SDK's ``pulumi.dynamic.__main__`` (parsed, never run) differs from the server
    ``show_plainly`` expects: a module-level ``import traceback``, an ``_abort_with_traceback``
    that answers ``traceback.format_exc()``, and the servicer's methods wrapped in it."""
    found: list[str] = []
    if not any(
        isinstance(node, ast.Import)
        and any(a.name == "traceback" and not a.asname for a in node.names)
        for node in module.body
    ):
        found.append("python -m pulumi.dynamic no longer imports traceback as a global")
    wrapper = _top_level(module, ast.FunctionDef, "_abort_with_traceback")
    calls = {ast.unparse(n.func) for n in ast.walk(wrapper) if isinstance(n, ast.Call)}
    if not {"traceback.format_exc", "context.abort"} <= calls:
        found.append(
            "_abort_with_traceback no longer answers context.abort(traceback.format_exc())"
        )
    servicer = _top_level(module, ast.ClassDef, "DynamicResourceProviderServicer")
    wrapped = {
        item.name
        for item in getattr(servicer, "body", [])
        if isinstance(item, ast.FunctionDef)
        and [ast.unparse(d) for d in item.decorator_list] == ["_abort_with_traceback"]
    }
    for method in _WRAPPED_METHODS:
        if method not in wrapped:
            found.append(f"the servicer's {method} is no longer wrapped in _abort_with_traceback")
    return found


def _top_level(module: ast.Module, kind: type[ast.stmt], name: str) -> ast.AST:
    """The module's top-level definition ``name``; an empty module when there is none (so
    that walking it finds nothing)."""
    for node in module.body:
        if isinstance(node, kind) and getattr(node, "name", "") == name:
            return node
    return ast.Module(body=[], type_ignores=[])


def show_plainly(user_facing: type[BaseException], namespace: dict[str, Any] | None = None) -> None:
    """From now on, a ``user_facing`` error reaches the user as its message alone.

    Call it in the provider process (e.g. in ``configure``): the server is the one in
    ``__main__`` (or in ``namespace``, for tests); where there is none (the program's
    process), or on an SDK before 3.260 (which answers the message alone), it does nothing.
    Idempotent.
    """
    if namespace is None:
        namespace = getattr(sys.modules.get("__main__"), "__dict__", {})
    shape = servicer_shape(namespace)
    if shape in (None, _LEGACY) or not sdk_answers_failures_with_tracebacks(
        sdk_source.sdk_version()
    ):
        return
    if shape != _WRAPPED:
        warn_fallback(PLAIN_FAILURES, shape)
        return
    if not shims_enabled():
        warn_fallback(PLAIN_FAILURES, "turned off")
        return
    current = namespace["traceback"]
    if isinstance(current, _PlainFailures):
        if user_facing not in current.user_facing:
            current.user_facing += (user_facing,)
    else:
        namespace["traceback"] = _PlainFailures(current, user_facing)
