"""API tokens: `minyi_<random>` shown once; the database keeps only its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.schemas import CURRENT_USER_COLUMNS, CurrentUser, current_user
from survey_app.errors import InvalidInputError, NotFoundError
from survey_app.models.accounts import ApiToken, User
from survey_app.models.audit import AuditEvent

LAST_USED_GRANULARITY = dt.timedelta(minutes=1)
"""`last_used_at` is written at most this often, so scripts in a loop do not write per request."""
TOKEN_PREFIX = "minyi_"  # noqa: S105 - a public prefix that marks tokens, not a secret


_TOKEN_OWNER = (
    select(ApiToken.id.label("token_id"), ApiToken.last_used_at, *CURRENT_USER_COLUMNS)
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        User.is_active.is_(True),
    )
)
"""Built once: every API request runs it, and building a statement costs more than running it."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(db: AsyncSession, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plain token (shown once)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInputError("a token needs a name of 1 to 100 characters")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(plain))
    db.add(token)
    db.add(AuditEvent(actor_id=user.id, action="token_created", target=name, details={}))
    await db.commit()
    return token, plain


async def user_for_token(db: AsyncSession, plain: str) -> CurrentUser | None:
    """The active owner of an unrevoked token, recording when it was last used."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    connection = await db.connection()
    row = (await connection.execute(_TOKEN_OWNER, {"digest": _digest(plain)})).first()
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    last = row.last_used_at
    if (
        last is None
        or now - (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) > LAST_USED_GRANULARITY
    ):
        await db.execute(
            update(ApiToken).where(ApiToken.id == row.token_id).values(last_used_at=now)
        )
        await db.commit()
    return current_user(row)


async def revoke_token(db: AsyncSession, user: User, token_id: int) -> None:
    token = await db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError("there is no such token")
    token.revoked_at = dt.datetime.now(dt.UTC)
    db.add(AuditEvent(actor_id=user.id, action="token_revoked", target=token.name, details={}))
    await db.commit()


async def tokens_of(db: AsyncSession, user: User) -> list[ApiToken]:
    rows = await db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    )
    return list(rows)
