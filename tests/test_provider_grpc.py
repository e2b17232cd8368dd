"""The provider behind the real dynamic-provider gRPC server, driven as the engine drives it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from engine_support import without_sdk_prefix
from pulumi_commvault.provider import OracleBackupTriggerProvider

URN = "urn:pulumi:dev::proj::pulumi-python:dynamic/commvault:OracleBackupTrigger::snap"


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return rpc.deserialize_properties(struct, True)


def secret(value: str) -> dict[str, Any]:
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


@pytest.fixture
def stub(tmp_path) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    env = {**os.environ, "PULUMI_PROJECT": "proj"}
    for var in ("COMMVAULT_URL", "COMMVAULT_AUTHTOKEN", "COMMVAULT_USERNAME", "COMMVAULT_PASSWORD"):
        env.pop(var, None)
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        server.kill()
        server.wait()


def test_engine_sequence_configure_check_create_diff_update_read_delete(stub, emulator, demo_user):
    provider_blob = _serialize(True, serialize_provider, OracleBackupTriggerProvider())[0]
    config = {
        "commvault:url": emulator.url,
        "commvault:username": demo_user[0],
        "commvault:password": secret(demo_user[1]),
    }
    answer = stub.Configure(
        provider_pb2.ConfigureRequest(args=to_struct(config), acceptSecrets=True)
    )
    assert answer.supportsPreview is False

    news = {
        "client_name": "oradb01",
        "instance_name": "ORCL",
        "triggers": [1],
        "timeout_minutes": 2,
        "request_name": "proj/dev/snap",
        "__provider": provider_blob,
    }
    checked = stub.Check(
        provider_pb2.CheckRequest(urn=URN, olds=to_struct({}), news=to_struct(news))
    )
    assert list(checked.failures) == []
    assert emulator.control.requests() == []

    created = stub.Create(provider_pb2.CreateRequest(urn=URN, properties=checked.inputs))
    state = from_struct(created.properties)
    assert state["job_ids"] == [str(j["jobId"]) for j in emulator.control.jobs()]
    assert state["jobs"][0]["status"] == "Completed"
    assert state["timeout_minutes"] == 2.0
    assert isinstance(state["timeout_minutes"], float), "numbers reach the provider as floats"
    assert created.id == state["task_id"] == str(emulator.control.jobs()[0]["taskId"])

    same = stub.Diff(
        provider_pb2.DiffRequest(
            id=created.id, urn=URN, olds=created.properties, news=checked.inputs
        )
    )
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE

    changed_news = to_struct({**news, "triggers": [2]})
    changed = stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=URN, olds=created.properties, news=changed_news)
    )
    assert changed.changes == provider_pb2.DiffResponse.DIFF_SOME

    updated = stub.Update(
        provider_pb2.UpdateRequest(
            id=created.id, urn=URN, olds=created.properties, news=changed_news
        )
    )
    new_state = from_struct(updated.properties)
    assert new_state["job_ids"] != state["job_ids"]
    assert new_state["history"][0]["job_ids"] == state["job_ids"]
    assert emulator.control.count("CreateTask") == 2

    read = stub.Read(
        provider_pb2.ReadRequest(id=created.id, urn=URN, properties=updated.properties)
    )
    assert read.id == created.id
    assert from_struct(read.properties)["job_ids"] == new_state["job_ids"]

    emulator.control.clear_requests()
    stub.Delete(provider_pb2.DeleteRequest(id=created.id, urn=URN, properties=updated.properties))
    assert emulator.control.requests() == []


def test_unknown_trigger_during_preview_diffs_as_a_change_without_api_calls(stub, emulator):
    provider_blob = _serialize(True, serialize_provider, OracleBackupTriggerProvider())[0]
    stub.Configure(provider_pb2.ConfigureRequest(args=to_struct({}), acceptSecrets=True))
    olds = {
        "client_name": "oradb01",
        "instance_name": "ORCL",
        "triggers": ["a"],
        "__provider": provider_blob,
    }
    news = {**olds, "triggers": [rpc.UNKNOWN]}
    diff = stub.Diff(
        provider_pb2.DiffRequest(id="1", urn=URN, olds=to_struct(olds), news=to_struct(news))
    )
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert emulator.control.requests() == []


def test_failed_create_reaches_the_engine_as_one_clear_error(stub, emulator, api_token):
    provider_blob = _serialize(True, serialize_provider, OracleBackupTriggerProvider())[0]
    config = {"commvault:url": emulator.url, "commvault:authToken": secret(api_token)}
    stub.Configure(provider_pb2.ConfigureRequest(args=to_struct(config), acceptSecrets=True))
    news = {
        "client_name": "oradb01",
        "instance_name": "NOPE",
        "request_name": "p/s/n",
        "__provider": provider_blob,
    }
    with pytest.raises(grpc.RpcError) as caught:
        stub.Create(provider_pb2.CreateRequest(urn=URN, properties=to_struct(news)))
    details = without_sdk_prefix(caught.value.details())
    # The sentence alone: no traceback before it (sdk_internals.show_plainly).
    assert details.startswith("Oracle backup of oradb01/NOPE/default: ")
    assert "Traceback" not in details
    assert "check client_name, instance_name and subclient_name" in details
    assert "NOPE" in details
    assert api_token not in details


def test_the_provider_serves_more_than_four_creates_at_once(stub, emulator, api_token):
    # pulumi.dynamic serves 4 calls at once; the provider widens that when it is configured.
    # Each create waits for a backup of JOB_S seconds, so with 4 at a time the fifth
    # CreateTask could only arrive after a backup had finished.
    job_s = 3
    emulator.control.job_defaults(seconds=job_s)
    clients = [f"oradb{i:02d}" for i in range(8)]  # one each: a busy subclient queues backups
    emulator.control.set_inventory(
        {
            "clients": [
                {"name": c, "instances": [{"name": "ORCL", "subclients": [{"name": "default"}]}]}
                for c in clients
            ]
        }
    )
    provider_blob = _serialize(True, serialize_provider, OracleBackupTriggerProvider())[0]
    config = {"commvault:url": emulator.url, "commvault:authToken": secret(api_token)}
    stub.Configure(provider_pb2.ConfigureRequest(args=to_struct(config), acceptSecrets=True))
    inputs = [
        {
            "client_name": client,
            "instance_name": "ORCL",
            "request_name": f"proj/dev/snap{i}",
            "__provider": provider_blob,
        }
        for i, client in enumerate(clients)
    ]
    checked = [
        stub.Check(provider_pb2.CheckRequest(urn=URN, olds=to_struct({}), news=to_struct(news)))
        for news in inputs
    ]
    with ThreadPoolExecutor(max_workers=8) as engine:
        created = list(
            engine.map(
                lambda c: stub.Create(provider_pb2.CreateRequest(urn=URN, properties=c.inputs)),
                checked,
            )
        )
    assert all(from_struct(c.properties)["jobs"][0]["status"] == "Completed" for c in created)
    started = [
        float(r["time"]) for r in emulator.control.requests() if r["endpoint"] == "CreateTask"
    ]
    assert len(started) == 8
    assert max(started) - min(started) < job_s, "all eight backups started before one finished"
