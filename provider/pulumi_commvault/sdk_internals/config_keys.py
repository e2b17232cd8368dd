"""The keys of the program's stack config, so that a ``commvault:*`` key that is no setting
(``commvault:usernmae``) is named rather than ignored without a word.

``pulumi.Config`` reads one key at a time and lists none. Relies on
``pulumi.runtime.config.CONFIG``, the context variable holding the config the language host
passed (every supported SDK), and ``get_config_env()``, the ``PULUMI_CONFIG`` variable.
Fallback: no keys, so no misspelt key is named.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .fallbacks import shims_enabled, warn_fallback


def config_keys() -> list[str]:
    """Every key of the program's stack config (``namespace:name``)."""
    if not shims_enabled():
        return []
    config = _config_module()
    held: Any = getattr(config, "CONFIG", None)
    from_env: Any = getattr(config, "get_config_env", None)
    if not isinstance(held, ContextVar) or not callable(from_env):
        warn_fallback("naming a misspelt commvault:* config key", "; ".join(config_keys_problems()))
        return []
    try:
        return sorted({*held.get(), *from_env()})
    except (TypeError, ValueError) as exc:  # PULUMI_CONFIG that is not a JSON object
        warn_fallback("naming a misspelt commvault:* config key", f"{type(exc).__name__}: {exc}")
        return []


def config_keys_problems() -> list[str]:
    """What the installed SDK no longer has of what ``config_keys`` reads."""
    config = _config_module()
    if config is None:
        return ["pulumi.runtime.config is gone"]
    found: list[str] = []
    if not isinstance(getattr(config, "CONFIG", None), ContextVar):
        found.append("pulumi.runtime.config.CONFIG is no longer a ContextVar")
    if not callable(getattr(config, "get_config_env", None)):
        found.append("pulumi.runtime.config.get_config_env is gone")
    return found


def _config_module() -> Any:
    try:
        from pulumi.runtime import config
    except ImportError:
        return None
    return config
