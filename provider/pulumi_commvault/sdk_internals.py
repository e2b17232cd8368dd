"""Every use of the Pulumi SDK's internals, in one place, each with a check and a fallback.

The package relies on three things the SDK does not offer publicly:
- **registration** (``register``): a dynamic resource is registered the way
  ``pulumi.dynamic.Resource.__init__`` does it, but called past it, so that the SDK records
  the user's line as the resource's source position and so that the provider's
  ``serialize_as_secret_always`` is read where it decides (the serialized provider holds
  nothing secret, so it need not cost a secret per resource). Relies on
  ``Resource._resource_type_name``, ``CustomResource.__init__(t, name, props, opts)``,
  ``pulumi.dynamic.dynamic.serialize_provider`` and ``pulumi.runtime._serialization._serialize``.
  Fallback: ``pulumi.dynamic.Resource.__init__`` itself (always-secret provider, our line as
  the source position).
- **the serialized-provider key** (``PROVIDER_KEY``): ``pulumi.dynamic.dynamic.PROVIDER_KEY``.
  Fallback: ``"__provider"``, its value in every SDK release so far.
- **the provider's thread pool** (``widen_current_pool``): ``python -m pulumi.dynamic`` serves
  the engine from ``ThreadPoolExecutor(max_workers=4)``; the pool is found through its worker
  thread's private ``_args`` and its private ``_max_workers`` raised. Fallback: 4 calls at once.

``problems()`` lists what no longer holds on the installed SDK; ``tests/test_sdk_internals.py``
fails loudly on each. When something does not hold at run time, the fallback is used and a
warning says which, once per process. ``PULUMI_COMMVAULT_SDK_SHIMS=off`` forces every
fallback (that is how the tests prove the fallbacks work through the real CLI).
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pulumi
from pulumi import CustomResource
from pulumi.dynamic import Resource, ResourceProvider

SHIMS_VARIABLE = "PULUMI_COMMVAULT_SDK_SHIMS"
DEFAULT_PROVIDER_KEY = "__provider"

try:
    from pulumi.dynamic.dynamic import PROVIDER_KEY as _SDK_PROVIDER_KEY
except ImportError:  # pragma: no cover - exercised only by an SDK that moved it
    _SDK_PROVIDER_KEY = DEFAULT_PROVIDER_KEY

#: The property in which every dynamic resource carries its serialized provider.
PROVIDER_KEY: str = _SDK_PROVIDER_KEY

_warned: set[str] = set()
_warned_lock = threading.Lock()


def shims_enabled() -> bool:
    return os.environ.get(SHIMS_VARIABLE, "on").strip().lower() not in ("off", "0", "false")


def warn_fallback(what: str, why: str) -> None:
    """Say once per process that ``what`` falls back, and why: working, but not as designed."""
    with _warned_lock:
        if what in _warned:
            return
        _warned.add(what)
    message = (
        f"pulumi-commvault: {what} falls back to the Pulumi SDK's public behaviour ({why}); "
        "it keeps working. Please report this with your pulumi version."
    )
    try:
        pulumi.log.warn(message)
    except Exception:
        print(message, file=sys.stderr, flush=True)


# --- registration ---------------------------------------------------------------------------


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
    """
    problems = registration_problems() if shims_enabled() else ["turned off"]
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


# --- the provider's thread pool -------------------------------------------------------------


def pool_problems() -> list[str]:
    """What ``widen_current_pool`` relies on that this Python or SDK does not have."""
    found: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        if pool.submit(lambda: _executor_of(threading.current_thread())).result() is not pool:
            found.append("a ThreadPoolExecutor worker thread no longer holds its executor")
        if not isinstance(getattr(pool, "_max_workers", None), int):
            found.append("ThreadPoolExecutor no longer keeps _max_workers")
    source = _dynamic_main_source()
    if source is not None and "ThreadPoolExecutor(" not in source:
        found.append("python -m pulumi.dynamic no longer serves from a ThreadPoolExecutor")
    return found


def widen_current_pool(workers: int) -> bool:
    """Let the thread pool running this call grow to ``workers`` threads (never narrower).

    A running ``ThreadPoolExecutor`` starts another thread for each call it receives while
    it has fewer than ``_max_workers``, so the new limit applies from the next call on.
    Returns whether it could: outside a pool thread, or where the pool looks different,
    nothing changes (with a warning in the latter case).
    """
    if not shims_enabled():
        warn_fallback("serving more than 4 provider calls at once", "turned off")
        return False
    executor = _executor_of(threading.current_thread())
    if executor is None:
        return False
    limit = getattr(executor, "_max_workers", None)
    if not isinstance(limit, int):
        warn_fallback("serving more than 4 provider calls at once", "the pool looks different")
        return False
    if limit < workers:
        executor._max_workers = workers
    return True


def _executor_of(thread: threading.Thread) -> ThreadPoolExecutor | None:
    # A worker thread's target is ``concurrent.futures.thread._worker``, whose first argument
    # is a weak reference to its executor (CPython 3.8 to 3.14).
    args = getattr(thread, "_args", None)
    reference = args[0] if isinstance(args, tuple) and args else None
    executor = reference() if isinstance(reference, weakref.ReferenceType) else None
    return executor if isinstance(executor, ThreadPoolExecutor) else None


def _dynamic_main_source() -> str | None:
    # Read, not imported: importing ``pulumi.dynamic.__main__`` would start a provider server.
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    if spec is None or spec.origin is None:
        return None
    try:
        return Path(spec.origin).read_text()
    except OSError:
        return None


def problems() -> list[str]:
    """Everything this module relies on that the installed SDK or Python no longer has."""
    return registration_problems() + pool_problems()
