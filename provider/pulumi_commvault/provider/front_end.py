"""What the front end serving the engine gives the core: the URN of the resource a thread is
serving, a line on that resource's row, and the engine's Cancel.

Two front ends serve the same ``ResourceCore``: Pulumi's dynamic-provider server (the
default, ``DynamicFrontEnd``, through ``sdk_internals``) and the provider plugin
(``pulumi_commvault.plugin``), which speaks the engine's protocol itself and installs its own
with ``use``. A process has one front end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .. import sdk_internals


class FrontEnd(Protocol):
    def resource_urn(self) -> str | None:
        """The URN of the resource whose operation this thread serves (None: not known)."""

    def log_on_row(self, urn: str | None, line: str, *, ephemeral: bool) -> bool:
        """Show ``line`` on the resource's row; False when the engine did not take it."""

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the engine sends Cancel (the user pressed Ctrl-C)."""


class DynamicFrontEnd:
    """``python -m pulumi.dynamic``'s server, reached through ``sdk_internals``."""

    def resource_urn(self) -> str | None:
        return sdk_internals.current_resource_urn()

    def log_on_row(self, urn: str | None, line: str, *, ephemeral: bool) -> bool:
        return sdk_internals.log_on_row(urn, line, ephemeral=ephemeral)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        sdk_internals.on_engine_cancel(callback)


_current: list[FrontEnd] = [DynamicFrontEnd()]


def use(front_end: FrontEnd) -> None:
    """Serve the engine through ``front_end`` from now on (the plugin, at its start)."""
    _current[0] = front_end


def current() -> FrontEnd:
    return _current[0]
