"""The provider is pickled into every stack's state: by reference, stable, and secret-free."""

from __future__ import annotations

import base64
import pickletools

import pytest
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime._serialization import _serialize

from pulumi_commvault.provider import OracleBackupTriggerProvider, OracleRestoreProvider


def serialized(provider: ResourceProvider) -> str:
    text, contains_secrets = _serialize(True, serialize_provider, provider)
    assert not contains_secrets
    return text


def test_provider_pickles_by_reference_to_its_stable_module_path():
    raw = base64.b64decode(serialized(OracleBackupTriggerProvider()))
    listing = "\n".join(str(arg) for _op, arg, _pos in pickletools.genops(raw))
    assert "pulumi_commvault.provider" in listing
    assert "OracleBackupTriggerProvider" in listing
    assert len(raw) < 200, "a by-value pickle would carry the class's code"


@pytest.mark.parametrize("provider", [OracleBackupTriggerProvider, OracleRestoreProvider])
def test_provider_pickles_under_the_path_every_release_used(provider: type[ResourceProvider]):
    raw = base64.b64decode(serialized(provider()))
    names = [str(arg) for _op, arg, _pos in pickletools.genops(raw) if isinstance(arg, str)]
    assert "pulumi_commvault.provider" in names, "not the module path stacks' state holds"
    assert provider.__name__ in names


def test_provider_pickle_is_the_same_every_time():
    assert serialized(OracleBackupTriggerProvider()) == serialized(OracleBackupTriggerProvider())


def test_configured_provider_pickle_holds_no_secret(emulator, api_token, demo_user):
    provider = OracleBackupTriggerProvider()
    config = Config(
        {
            "commvault:url": emulator.url,
            "commvault:authToken": api_token,
            "commvault:username": demo_user[0],
            "commvault:password": demo_user[1],
        },
        "proj",
    )
    provider.configure(ConfigureRequest(config))
    raw = base64.b64decode(serialized(provider))
    for secret in (api_token, demo_user[1]):
        assert secret.encode() not in raw
    assert serialized(provider) == serialized(OracleBackupTriggerProvider())


def test_provider_is_not_serialized_as_a_secret_because_it_holds_none():
    assert OracleBackupTriggerProvider.serialize_as_secret_always is False
