"""Session tokens from Login, and the one pre-issued token given on the command line.

Tokens are stored without their ``QSDK `` prefix. A session expires after its time to live
without use (``--token-ttl-seconds``, or the Login body's ``timeout`` in minutes); the
pre-issued token does not lapse by inactivity, like an API key. Both stop working after
Logout or when the control plane expires them. Not thread-safe: the state lock guards it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

_PREFIXES = ("qsdk ", "bearer ")


class TokenState(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    LOGGED_OUT = "logged out"
    RENEWED = "renewed"


@dataclass
class Session:
    user: str
    device_id: str
    ttl_s: float
    last_used: float
    state: TokenState = TokenState.ACTIVE


def bare_token(presented: str) -> str:
    """The token without a ``QSDK ``/``Bearer `` prefix (any case) or surrounding spaces."""
    token = presented.strip()
    while token.lower().startswith(_PREFIXES):
        token = token.split(" ", 1)[1].strip()
    return token


class RenewError(Exception):
    """RenewLoginToken refused; the message is what the emulator answers."""


class TokenStore:
    def __init__(self, preissued: str | None, user: str, ttl_s: float) -> None:
        self._preissued = bare_token(preissued) if preissued else None
        self._preissued_state = TokenState.ACTIVE
        self._user = user
        self._ttl_s = ttl_s
        self._sessions: dict[str, Session] = {}

    def reset(self) -> None:
        """Forget every session; the pre-issued token works again."""
        self._sessions.clear()
        self._preissued_state = TokenState.ACTIVE

    def issue(self, user: str, device_id: str, now: float, ttl_s: float | None = None) -> str:
        """A new session token, with its ``QSDK `` prefix."""
        token = secrets.token_hex(32)
        self._sessions[token] = Session(user, device_id, ttl_s or self._ttl_s, now)
        return f"QSDK {token}"

    def authenticate(self, presented: str | None, now: float) -> str | None:
        """The user behind a valid token (and mark it used), or None."""
        if not presented:
            return None
        token = bare_token(presented)
        if self._is_preissued(token):
            return self._user if self._preissued_state is TokenState.ACTIVE else None
        session = self._live_session(token, now)
        if session is None:
            return None
        session.last_used = now
        return session.user

    def expire(self, presented: str | None) -> None:
        """The token stops working now (it can still be renewed, if it is a session)."""
        if not presented:
            return
        token = bare_token(presented)
        if self._is_preissued(token):
            self._preissued_state = TokenState.EXPIRED
        elif (session := self._sessions.get(token)) and session.state is TokenState.ACTIVE:
            session.state = TokenState.EXPIRED

    def expire_all(self) -> None:
        if self._preissued_state is TokenState.ACTIVE:
            self._preissued_state = TokenState.EXPIRED
        for session in self._sessions.values():
            if session.state is TokenState.ACTIVE:
                session.state = TokenState.EXPIRED

    def logout(self, presented: str | None) -> None:
        if not presented:
            return
        token = bare_token(presented)
        if self._is_preissued(token):
            self._preissued_state = TokenState.LOGGED_OUT
        elif session := self._sessions.get(token):
            session.state = TokenState.LOGGED_OUT

    def renew(self, session_id: str, device_id: str, now: float) -> str:
        """Replace a session (live or expired, not logged out) with a new one.

        Raises ``RenewError`` for an unknown, logged-out or already renewed token, or for a
        device id that differs from the one given at Login.
        """
        token = bare_token(session_id)
        session = self._sessions.get(token)
        if session is None:
            raise RenewError("Invalid session: the token is not a renewable login session")
        self._live_session(token, now)  # marks an idle session expired
        if session.state in (TokenState.LOGGED_OUT, TokenState.RENEWED):
            raise RenewError(f"Session is {session.state.value}: log in again")
        if session.device_id and device_id and session.device_id != device_id:
            raise RenewError("The device id does not match the one the session was created on")
        session.state = TokenState.RENEWED
        return self.issue(session.user, session.device_id, now, session.ttl_s)

    def _is_preissued(self, token: str) -> bool:
        return self._preissued is not None and secrets.compare_digest(
            token.encode(), self._preissued.encode()
        )

    def _live_session(self, token: str, now: float) -> Session | None:
        session = self._sessions.get(token)
        if session is None:
            return None
        if session.state is TokenState.ACTIVE and now - session.last_used > session.ttl_s:
            session.state = TokenState.EXPIRED
        return session if session.state is TokenState.ACTIVE else None
