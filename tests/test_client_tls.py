"""TLS: verified by default, with a CA bundle when needed, or explicitly (and loudly) off."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from pulumi_commvault import CommvaultClient, ConnectionFailedError
from pulumi_commvault.commvault.errors import TLSFailedError
from pulumi_commvault.commvault.transport import RetryPolicy


def test_https_with_the_ca_bundle_verifies_and_works(tls_emulator, api_token):
    client = CommvaultClient(tls_emulator.url, token=api_token, ca_bundle=tls_emulator.ca_path)
    assert client.who_am_i()


def test_https_without_the_ca_fails_clearly_naming_the_ca_bundle_setting(tls_emulator, api_token):
    client = CommvaultClient(tls_emulator.url, token=api_token)
    with pytest.raises(ConnectionFailedError, match="TLS verification failed") as caught:
        client.who_am_i()
    # The client's own argument; the provider names its config key (runtime/advice.py).
    assert "ca_bundle" in str(caught.value)
    assert isinstance(caught.value, TLSFailedError)
    assert caught.value.problem == TLSFailedError.CERTIFICATE
    assert not caught.value.request_sent


def test_https_to_a_plain_http_server_says_it_does_not_speak_tls_not_that_a_ca_is_missing(
    emulator, api_token
):
    plain_http_port = emulator.url.replace("http://", "https://", 1)
    client = CommvaultClient(plain_http_port, token=api_token)
    with pytest.raises(TLSFailedError, match="the server does not speak TLS") as caught:
        client.who_am_i()
    assert caught.value.problem == TLSFailedError.NOT_TLS
    assert "verification" not in str(caught.value)
    assert not caught.value.request_sent


def test_http_to_an_https_port_is_told_at_the_first_dropped_connection_without_retries(
    tls_emulator, api_token, caplog
):
    http_url = tls_emulator.url.replace("https://", "http://", 1)
    client = CommvaultClient(http_url, token=api_token)
    with (
        caplog.at_level(logging.WARNING, logger="urllib3"),
        pytest.raises(
            TLSFailedError, match="the port serves HTTPS, so it dropped the plain HTTP request"
        ) as caught,
    ):
        client.who_am_i()
    assert caught.value.problem == TLSFailedError.SERVES_TLS
    assert not caught.value.request_sent
    retries = [record for record in caplog.records if "Retrying" in record.getMessage()]
    assert retries == []  # each would have cost seconds of backoff before the same answer


def test_a_dropped_plain_http_connection_to_a_port_without_tls_is_still_retried(api_token, caplog):
    done = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/commandcenter/api"
        hang_up = threading.Thread(target=_hang_up_on, args=(listener, done))
        hang_up.start()
        policy = RetryPolicy(attempts=2, backoff_factor_s=0.0, jitter_s=0.0)
        client = CommvaultClient(url, token=api_token, retry=policy)
        try:
            with (
                caplog.at_level(logging.WARNING, logger="urllib3"),
                pytest.raises(ConnectionFailedError) as caught,
            ):
                client.who_am_i()
        finally:
            done.set()
            hang_up.join()
    assert not isinstance(caught.value, TLSFailedError)
    assert len([r for r in caplog.records if "Retrying" in r.getMessage()]) == 2


def _hang_up_on(listener: socket.socket, done: threading.Event) -> None:
    """Until done: take each connection (a request, or the TLS probe), read what comes, and
    hang up without a word."""
    listener.settimeout(0.1)
    while not done.is_set():
        try:
            peer, _address = listener.accept()
        except TimeoutError:
            continue
        with peer:
            peer.recv(65536)


def test_insecure_switch_skips_verification_with_a_warning(tls_emulator, api_token):
    with pytest.warns(UserWarning, match="verification is disabled"):
        client = CommvaultClient(tls_emulator.url, token=api_token, insecure=True)
    assert client.who_am_i()


def test_requests_ca_bundle_from_the_environment_is_used_when_none_is_configured(
    tls_emulator, api_token, monkeypatch
):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_emulator.ca_path)
    client = CommvaultClient(tls_emulator.url, token=api_token)
    assert client.who_am_i()


def test_a_proxy_from_the_environment_is_used_and_no_proxy_is_honoured(
    emulator, api_token, monkeypatch
):
    with socket.socket() as probe:  # a port nothing listens on: the "proxy" refuses
        probe.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    through_proxy = CommvaultClient(emulator.url, token=api_token)
    with pytest.raises(ConnectionFailedError, match="could not connect"):
        through_proxy.who_am_i()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert CommvaultClient(emulator.url, token=api_token).who_am_i()
