"""Fixtures for the client and provider tests: credentials, clients, a TLS emulator."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN
from pulumi_commvault import CommvaultClient
from pulumi_commvault.commvault.transport import RetryPolicy
from pulumi_commvault.runtime import connections, settings

DEMO_USER = ("admin", "demo-Pa55word")
FAST_RETRIES = RetryPolicy(attempts=3, backoff_factor_s=0.01, backoff_max_s=0.05, jitter_s=0.0)
PROVIDER_VARIABLES = (
    "COMMVAULT_URL",
    "COMMVAULT_AUTHTOKEN",
    "COMMVAULT_USERNAME",
    "COMMVAULT_PASSWORD",
    "COMMVAULT_CA_BUNDLE",
    "COMMVAULT_INSECURE",
    "COMMVAULT_MAX_READS_PER_HOUR",
)


@pytest.fixture
def api_token() -> str:
    return EMULATOR_TOKEN


@pytest.fixture
def demo_user() -> tuple[str, str]:
    return DEMO_USER


@pytest.fixture
def client(emulator: EmulatorProcess) -> Iterator[CommvaultClient]:
    with CommvaultClient(emulator.url, token=EMULATOR_TOKEN) as api:
        yield api


@pytest.fixture
def fast_client(emulator: EmulatorProcess) -> Iterator[CommvaultClient]:
    """A token client whose retries back off in milliseconds."""
    with CommvaultClient(emulator.url, token=EMULATOR_TOKEN, retry=FAST_RETRIES) as api:
        yield api


@pytest.fixture
def fast_client_to_closed_port() -> CommvaultClient:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return CommvaultClient(
        f"http://127.0.0.1:{port}/commandcenter/api", token="t0k3n-x", retry=FAST_RETRIES
    )


@pytest.fixture(scope="session")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator serving HTTPS with a certificate from a test CA; ``ca_path`` is the CA."""
    folder: Path = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    server_cert = authority.issue_cert("127.0.0.1", "localhost")
    cert, key, ca = folder / "server.pem", folder / "server.key", folder / "ca.pem"
    server_cert.private_key_pem.write_to_path(str(key))
    server_cert.cert_chain_pems[0].write_to_path(str(cert))
    authority.cert_pem.write_to_path(str(ca))
    with EmulatorProcess(token=EMULATOR_TOKEN, tls_cert=cert, tls_key=key) as process:
        process.ca_path = str(ca)  # type: ignore[attr-defined]
        yield process


@pytest.fixture
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No COMMVAULT_* variables, no remembered stack config, no cached clients."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings.forget()
    connections.close_all()
    yield
    connections.close_all()
    settings.forget()


@pytest.fixture
def provider_env(
    emulator: EmulatorProcess, no_provider_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider finds the emulator through COMMVAULT_URL and COMMVAULT_AUTHTOKEN."""
    monkeypatch.setenv("COMMVAULT_URL", emulator.url)
    monkeypatch.setenv("COMMVAULT_AUTHTOKEN", EMULATOR_TOKEN)
