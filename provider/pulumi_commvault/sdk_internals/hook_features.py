"""Whether the engine supports resource hooks and error hooks, as the SDK read it before the
program ran (``GetDeploymentInfo`` or ``SupportsFeature``): ``oracle_backup_hook`` says in one
line that the CLI is too old instead of the SDK's bare ``Exception`` at registration.

Relies on ``pulumi.runtime.settings.SETTINGS``: ``monitor`` (None outside a deployment) and
either ``monitor_features`` (a set of ``resource_pb2.RESOURCE_MONITOR_FEATURE_*`` numbers,
SDK 3.2xx to 3.272) or ``feature_support`` (answers by name, ``"resourceHooks"``, SDK 3.200).
Fallback: None, and the SDK's own check and message stand.
"""

from __future__ import annotations

from typing import Any

from .fallbacks import shims_enabled, warn_fallback

_NUMBERS = ("RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS", "RESOURCE_MONITOR_FEATURE_ERROR_HOOKS")
_NEITHER = "neither SETTINGS.monitor_features (a set) nor SETTINGS.feature_support (by name)"


def engine_hook_features() -> tuple[bool, bool] | None:
    """(resource hooks, error hooks) as the engine answered; None outside a deployment or
    where this SDK keeps the answers otherwise."""
    state, proto = _sources()
    if state is None or getattr(state, "monitor", None) is None or not shims_enabled():
        return None
    numbers: Any = getattr(state, "monitor_features", None)
    hooks, errors = (getattr(proto, name, None) for name in _NUMBERS)
    if isinstance(numbers, set) and hooks is not None:
        return hooks in numbers, errors is not None and errors in numbers
    # 3.200's SETTINGS.feature_support gives back its ContextProperty, not the dict, while
    # the value is a dict: ``.get`` reads through both.
    answers: Any = getattr(getattr(state, "feature_support", None), "get", None)
    hooks_answer = answers("resourceHooks") if callable(answers) else None
    if isinstance(hooks_answer, bool):
        return hooks_answer, answers("errorHooks") is True
    warn_fallback("the check of the CLI's hook support", _NEITHER)
    return None


def hook_features_problems() -> list[str]:
    """What the installed SDK no longer has of what ``engine_hook_features`` reads: the
    attributes themselves, not their values, which only a deployment sets (both are context
    properties, unset in a thread or task the program did not start)."""
    state, proto = _sources()
    if state is None:
        return ["pulumi.runtime.settings.SETTINGS is gone"]
    found: list[str] = []
    if not _has(state, "monitor"):
        found.append("SETTINGS.monitor is gone")
    if _has(state, "monitor_features"):
        if getattr(proto, _NUMBERS[0], None) is None:
            found.append(f"resource_pb2.{_NUMBERS[0]} is gone")
    elif not _has(state, "feature_support"):
        found.append(_NEITHER)
    return found


def _has(state: Any, name: str) -> bool:
    return hasattr(type(state), name) or name in vars(state)


def _sources() -> tuple[Any, Any]:
    try:
        from pulumi.runtime import settings
        from pulumi.runtime.proto import resource_pb2
    except ImportError:
        return None, None
    return getattr(settings, "SETTINGS", None), resource_pb2
