"""Reads the session cookie and puts the signed-in user (or None) on the connection."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey_app.accounts import sessions
from survey_app.accounts.schemas import CurrentUser
from survey_app.models.accounts import User


class SessionAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        secret: str = connection.app.state.settings.secret_key
        user_id = sessions.read(secret, connection.cookies.get(sessions.COOKIE_NAME))
        if user_id is None:
            return AuthenticationResult(user=None, auth=None)
        maker: async_sessionmaker[AsyncSession] = connection.app.state.sessionmaker
        async with maker() as db:
            user = await db.get(User, user_id)
        if user is None or not user.is_active:
            return AuthenticationResult(user=None, auth=None)
        current = CurrentUser(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            supervisor_id=user.supervisor_id,
        )
        return AuthenticationResult(user=current, auth=user_id)
