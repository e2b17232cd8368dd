"""The plugin's marshalling of the engine's Struct properties, as a table: names, numbers,
secrets, unknowns and the user's own trigger values, each way."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format

from pulumi_commvault.plugin.marshal import (
    NOT_KNOWN,
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    UNKNOWN,
    config_value,
    from_struct,
    to_struct,
    with_secrets,
)
from pulumi_commvault.validation import is_unknown


def secret(value: Any) -> dict[str, Any]:
    return {SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


# (engine's properties, the core's plain props, the top-level ones that held a secret,
#  what goes back to the engine when that differs from what came)
Row = tuple[dict[str, Any], dict[str, Any], set[str], dict[str, Any] | None]
ROUNDTRIPS: list[Row] = [
    ({"clientName": "oradb01"}, {"client_name": "oradb01"}, set(), None),
    ({"timeoutMinutes": 2.0}, {"timeout_minutes": 2.0}, set(), None),
    ({"waitForCompletion": False}, {"wait_for_completion": False}, set(), None),
    ({"description": None}, {"description": None}, set(), None),
    (
        {"databases": [{"clientName": "a", "instanceName": "B"}]},
        {"databases": [{"client_name": "a", "instance_name": "B"}]},
        set(),
        None,
    ),
    # A trigger is the user's own value: its keys are not renamed.
    ({"triggers": [{"myKey": 1.0}, "v1"]}, {"triggers": [{"myKey": 1.0}, "v1"]}, set(), None),
    (
        {"history": [{"jobIds": ["1"], "triggers": [{"a_b": "x"}]}]},
        {"history": [{"job_ids": ["1"], "triggers": [{"a_b": "x"}]}]},
        set(),
        None,
    ),
    ({"description": secret("hush")}, {"description": "hush"}, {"description"}, None),
    # A secret inside a property goes back as the whole property made secret.
    (
        {"triggers": ["v1", secret("s")]},
        {"triggers": ["v1", "s"]},
        {"triggers"},
        {"triggers": secret(["v1", "s"])},
    ),
]


@pytest.mark.parametrize(("wire", "plain", "secrets", "back"), ROUNDTRIPS)
def test_engine_properties_become_the_cores_props_and_back(
    wire: dict[str, Any], plain: dict[str, Any], secrets: set[str], back: dict[str, Any] | None
) -> None:
    got = from_struct(json_format.ParseDict(wire, to_struct({})))
    assert (got.props, got.secret) == (plain, secrets)
    assert json_format.MessageToDict(to_struct(got.props, got.secret)) == (back or wire)


def test_an_unknown_value_is_the_cores_unknown_and_goes_back_as_the_engines() -> None:
    got = from_struct(
        json_format.ParseDict({"clientName": UNKNOWN, "triggers": [UNKNOWN]}, to_struct({}))
    )
    assert got.props["client_name"] is NOT_KNOWN
    assert is_unknown(got.props["triggers"])
    assert json_format.MessageToDict(to_struct(got.props)) == {
        "clientName": UNKNOWN,
        "triggers": [UNKNOWN],
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), (True, "true"), (False, "false"), (3600.0, "3600"), (1.5, "1.5"), ("u", "u")],
)
def test_a_config_value_reads_as_the_environment_would_give_it(
    value: Any, text: str | None
) -> None:
    assert config_value(value) == text


def test_whole_numbers_go_to_the_engine_as_numbers() -> None:
    assert json_format.MessageToDict(to_struct({"percent_complete": 100})) == {
        "percentComplete": 100.0
    }


# (the config the engine sends to CheckConfig, what goes back): credentials come back secret
CONFIGS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"url": "u", "password": "p"}, {"url": "u", "password": secret("p")}),
    ({"authToken": "t"}, {"authToken": secret("t")}),
    ({"password": secret("p")}, {"password": secret("p")}),  # not wrapped twice
    ({"url": "u", "username": "n"}, {"url": "u", "username": "n"}),  # nothing to mark
    ({"password": UNKNOWN}, {"password": secret(UNKNOWN)}),
]


@pytest.mark.parametrize(("sent", "returned"), CONFIGS)
def test_the_config_comes_back_with_its_credentials_secret(
    sent: dict[str, Any], returned: dict[str, Any]
) -> None:
    struct = json_format.ParseDict(sent, to_struct({}))
    marked = with_secrets(struct, ["password", "authToken"])
    assert json_format.MessageToDict(marked) == returned
    assert json_format.MessageToDict(struct) == sent  # a copy: the request is left as it came
