"""The engine's ``Cancel`` (Ctrl-C) reaching the provider, through the servicer's no-op."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from types import CodeType
from typing import Any

from . import sdk_source
from .fallbacks import shims_enabled, warn_fallback

# ``python -m pulumi.dynamic`` answers the engine's ``Cancel`` RPC with a no-op, and an
# in-flight Create's gRPC context is never cancelled (the engine makes its requests with
# ``context.WithoutCancel``), so a provider cannot see a Ctrl-C. The servicer's methods
# were bound when the server started, so the class cannot be patched; instead the code
# object of its ``Cancel`` function is swapped for ``_cancel_replacement``'s, which calls
# ``_pulumi_commvault_on_cancel`` from the servicer module's globals. Fallback: a wait goes on
# until the jobs end (or ``timeout_minutes``), as without this package's help.

CANCEL_HOOK_NAME = "_pulumi_commvault_on_cancel"
_SDK_CANCEL_NAMES = ("empty_pb2", "Empty")
_cancel_callbacks: list[Callable[[], None]] = []
#: The servicer module's own ``empty_pb2`` is what ``_cancel_replacement`` uses at run time.
empty_pb2: Any = importlib.import_module("google.protobuf.empty_pb2")
_cancel_lock = threading.Lock()


def _pulumi_commvault_on_cancel() -> None:
    """Run every registered cancel callback (installed into the servicer's module)."""
    with _cancel_lock:
        callbacks = list(_cancel_callbacks)
    for callback in callbacks:
        callback()


def _cancel_replacement(self: Any, request: Any, context: Any) -> Any:
    # Runs with the servicer module's globals: both names below are looked up there.
    _pulumi_commvault_on_cancel()
    return empty_pb2.Empty()


def _cancel_code_problems(code: CodeType | None) -> list[str]:
    if code is None:
        return ["the servicer's Cancel is not a plain function"]
    found: list[str] = []
    if code.co_names != _SDK_CANCEL_NAMES or code.co_freevars:
        found.append(f"the servicer's Cancel does more than return Empty now ({code.co_names})")
    if code.co_argcount != 3:
        found.append(f"the servicer's Cancel takes {code.co_argcount} arguments, not 3")
    return found


def cancel_problems() -> list[str]:
    """What ``on_engine_cancel`` relies on that the installed SDK does not have."""
    main = sdk_source.running_dynamic_main()
    if main is not None:
        servicer = getattr(main, "DynamicResourceProviderServicer", None)
        function = getattr(servicer, "Cancel", None) if servicer is not None else None
        if function is None:
            return ["python -m pulumi.dynamic has no DynamicResourceProviderServicer.Cancel"]
        if getattr(function, "__code__", None) is _cancel_replacement.__code__:
            return []
        if "empty_pb2" not in vars(main):
            return ["python -m pulumi.dynamic no longer imports empty_pb2"]
        return _cancel_code_problems(getattr(function, "__code__", None))
    code = sdk_source.servicer_method_code("Cancel")
    if code is None:
        return ["python -m pulumi.dynamic has no DynamicResourceProviderServicer.Cancel"]
    return _cancel_code_problems(code)


def on_engine_cancel(callback: Callable[[], None]) -> bool:
    """Call ``callback`` when the engine sends ``Cancel`` (the user pressed Ctrl-C).

    Returns whether the hook is in place. Outside a dynamic provider process (a test that
    calls the provider directly) nothing is installed; where the SDK looks different, or
    with the shims off, a warning says that Ctrl-C will not end a wait early.
    """
    what = "ending a wait early on Ctrl-C"
    if not shims_enabled():
        warn_fallback(what, "turned off")
        return False
    main = sdk_source.running_dynamic_main()
    if main is None:
        return False
    with _cancel_lock:
        if callback not in _cancel_callbacks:
            _cancel_callbacks.append(callback)
        problems = cancel_problems()
        if problems:
            _cancel_callbacks.remove(callback)
        else:
            vars(main)[CANCEL_HOOK_NAME] = _pulumi_commvault_on_cancel
            main.DynamicResourceProviderServicer.Cancel.__code__ = _cancel_replacement.__code__
    if problems:
        warn_fallback(what, "; ".join(problems))
        return False
    return True
