"""Every use of the Pulumi SDK's internals, in one package, each with a check and a fallback.

One module per internal (``registration``, ``pool``, ``plain_failures``, ``cancel``,
``row_log``, ``hook_features``, ``config_keys``,
``program_log``); ``sdk_source`` reads the installed SDK,
``fallbacks`` says when one is used.

Re-checked against the SDK releases 3.200.0, 3.219.0, 3.259.0, 3.260.0 and 3.272.0 (which
internal each release needs: docs/compatibility.md, "SDK internals by release"). The package
relies on these things the SDK does not offer publicly:
- **registration** (``register``, every supported SDK): a dynamic resource is registered the
  way ``pulumi.dynamic.Resource.__init__`` does it, but called past it, so that the SDK
  records the user's line as the resource's source position (it takes the caller of the third
  ``__init__`` up; through ``Resource.__init__`` that would be our constructor, and the state
  would also carry our frames). The provider is serialized once per program, and made a
  secret exactly where the SDK's own ``__init__`` would (``serialize_as_secret_always``,
  which every supported SDK reads there). Relies on ``Resource._resource_type_name``,
  ``CustomResource.__init__(t, name, props, opts)``,
  ``pulumi.dynamic.dynamic.serialize_provider`` and ``pulumi.runtime._serialization._serialize``.
  Fallback: ``pulumi.dynamic.Resource.__init__`` itself (our line as the source position).
- **the serialized-provider key** (``PROVIDER_KEY``): ``pulumi.dynamic.dynamic.PROVIDER_KEY``.
  Fallback: ``"__provider"``, its value in every SDK release so far.
- **the provider's thread pool** (``widen_current_pool``, every supported SDK): ``python -m
  pulumi.dynamic`` serves the engine from ``ThreadPoolExecutor(max_workers=4)``; the pool is
  found through its worker thread's private ``_args`` (a CPython internal) and its private
  ``_max_workers`` raised. Fallback: 4 calls at once.
- **failures shown plainly** (``show_plainly``, SDK 3.260 on; not needed before): the SDK
  answers a failed provider call with the whole traceback; the ``traceback`` global of the
  provider server's ``__main__`` is replaced so that our user-facing errors are answered with
  their message alone (other exceptions keep their traceback). Fallback: the traceback, with
  our sentence on its last line.
- **the engine's Cancel** (``on_engine_cancel``, every supported SDK): the servicer's no-op
  ``Cancel`` gets the code of ``_cancel_replacement``, which calls our hook. Fallback: a wait
  ends only with its jobs.
- **a line on the resource's row** (``log_on_row``, every supported SDK): an engine ``Log``
  (the engine's public protocol; its address is the provider's first argument) for the URN of
  the request being served, found in the servicer's frame. Fallback: stdout, shown on the
  Stack's row.
- **the engine's hook support** (``engine_hook_features``, every supported SDK): what the
  engine answered before the program ran, from ``SETTINGS.monitor_features`` (feature
  numbers) or, in 3.200, ``SETTINGS.feature_support`` (by name), so ``oracle_backup_hook``
  names the CLI version needed in one line. Fallback: the SDK's own check and message.
- **the stack config's keys** (``config_keys``, every supported SDK): ``pulumi.Config`` lists
  no keys, so a misspelt ``commvault:*`` key is found in ``pulumi.runtime.config.CONFIG`` and
  ``get_config_env()``. Fallback: no keys, and a misspelt key is not named.

- **a hook's line sent before the hook returns** (``log_sent``, every supported SDK):
  ``pulumi.log`` sends a resource's line from a task of its own; the task is found among the
  loop's tasks and waited for, so the line of a finished backup reaches the engine before the
  change it guards runs. Fallback: not waited for (the line may show after the change).

``problems()`` lists what no longer holds on the installed SDK; ``tests/test_sdk_internals.py``
fails loudly on each. The SDK's ``pulumi.dynamic.__main__`` is only ever read and compiled
here, never run (running it starts a server). When something does not hold at run time, the
fallback is used and a warning says which, once per process. ``PULUMI_COMMVAULT_SDK_SHIMS=off``
forces every fallback (that is how the tests prove the fallbacks work through the real CLI).
"""

from __future__ import annotations

from .cancel import cancel_problems, on_engine_cancel
from .config_keys import config_keys, config_keys_problems
from .fallbacks import SHIMS_VARIABLE, shims_enabled, warn_fallback
from .hook_features import engine_hook_features, hook_features_problems
from .plain_failures import (
    PLAIN_FAILURES,
    TRACEBACK_ANSWERS_FROM,
    plain_failures_problems,
    sdk_answers_failures_with_tracebacks,
    servicer_shape,
    show_plainly,
    traceback_wrapper_problems,
)
from .pool import pool_problems, widen_current_pool
from .program_log import log_sent, program_log_problems
from .registration import PROVIDER_KEY, register, registration_problems, serialize
from .row_log import current_resource_urn, log_on_row, row_log_problems
from .sdk_source import sdk_version

__all__ = [
    "PLAIN_FAILURES",
    "PROVIDER_KEY",
    "SHIMS_VARIABLE",
    "TRACEBACK_ANSWERS_FROM",
    "cancel_problems",
    "config_keys",
    "config_keys_problems",
    "current_resource_urn",
    "engine_hook_features",
    "hook_features_problems",
    "log_on_row",
    "log_sent",
    "on_engine_cancel",
    "plain_failures_problems",
    "pool_problems",
    "problems",
    "program_log_problems",
    "register",
    "registration_problems",
    "row_log_problems",
    "sdk_answers_failures_with_tracebacks",
    "sdk_version",
    "serialize",
    "servicer_shape",
    "shims_enabled",
    "show_plainly",
    "traceback_wrapper_problems",
    "warn_fallback",
    "widen_current_pool",
]


def problems() -> list[str]:
    """Everything this module relies on that the installed SDK or Python no longer has."""
    return (
        registration_problems()
        + pool_problems()
        + plain_failures_problems()
        + cancel_problems()
        + row_log_problems()
        + hook_features_problems()
        + config_keys_problems()
        + program_log_problems()
    )
