"""Reads the session cookie or a bearer API token and puts the user (or None) on the connection.

The lookup runs in the request's own database session (the one handlers receive as
`db_session`), so a request checks out one connection, not two. A request that brings its own
credentials is judged by them alone, never by a session cookie the client holds as well: a
bearer token here, Basic credentials by the OpenRosa door that takes them. A session's key
becomes the connection's `auth` (None for a token), so that signing out knows which session to
end. A write with credentials a browser sends of its own accord (the cookie, remembered Basic
credentials) where litestar's CSRF check is off must pass `cross_site`'s check.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from survey_app.accounts import sessions
from survey_app.accounts.cross_site import refuse_cross_site_write
from survey_app.accounts.tokens import user_for_token


class SessionAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        database: SQLAlchemyAsyncConfig = connection.app.state.database
        db = database.provide_session(connection.app.state, connection.scope)
        authorization = connection.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            user = await user_for_token(db, authorization[len("bearer ") :].strip())
            return AuthenticationResult(user=user, auth=None)
        if authorization:
            refuse_cross_site_write(connection, by_cookie=False)
            return AuthenticationResult(user=None, auth=None)
        secret: str = connection.app.state.settings.secret_key
        key = sessions.session_key(secret, connection.cookies.get(sessions.COOKIE_NAME))
        user = None if key is None else await sessions.user_for_key(db, key)
        if user is None:
            return AuthenticationResult(user=None, auth=None)
        refuse_cross_site_write(connection, by_cookie=True)
        return AuthenticationResult(user=user, auth=key)
