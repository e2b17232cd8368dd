"""Where the provider finds its CommServe: stack config ``commvault:*``, then the environment.

Settings are read in ``configure`` (inside the provider process, from the stack's config,
secrets decrypted) and kept at module level, never on the provider object, so they cannot
be pickled into the stack's state.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .client import validate_base_url


@dataclass(frozen=True)
class Setting:
    config_key: str
    env_var: str

    def describe(self) -> str:
        return f"stack config {self.config_key} or environment variable {self.env_var}"


URL = Setting("commvault:url", "COMMVAULT_URL")
AUTH_TOKEN = Setting("commvault:authToken", "COMMVAULT_AUTHTOKEN")
USERNAME = Setting("commvault:username", "COMMVAULT_USERNAME")
PASSWORD = Setting("commvault:password", "COMMVAULT_PASSWORD")
CA_BUNDLE = Setting("commvault:caBundle", "COMMVAULT_CA_BUNDLE")
INSECURE = Setting("commvault:insecure", "COMMVAULT_INSECURE")

Lookup = Callable[[str], str | None]


class SettingsError(ValueError):
    """The CommServe's address or credentials are missing or malformed."""


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach and authenticate to one CommServe. ``repr`` never shows secrets."""

    url: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_bundle: str | None = None
    insecure: bool = False

    @classmethod
    def resolve(cls, config: Lookup | None = None) -> ConnectionSettings:
        """Settings from ``config`` (a stack-config lookup), falling back to the environment."""

        def get(setting: Setting) -> str | None:
            value = config(setting.config_key) if config else None
            if value is None or value == "":
                value = os.environ.get(setting.env_var) or None
            return value

        url = get(URL)
        if not url:
            raise SettingsError(f"no CommServe URL: set {URL.describe()}")
        try:
            url = validate_base_url(url)
        except ValueError as exc:
            raise SettingsError(f"{URL.describe()}: {exc}") from None
        token, username, password = get(AUTH_TOKEN), get(USERNAME), get(PASSWORD)
        if not token and not (username and password):
            missing = PASSWORD if username else USERNAME if password else None
            hint = f" ({missing.describe()} is missing)" if missing else ""
            raise SettingsError(
                f"no Commvault credentials: set {AUTH_TOKEN.describe()}, or both "
                f"{USERNAME.describe()} and {PASSWORD.describe()}{hint}"
            )
        ca_bundle = get(CA_BUNDLE)
        if ca_bundle and not os.path.isfile(ca_bundle):
            raise SettingsError(f"{CA_BUNDLE.describe()}: no such file {ca_bundle!r}")
        insecure_text = (get(INSECURE) or "false").strip().lower()
        if insecure_text not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"{INSECURE.describe()}: expected true or false")
        return cls(
            url=url,
            token=token,
            username=username,
            password=password,
            ca_bundle=ca_bundle,
            insecure=insecure_text in ("true", "1", "yes"),
        )


_configured: Lookup | None = None
_lock = threading.Lock()


def remember_config(config: Lookup) -> None:
    """Keep the stack config the engine gave the provider process, for later calls."""
    global _configured
    with _lock:
        _configured = config


def current_settings() -> ConnectionSettings:
    """Settings from the remembered stack config (if any) and the environment."""
    with _lock:
        config = _configured
    return ConnectionSettings.resolve(config)
