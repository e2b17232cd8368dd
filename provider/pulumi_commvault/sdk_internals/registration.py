"""Registering a dynamic resource past ``pulumi.dynamic.Resource.__init__``, so that the
user's line is its source position; the serialized-provider key."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi import CustomResource
from pulumi.dynamic import Resource, ResourceProvider

from .fallbacks import shims_enabled, warn_fallback

DEFAULT_PROVIDER_KEY = "__provider"

try:
    from pulumi.dynamic.dynamic import PROVIDER_KEY as _SDK_PROVIDER_KEY
except ImportError:  # pragma: no cover - exercised only by an SDK that moved it
    _SDK_PROVIDER_KEY = DEFAULT_PROVIDER_KEY

#: The property in which every dynamic resource carries its serialized provider.
PROVIDER_KEY: str = _SDK_PROVIDER_KEY


def registration_problems() -> list[str]:
    """What ``register`` relies on that the installed SDK does not have."""
    found: list[str] = []

    class Probe(Resource, module="probe", name="Probe"):
        pass

    if not isinstance(getattr(Probe, "_resource_type_name", None), str):
        found.append("pulumi.dynamic.Resource subclasses no longer get _resource_type_name")
    params = list(inspect.signature(CustomResource.__init__).parameters)[:5]
    if params != ["self", "t", "name", "props", "opts"]:
        found.append(f"CustomResource.__init__ parameters are now {params}")
    try:
        from pulumi.dynamic.dynamic import serialize_provider  # noqa: F401
        from pulumi.runtime._serialization import _serialize  # noqa: F401
    except ImportError as exc:
        found.append(f"provider serialization moved: {exc}")
    return found


@functools.cache
def _registration_problems_once() -> tuple[str, ...]:
    # Once per process, not once per resource: a program may register hundreds.
    return tuple(registration_problems())


def register(
    resource: Resource,
    provider: ResourceProvider,
    serialized_provider: Callable[[], tuple[str, bool]],
    name: str,
    props: dict[str, Any],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Register ``resource`` with the engine, as ``pulumi.dynamic.Resource.__init__`` does.

    ``serialized_provider`` gives ``(text, captured_secrets)``, so the caller can make it
    once per program. Must be called from the resource's own ``__init__``: the SDK takes the
    source position from the caller of the third ``__init__`` up, which is then the user's.
    The provider is a secret exactly where ``Resource.__init__`` would make it one.
    """
    problems = list(_registration_problems_once()) if shims_enabled() else ["turned off"]
    if problems:
        warn_fallback("resource registration", "; ".join(problems))
        Resource.__init__(resource, provider, name, props, opts)
        return
    text, captured_secrets = serialized_provider()
    as_secret = getattr(provider, "serialize_as_secret_always", True) or captured_secrets
    serialized: Any = pulumi.Output.secret(text) if as_secret else text
    type_name: str = type(resource)._resource_type_name
    CustomResource.__init__(
        resource, f"pulumi-python:{type_name}", name, {**props, PROVIDER_KEY: serialized}, opts
    )


def serialize(provider: ResourceProvider) -> tuple[str, bool]:
    """The provider as the SDK serializes it, and whether that captured a secret ``Output``."""
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime._serialization import _serialize

    text, captured_secrets = _serialize(True, serialize_provider, provider)
    return str(text), bool(captured_secrets)
