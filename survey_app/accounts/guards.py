"""Route guards: plain functions `(connection, handler) -> None`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from survey_app.errors import NotAuthenticatedError, PermissionDeniedError
from survey_app.i18n import N_
from survey_app.models.accounts import Role

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthenticatedError(N_("please sign in first"))


def requires_role(*roles: Role) -> Guard:
    """A guard that lets in signed-in users whose role is one of `roles`."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        requires_login(connection, handler)
        if connection.user.role not in allowed:
            raise PermissionDeniedError(N_("your role does not allow this page"))

    return guard


staff_only = requires_role(Role.ADMIN, Role.ANALYST, Role.SUPERVISOR)
enumerators_only = requires_role(Role.ENUMERATOR)
