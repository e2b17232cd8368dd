"""Whether this SDK and this engine can run ``oracle_backup_hook``: one pure decision over
what they say, so a version too old is one line naming the version needed, not the SDK's
``ImportError`` or the engine's traceback.

Resource hooks came with Pulumi 3.182 (the SDK's ``pulumi.ResourceHook``; the CLI's engine
answers the ``resourceHooks`` feature), error hooks with 3.219 (``pulumi.ErrorHook``; the
``errorHooks`` feature). The SDK learns what the engine supports once, before the program
runs (``GetDeploymentInfo``, or ``SupportsFeature`` on older engines), and refuses a hook
the engine does not support with a bare ``Exception`` at registration.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..sdk_internals import engine_hook_features, sdk_version

#: The first Pulumi release with resource hooks (SDK and CLI).
HOOKS_FROM = "3.182"
#: The first Pulumi release with error hooks (the failed step's restore line).
ERROR_HOOKS_FROM = "3.219"


class HooksUnsupported(pulumi.RunError):
    """The SDK or the CLI is too old for resource hooks: the program stops with this one
    line (a ``RunError`` shows no traceback)."""


@dataclass(frozen=True)
class EngineAnswer:
    """What the engine said it supports, as the SDK read it before the program ran."""

    resource_hooks: bool
    error_hooks: bool


@dataclass(frozen=True)
class Support:
    """What the hook may use: error hooks only where both the SDK and the engine have them."""

    error_hooks: bool


def decide(
    name: str,
    *,
    sdk: str,
    sdk_has_hooks: bool,
    sdk_has_error_hooks: bool,
    engine: EngineAnswer | None,
) -> Support:
    """The one decision. ``engine`` is None outside a deployment (nothing to ask): the SDK's
    answer alone then. Raises ``HooksUnsupported`` with the line the user reads."""
    if not sdk_has_hooks:
        raise HooksUnsupported(
            f"oracle_backup_hook {name!r}: needs the Pulumi SDK {HOOKS_FROM} or newer for "
            f"resource hooks (installed: pulumi {sdk}); upgrade it: pip install --upgrade pulumi"
        )
    if engine is not None and not engine.resource_hooks:
        raise HooksUnsupported(
            f"oracle_backup_hook {name!r}: needs the Pulumi CLI {HOOKS_FROM} or newer for "
            "resource hooks (this CLI's engine does not support them); upgrade the Pulumi "
            "CLI (pulumi version shows the installed one)"
        )
    error_hooks = sdk_has_error_hooks and (engine is None or engine.error_hooks)
    return Support(error_hooks=error_hooks)


def support(name: str) -> Support:
    """``decide`` over the installed SDK and the running engine."""
    version = sdk_version()
    return decide(
        name,
        sdk=".".join(map(str, version)) if version else "of unknown version",
        sdk_has_hooks=hasattr(pulumi, "ResourceHook"),
        sdk_has_error_hooks=hasattr(pulumi, "ErrorHook"),
        engine=engine_answer(),
    )


def engine_answer() -> EngineAnswer | None:
    """What the engine said before the program ran (``sdk_internals.hook_features``); None
    outside a deployment, or where the SDK keeps it otherwise (its own check then stands)."""
    features = engine_hook_features()
    return EngineAnswer(*features) if features is not None else None
