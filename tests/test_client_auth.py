"""The client authenticates with a token or with a username and password, and recovers once."""

from __future__ import annotations

import pytest

from pulumi_commvault import AuthenticationError, CommvaultClient
from pulumi_commvault.commvault.connection import normalize_token


def test_client_accepts_an_api_token_with_or_without_qsdk_prefix(emulator, api_token):
    for token in (api_token, f"QSDK {api_token}"):
        with CommvaultClient(emulator.url, token=token) as client:
            assert client.who_am_i()
    assert emulator.control.count("Login") == 0


def test_client_logs_in_once_with_password_and_reuses_the_session(emulator, demo_user):
    client = CommvaultClient(emulator.url, username=demo_user[0], password=demo_user[1])
    client.who_am_i()
    client.who_am_i()
    client.client_ids()
    assert emulator.control.count("Login") == 1
    client.close()
    assert emulator.control.count("Logout") == 1


def test_wrong_password_raises_authentication_error_naming_the_commserve(emulator, demo_user):
    client = CommvaultClient(emulator.url, username=demo_user[0], password="wrong-password-1")
    with pytest.raises(AuthenticationError) as caught:
        client.who_am_i()
    message = str(caught.value)
    assert emulator.url in message
    assert "POST Login" in message
    assert "wrong-password-1" not in message


def test_expired_session_token_is_replaced_by_one_new_login(emulator, demo_user):
    client = CommvaultClient(emulator.url, username=demo_user[0], password=demo_user[1])
    client.who_am_i()
    emulator.control.expire_tokens()
    assert client.who_am_i()
    assert emulator.control.count("Login") == 2
    statuses = [r["status"] for r in emulator.control.requests() if r["endpoint"] == "WhoAmI"]
    assert statuses == [200, 401, 200]


def test_token_expiring_mid_session_without_credentials_is_an_authentication_error(
    emulator, api_token
):
    client = CommvaultClient(emulator.url, token=api_token)
    client.who_am_i()
    emulator.control.inject("WhoAmI", "expire_token")
    with pytest.raises(AuthenticationError, match="refused the token"):
        client.who_am_i()


def test_renew_token_trades_the_session_token_for_a_new_one(emulator, demo_user):
    client = CommvaultClient(emulator.url, username=demo_user[0], password=demo_user[1])
    client.who_am_i()
    client.renew_token()
    assert client.who_am_i()
    assert emulator.control.count("RenewLoginToken") == 1
    assert emulator.control.count("Login") == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "ftp://cs.example.com/api", "token": "t0k3n-value"}, "url"),
        ({"url": "not a url", "token": "t0k3n-value"}, "url"),
        ({"url": "https://cs.example.com/commandcenter/api"}, "credentials"),
        ({"url": "https://cs.example.com/commandcenter/api", "username": "admin"}, "credentials"),
    ],
)
def test_client_rejects_bad_settings_before_any_call(kwargs, field):
    with pytest.raises(ValueError, match=field):
        CommvaultClient(**kwargs)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("abc", "QSDK abc"),
        ("QSDK abc", "QSDK abc"),
        ("Bearer abc", "Bearer abc"),
        (" abc ", "QSDK abc"),
    ],
)
def test_tokens_get_the_qsdk_prefix_only_when_they_have_none(given, sent):
    assert normalize_token(given) == sent
