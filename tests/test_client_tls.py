"""TLS: verified by default, with a CA bundle when needed, or explicitly (and loudly) off."""

from __future__ import annotations

import pytest

from pulumi_commvault import CommvaultClient, ConnectionFailedError


def test_https_with_the_ca_bundle_verifies_and_works(tls_emulator, api_token):
    client = CommvaultClient(tls_emulator.url, token=api_token, ca_bundle=tls_emulator.ca_path)
    assert client.who_am_i()


def test_https_without_the_ca_fails_clearly_naming_the_ca_bundle_setting(tls_emulator, api_token):
    client = CommvaultClient(tls_emulator.url, token=api_token)
    with pytest.raises(ConnectionFailedError, match="TLS verification failed") as caught:
        client.who_am_i()
    assert "caBundle" in str(caught.value)
    assert not caught.value.request_sent


def test_insecure_switch_skips_verification_with_a_warning(tls_emulator, api_token):
    with pytest.warns(UserWarning, match="verification is disabled"):
        client = CommvaultClient(tls_emulator.url, token=api_token, insecure=True)
    assert client.who_am_i()
