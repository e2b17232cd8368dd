"""Keeps tokens and passwords out of every string the client lets go of."""

from __future__ import annotations

import base64
import threading

from .connection import TOKEN_PREFIXES

REDACTED = "[REDACTED]"
_SHORTEST_SECRET = 4


class Redactor:
    """Replaces every secret it was told about, in all the forms it travels in.

    A token travels with and without its ``QSDK `` prefix, a password as itself and in
    base64 (the Login body), so each is remembered in each form.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if not secret:
            return
        forms = {secret, secret.strip()}
        for prefix in TOKEN_PREFIXES:
            if secret.startswith(prefix):
                forms.add(secret[len(prefix) :])
        forms.add(base64.b64encode(secret.encode()).decode())
        with self._lock:
            self._secrets.update(f for f in forms if len(f) >= _SHORTEST_SECRET)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text
