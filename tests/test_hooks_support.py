"""A Pulumi SDK or CLI too old for resource hooks: ``oracle_backup_hook`` stops the program
with one line naming the version needed, decided in one place (``hooks.support.decide``)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_commvault import oracle_backup_hook
from pulumi_commvault.hooks import HooksUnsupported, support
from pulumi_commvault.hooks.support import EngineAnswer, Support, decide

BOTH = EngineAnswer(resource_hooks=True, error_hooks=True)
HOOKS_ONLY = EngineAnswer(resource_hooks=True, error_hooks=False)
NEITHER = EngineAnswer(resource_hooks=False, error_hooks=False)

SDK_LINE = (
    "oracle_backup_hook 'orcl': needs the Pulumi SDK 3.182 or newer for resource hooks "
    "(installed: pulumi 3.181.0); upgrade it: pip install --upgrade pulumi"
)
CLI_LINE = (
    "oracle_backup_hook 'orcl': needs the Pulumi CLI 3.182 or newer for resource hooks "
    "(this CLI's engine does not support them); upgrade the Pulumi CLI (pulumi version "
    "shows the installed one)"
)


@pytest.mark.parametrize(
    ("sdk_hooks", "sdk_error_hooks", "engine", "expected"),
    [
        (True, True, BOTH, Support(error_hooks=True)),
        (True, True, None, Support(error_hooks=True)),  # outside a deployment
        (True, True, HOOKS_ONLY, Support(error_hooks=False)),  # CLI 3.182 to 3.218
        (True, False, BOTH, Support(error_hooks=False)),  # SDK 3.182 to 3.218
        (True, True, NEITHER, CLI_LINE),
        (True, False, NEITHER, CLI_LINE),
        (False, False, BOTH, SDK_LINE),  # the SDK is told first: it is the one to upgrade
        (False, False, NEITHER, SDK_LINE),
        (False, False, None, SDK_LINE),
    ],
)
def test_the_one_decision(
    sdk_hooks: bool, sdk_error_hooks: bool, engine: EngineAnswer | None, expected: object
) -> None:
    def decided() -> Support:
        return decide(
            "orcl",
            sdk="3.181.0",
            sdk_has_hooks=sdk_hooks,
            sdk_has_error_hooks=sdk_error_hooks,
            engine=engine,
        )

    if isinstance(expected, Support):
        assert decided() == expected
        return
    with pytest.raises(HooksUnsupported) as raised:
        decided()
    assert str(raised.value) == expected
    assert "\n" not in str(raised.value)


def test_a_runerror_stops_the_program_without_a_traceback() -> None:
    assert issubclass(HooksUnsupported, pulumi.RunError)


def test_an_sdk_without_resource_hooks_is_refused_before_any_hook_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(pulumi, "ResourceHook")
    monkeypatch.setattr(support, "sdk_version", lambda: (3, 181, 0))
    with pytest.raises(HooksUnsupported) as raised:
        oracle_backup_hook("orcl", client_name="oradb01", instance_name="ORCL")
    assert str(raised.value) == SDK_LINE


def test_an_engine_without_resource_hooks_is_refused_before_any_hook_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(support, "engine_answer", lambda: NEITHER)
    with pytest.raises(HooksUnsupported) as raised:
        oracle_backup_hook("orcl", client_name="oradb01", instance_name="ORCL")
    assert str(raised.value) == CLI_LINE


def test_the_engine_answer_is_none_outside_a_deployment() -> None:
    assert support.engine_answer() is None


@pytest.fixture
def in_a_deployment(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The SDK's settings as in a program the engine runs (a monitor to ask)."""
    from pulumi.runtime import settings

    monkeypatch.setattr(settings.SETTINGS, "monitor", object())
    return settings.SETTINGS


def test_the_engines_answer_is_read_from_the_features_the_sdk_loaded(
    in_a_deployment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi.runtime.proto import resource_pb2

    if not hasattr(resource_pb2, "RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS"):
        pytest.skip("this SDK keeps the engine's answers by name (3.200): the test below")
    hooks = resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS
    errors = resource_pb2.RESOURCE_MONITOR_FEATURE_ERROR_HOOKS
    monkeypatch.setattr(in_a_deployment, "monitor_features", {hooks, errors})
    assert support.engine_answer() == BOTH
    monkeypatch.setattr(in_a_deployment, "monitor_features", {hooks})
    assert support.engine_answer() == HOOKS_ONLY
    monkeypatch.setattr(in_a_deployment, "monitor_features", set())
    assert support.engine_answer() == NEITHER


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"resourceHooks": True}, HOOKS_ONLY),
        ({"resourceHooks": False}, NEITHER),
        ({}, None),  # not asked: the SDK's own check stands
    ],
)
def test_older_sdks_keep_the_answers_by_name(
    in_a_deployment: Any,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, bool],
    expected: EngineAnswer | None,
) -> None:
    # SDK 3.200: SETTINGS.feature_support, primed with "resourceHooks" before the program.
    monkeypatch.setattr(in_a_deployment, "monitor_features", None, raising=False)
    monkeypatch.setattr(in_a_deployment, "feature_support", answers, raising=False)
    assert support.engine_answer() == expected
