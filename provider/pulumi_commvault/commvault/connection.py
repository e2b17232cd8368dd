"""``ConnectionSettings``: where one CommServe is and how to authenticate to it, checked once.

The client builds its session from these; the provider builds them from stack config and
the environment. Either way the URL, the credentials and the CA bundle are validated here,
and only here, so a setting that is wrong fails before anything is sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Prefixes an ``Authtoken`` header value may carry; a bare token gets ``QSDK ``.
TOKEN_PREFIXES = ("QSDK ", "Bearer ", "SAML ")


class InvalidSettingError(ValueError):
    """A connection setting is missing or malformed; ``setting`` names which one.

    ``setting`` is ``"url"``, ``"credentials"`` or ``"ca_bundle"``, so that a caller can
    say which of its own keys (a config key, a command-line option) to fix.
    """

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting}: {problem}")


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach and authenticate to one CommServe. ``repr`` never shows a secret.

    Give either ``token`` (a login token or API key, with or without its ``QSDK `` prefix)
    or ``username`` and ``password``.
    """

    url: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_bundle: str | None = None
    insecure: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", _base_url(self.url))
        if not self.token and not (self.username and self.password):
            missing = "password" if self.username else "username" if self.password else None
            raise InvalidSettingError(
                "credentials",
                "give a token, or both a username and a password"
                + (f" (the {missing} is missing)" if missing else ""),
            )
        if self.ca_bundle and not os.path.isfile(self.ca_bundle):
            raise InvalidSettingError("ca_bundle", f"no such file {self.ca_bundle!r}")

    @property
    def auth(self) -> str:
        """``"password"`` or ``"token"``: how the client authenticates (never the secret)."""
        return "password" if self.password else "token"


def normalize_token(token: str) -> str:
    """A token as the ``Authtoken`` header wants it: bare tokens get the ``QSDK `` prefix."""
    token = token.strip()
    return token if token.startswith(TOKEN_PREFIXES) else f"QSDK {token}"


def _base_url(url: str) -> str:
    if not url or not url.strip():
        raise InvalidSettingError("url", "no CommServe URL given")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSettingError(
            "url",
            f"{url!r} is not an http(s) URL; expected e.g. "
            "https://commserve.example.com/commandcenter/api",
        )
    if parts.query or parts.fragment:
        raise InvalidSettingError("url", f"{url!r} must not have a query or fragment")
    return url.strip().rstrip("/")
