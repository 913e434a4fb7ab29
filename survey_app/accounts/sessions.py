"""Sessions kept in the database, so that signing out or a change of password ends them.

The cookie is `<key>.<HMAC-SHA256 of key>`: a random key, signed with the secret key so that a
forged cookie costs no query and changing the secret key signs everybody out. The database keeps
only the key's SHA-256 with the user and the expiry; every app server reads the same rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.schemas import CURRENT_USER_COLUMNS, CurrentUser, current_user
from survey_app.models.accounts import User, UserSession

COOKIE_NAME = "minyi_session"
SESSION_SECONDS = 12 * 3600
LIFETIME = dt.timedelta(seconds=SESSION_SECONDS)

_SESSION_USER = (
    select(*CURRENT_USER_COLUMNS)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.key_hash == bindparam("digest"),
        UserSession.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)
"""Built once: every page request runs it."""


def _sign(secret: str, key: str) -> str:
    digest = hmac.new(secret.encode(), key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def session_key(secret: str, cookie: str | None) -> str | None:
    """The key of a cookie signed with `secret`, else None (whether the session still exists is
    for the database to say)."""
    if not cookie or cookie.count(".") != 1:
        return None
    key, signature = cookie.split(".")
    return key if key and hmac.compare_digest(signature, _sign(secret, key)) else None


async def start(db: AsyncSession, secret: str, user_id: int) -> str:
    """Add a session for `user_id` and return its cookie; the caller commits.

    Expired sessions, anyone's, are deleted on the way: sign-ins are few, so this keeps the
    table to the sessions of the last `LIFETIME` without a clean-up job."""
    now = dt.datetime.now(dt.UTC)
    await db.execute(delete(UserSession).where(UserSession.expires_at <= now))
    key = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            key_hash=_digest(key), user_id=user_id, created_at=now, expires_at=now + LIFETIME
        )
    )
    return f"{key}.{_sign(secret, key)}"


async def user_for_key(db: AsyncSession, key: str) -> CurrentUser | None:
    """The active user of the unexpired session `key` names, in one query."""
    connection = await db.connection()
    parameters = {"digest": _digest(key), "now": dt.datetime.now(dt.UTC)}
    row = (await connection.execute(_SESSION_USER, parameters)).first()
    return None if row is None else current_user(row)


async def end(db: AsyncSession, key: str) -> int | None:
    """Delete the session `key` names; returns its user's id, None when there was none. The
    caller commits."""
    ended = await db.execute(
        delete(UserSession)
        .where(UserSession.key_hash == _digest(key))
        .returning(UserSession.user_id)
    )
    return ended.scalar_one_or_none()


async def end_all(db: AsyncSession, user_id: int, *, keep: str | None = None) -> None:
    """Delete the user's sessions but the one whose key is `keep`; the caller commits."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(UserSession.key_hash != _digest(keep))
    await db.execute(statement)
