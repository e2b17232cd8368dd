"""Property: whatever JSON a server answers, the parsers raise only the client's typed errors."""

from __future__ import annotations

import contextlib
import json

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_commvault.commvault.decoding import decode, parse, server_error
from pulumi_commvault.commvault.errors import CommvaultError
from pulumi_commvault.commvault.models import CreateTaskResponse, JobListResponse, LoginResponse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "taskId",
                    "jobIds",
                    "errorCode",
                    "errorMessage",
                    "errList",
                    "error",
                    "errors",
                    "jobs",
                    "jobSummary",
                    "token",
                    "userName",
                    "x",
                ]
            )
            | st.text(),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def answer(status: int, body: bytes, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["Content-Type"] = content_type
    return response


@settings(max_examples=300, deadline=None)
@given(body=json_values, status=st.sampled_from([200, 400, 404, 429, 500, 502]))
def test_decode_and_parse_raise_only_typed_errors(body, status):
    response = answer(status, json.dumps(body).encode())
    try:
        decoded = decode(
            response, commserve="https://cs", operation="POST CreateTask", redact=lambda t: t
        )
        for model in (CreateTaskResponse, JobListResponse, LoginResponse):
            with contextlib.suppress(CommvaultError):
                parse(model, decoded, commserve="https://cs", operation="x", redact=lambda t: t)
    except CommvaultError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    raw=st.binary(max_size=200),
    status=st.sampled_from([200, 401, 502]),
    content_type=st.sampled_from(["application/json", "text/html", "text/plain", ""]),
)
def test_arbitrary_bytes_raise_only_typed_errors(raw, status, content_type):
    with contextlib.suppress(CommvaultError):
        decode(
            answer(status, raw, content_type),
            commserve="https://cs",
            operation="GET Job/1",
            redact=lambda t: t,
        )


@given(body=json_values)
def test_server_error_never_raises(body):
    result = server_error(body)
    assert result is None or isinstance(result[1], str)
