"""Account rules: creating users, checking credentials, signing in and out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts import sessions
from survey_app.accounts.passwords import hash_password, verify_password
from survey_app.errors import (
    ConflictError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    TooManyRequestsError,
)
from survey_app.i18n import N_
from survey_app.models.accounts import Role, User
from survey_app.models.audit import AuditEvent

MIN_PASSWORD_LENGTH = 8
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


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
    _check_password(password)
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


async def sign_in(db: AsyncSession, secret: str, username: str, password: str) -> tuple[User, str]:
    """Check the credentials of an active user, start a session and record the sign-in; returns
    the user and the session cookie.

    After `MAX_FAILED_LOGINS` failures for one username within `LOCKOUT`, further attempts are
    refused until the window has passed, whatever the password. An unknown or deactivated
    username costs the same password check as a wrong password, so timing tells nothing.
    """
    username = username.strip()[:64]
    await refuse_if_locked_out(db, username)
    user = await db.scalar(select(User).where(User.username == username))
    password_ok = verify_password(None if user is None else user.password_hash, password)
    if user is None or not user.is_active or not password_ok:
        await record_failed_login(db, username)
        raise NotAuthenticatedError("wrong username or password")
    cookie = await sessions.start(db, secret, user.id)
    db.add(AuditEvent(actor_id=user.id, action="login", target=user.username, details={}))
    await db.commit()
    return user, cookie


async def sign_out(db: AsyncSession, session_key: str | None) -> None:
    """End the session and record the sign-out; without a live session there is nothing to end."""
    if session_key is None:
        return
    user_id = await sessions.end(db, session_key)
    if user_id is not None:
        username = await db.scalar(select(User.username).where(User.id == user_id))
        db.add(AuditEvent(actor_id=user_id, action="logout", target=username or "", details={}))
    await db.commit()


async def refuse_if_locked_out(db: AsyncSession, username: str) -> None:
    """Raise when `username` has failed `MAX_FAILED_LOGINS` times within `LOCKOUT` (sign-in
    form and ODK Collect's Basic credentials count together)."""
    since = dt.datetime.now(dt.UTC) - LOCKOUT
    failures = await db.scalar(
        select(func.count()).where(
            AuditEvent.action == "login_failed",
            AuditEvent.target == username,
            AuditEvent.at >= since,
        )
    )
    if (failures or 0) >= MAX_FAILED_LOGINS:
        raise TooManyRequestsError(
            N_("too many failed sign-ins for this user; wait 15 minutes and try again")
        )


async def record_failed_login(db: AsyncSession, username: str) -> None:
    db.add(AuditEvent(action="login_failed", target=username, details={}))
    await db.commit()


async def change_password(
    db: AsyncSession, user: User, current: str, new: str, *, session_key: str | None
) -> None:
    """The user's own change: the current password must be right. The user's other sessions
    end (someone who knew the old password may hold one); `session_key`'s stays."""
    if not verify_password(user.password_hash, current):
        raise InvalidInputError(N_("the current password is wrong"))
    _check_password(new)
    user.password_hash = hash_password(new)
    await sessions.end_all(db, user.id, keep=session_key)
    db.add(
        AuditEvent(actor_id=user.id, action="password_changed", target=user.username, details={})
    )
    await db.commit()


async def reset_password(db: AsyncSession, admin: User, user_id: int, new: str) -> User:
    """An administrator sets a new password for someone else; all the user's sessions end."""
    user = await user_by_id(db, user_id)
    _check_password(new)
    user.password_hash = hash_password(new)
    await sessions.end_all(db, user.id)
    db.add(AuditEvent(actor_id=admin.id, action="password_reset", target=user.username, details={}))
    await db.commit()
    return user


async def update_user(
    db: AsyncSession,
    admin: User,
    user_id: int,
    *,
    role: Role,
    is_active: bool,
    supervisor_id: int | None,
) -> User:
    """Change a user's role, team or access; every change is in the audit log. A new role or a
    change of access ends all the user's sessions, so no page keeps what the old role allowed."""
    user = await user_by_id(db, user_id)
    if user.id == admin.id and (role != Role.ADMIN or not is_active):
        raise InvalidInputError(N_("you cannot take away your own administrator access"))
    if supervisor_id is not None:
        supervisor = await db.get(User, supervisor_id)
        if supervisor is None or supervisor.role != Role.SUPERVISOR:
            raise InvalidInputError(N_("the team leader must be a supervisor"))
    before = {
        "role": user.role.value,
        "is_active": user.is_active,
        "supervisor_id": user.supervisor_id,
    }
    user.role, user.is_active, user.supervisor_id = role, is_active, supervisor_id
    after = {"role": role.value, "is_active": is_active, "supervisor_id": supervisor_id}
    if (before["role"], before["is_active"]) != (after["role"], after["is_active"]):
        await sessions.end_all(db, user.id)
    if before != after:
        db.add(
            AuditEvent(
                actor_id=admin.id,
                action="user_changed",
                target=user.username,
                details={"before": before, "after": after},
            )
        )
    await db.commit()
    return user


async def list_users(db: AsyncSession) -> list[User]:
    return list(await db.scalars(select(User).order_by(User.role, User.username)))


async def user_by_id(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFoundError(N_("there is no such user"))
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(N_("a password needs at least 8 characters"))


async def record(db: AsyncSession, actor: User, action: str, target: str) -> None:
    """Add one line to the audit log and commit."""
    db.add(AuditEvent(actor_id=actor.id, action=action, target=target[:200], details={}))
    await db.commit()


async def audit_log(db: AsyncSession, *, limit: int = 200) -> list[tuple[AuditEvent, str]]:
    """The newest audit events with the actor's username ("" for anonymous attempts)."""
    rows = await db.execute(
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, username or "") for event, username in rows.all()]
