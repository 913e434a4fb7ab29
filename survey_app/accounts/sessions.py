"""Signed session cookies: `<payload>.<HMAC-SHA256>`, payload = base64url JSON {uid, exp}."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import msgspec

COOKIE_NAME = "minyi_session"
SESSION_SECONDS = 12 * 3600


class SessionPayload(msgspec.Struct, frozen=True):
    uid: int
    exp: int


def _sign(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: str, user_id: int, now: float | None = None) -> str:
    issued = time.time() if now is None else now
    body = msgspec.json.encode(SessionPayload(uid=user_id, exp=int(issued) + SESSION_SECONDS))
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def read(secret: str, cookie: str | None, now: float | None = None) -> int | None:
    """Return the user id of a valid, unexpired cookie, else None."""
    if not cookie or cookie.count(".") != 1:
        return None
    payload, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        session = msgspec.json.decode(body, type=SessionPayload)
    except (ValueError, msgspec.DecodeError):
        return None
    current = time.time() if now is None else now
    return session.uid if session.exp > current else None
