"""Which requests count against a rate limit, and whom they are counted for.

- `login`: POST /login, per client address, 60 a minute.
- `resident`: every POST under /s/ (start, next page, save), per client address, 600 a minute
  (a carrier gateway or an office Wi-Fi stands for many residents).
- `openrosa`: every request under /openrosa/ (each one checks a password), per enumerator named
  in the Basic credentials (else per client address), 600 a minute.

Not limited: pages and other GETs, and the tablet sync API
`/api/capi/...`, which needs a signed-in enumerator, is tuned for hundreds of uploads a second
and must not pay a counter write per request. The per-user lockout of `accounts.services` stays
on top of the login limit. Limits are set in `Settings.rate_limits` (MINYI_RATE_LIMIT_*).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from litestar.types import Scope

from survey_app.i18n import N_


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    """The field of `RateLimits` holding its limit."""
    message: str
    """What the refused client is told (a catalog id)."""


LOGIN = Kind(
    "login", N_("too many sign-in attempts from your network; wait a minute and try again")
)
RESIDENT = Kind(
    "resident",
    N_("too many answers were sent from your network just now; wait a minute and try again"),
)
OPENROSA = Kind(
    "openrosa", N_("too many requests for this enumerator just now; wait a minute and try again")
)


def kind_of(method: str, path: str) -> Kind | None:
    """The limit a request counts against, or None when it is not limited."""
    if path.startswith("/openrosa/"):
        return OPENROSA
    if method != "POST":
        return None
    if path.rstrip("/") == "/login":
        return LOGIN
    if path.startswith("/s/"):
        return RESIDENT
    return None


def counter_key(secret: str, kind: Kind, scope: Scope) -> str:
    """`kind:hash` — a keyed hash of whom the request is counted for, never the address itself
    (addresses are personal information and counters may sit in a shared Redis)."""
    subject = _basic_username(scope) if kind is OPENROSA else None
    if subject is None:
        client = scope.get("client")
        subject = "address:" + (client[0] if client else "")
    digest = hmac.new(secret.encode(), f"{kind.name}|{subject}".encode(), hashlib.sha256)
    return f"{kind.name}:{digest.hexdigest()[:40]}"


def _basic_username(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:6].lower() == b"basic ":
            try:
                decoded = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return "user:" + decoded.partition(":")[0].strip()
    return None
