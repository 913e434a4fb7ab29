"""Account rules: creating users and checking credentials."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.passwords import hash_password, verify_password
from survey_app.errors import ConflictError, InvalidInputError, NotAuthenticatedError
from survey_app.models.accounts import Role, User
from survey_app.models.audit import AuditEvent

MIN_PASSWORD_LENGTH = 8


async def create_user(
    db: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    supervisor_id: int | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInputError("username must be 1 to 64 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    existing = await db.scalar(select(User.id).where(User.username == username))
    if existing is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        supervisor_id=supervisor_id,
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(db: AsyncSession, username: str, password: str) -> User:
    """Return the active user with these credentials; record the login in the audit log."""
    user = await db.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        db.add(AuditEvent(action="login_failed", target=username[:200], details={}))
        await db.commit()
        raise NotAuthenticatedError("wrong username or password")
    db.add(AuditEvent(actor_id=user.id, action="login", target=user.username, details={}))
    await db.commit()
    return user
