"""What ``sdk_internals`` relies on holds on the installed Pulumi SDK, and its fallbacks work.

These tests fail loudly when an SDK release changes an internal this package uses; the
fallbacks keep a user's ``pulumi up`` working meanwhile (proven through the real CLI with
``PULUMI_COMMVAULT_SDK_SHIMS=off``).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pulumi
import pytest
from pulumi import CustomResource

from engine_support import BackupProgram
from pulumi_commvault import sdk_internals


def test_the_installed_sdk_has_every_internal_this_package_relies_on():
    assert sdk_internals.problems() == []


def test_the_provider_key_is_the_sdks_own():
    from pulumi.dynamic.dynamic import PROVIDER_KEY

    assert sdk_internals.PROVIDER_KEY == PROVIDER_KEY == "__provider"


def test_a_changed_custom_resource_constructor_is_reported(monkeypatch):
    def changed(self, type_, name, props=None, opts=None):  # other parameter names
        raise AssertionError("never called")

    monkeypatch.setattr(CustomResource, "__init__", changed)
    assert any("CustomResource.__init__" in p for p in sdk_internals.registration_problems())


def test_a_missing_resource_type_name_is_reported(monkeypatch):
    original = pulumi.dynamic.Resource.__init_subclass__

    def without_type_name(cls, **kwargs):
        original.__func__(cls, **kwargs)
        del cls._resource_type_name

    monkeypatch.setattr(
        pulumi.dynamic.Resource, "__init_subclass__", classmethod(without_type_name)
    )
    assert any("_resource_type_name" in p for p in sdk_internals.registration_problems())


def test_the_pool_is_found_from_its_worker_thread():
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = pool.submit(lambda: sdk_internals._executor_of(threading.current_thread()))
        assert found.result() is pool


def test_with_the_shims_off_the_pool_keeps_its_limit_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    monkeypatch.setattr(sdk_internals, "_warned", set())
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert pool.submit(sdk_internals.widen_current_pool, 8).result() is False
        assert pool._max_workers == 4
    assert "falls back" in capsys.readouterr().err


@pytest.mark.engine
def test_with_the_shims_off_a_backup_still_works_and_the_user_is_told(
    deployer, emulator, monkeypatch
):
    # The inline program runs in this process; the provider in one the engine starts.
    monkeypatch.setenv(sdk_internals.SHIMS_VARIABLE, "off")
    monkeypatch.setattr(sdk_internals, "_warned", set())
    deployment = deployer(BackupProgram(), extra_env={sdk_internals.SHIMS_VARIABLE: "off"})
    result = deployment.up()
    assert result.outputs["job_ids"].value == [str(j["jobId"]) for j in emulator.control.jobs()]
    assert "warning: pulumi-commvault: resource registration falls back" in deployment.text
    assert "serving more than 4 provider calls at once falls back" in deployment.text
    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    assert isinstance(snap["inputs"]["__provider"], str), "not a secret: it holds nothing"


@pytest.mark.engine
def test_the_serialized_provider_is_stored_in_plain_text_as_it_holds_nothing(deployer):
    deployment = deployer(BackupProgram())
    deployment.up()
    [snap] = [r for r in deployment.resources() if r["urn"].endswith("::snap")]
    # A secret would be stored as {"4dabf18193072939515e22adb298388d": ..., "ciphertext": ...}.
    assert isinstance(snap["inputs"]["__provider"], str)
    assert isinstance(snap["outputs"]["__provider"], str)
