"""Reads the session cookie or a bearer API token and puts the user (or None) on the connection.

The lookup runs in the request's own database session (the one handlers receive as
`db_session`), so a request checks out one connection, not two.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts import sessions
from survey_app.accounts.schemas import CURRENT_USER_COLUMNS, CurrentUser, current_user
from survey_app.accounts.tokens import user_for_token
from survey_app.models.accounts import User


class SessionAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        database: SQLAlchemyAsyncConfig = connection.app.state.database
        db = database.provide_session(connection.app.state, connection.scope)
        authorization = connection.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            user = await user_for_token(db, authorization[len("bearer ") :].strip())
        else:
            secret: str = connection.app.state.settings.secret_key
            user_id = sessions.read(secret, connection.cookies.get(sessions.COOKIE_NAME))
            user = None if user_id is None else await _active_user(db, user_id)
        return AuthenticationResult(user=user, auth=None if user is None else user.id)


_ACTIVE_USER = select(*CURRENT_USER_COLUMNS).where(
    User.id == bindparam("user_id"), User.is_active.is_(True)
)


async def _active_user(db: AsyncSession, user_id: int) -> CurrentUser | None:
    connection = await db.connection()
    row = (await connection.execute(_ACTIVE_USER, {"user_id": user_id})).first()
    return None if row is None else current_user(row)
