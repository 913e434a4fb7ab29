"""Route guards: callables `(connection, handler) -> None` that raise when access is denied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from survey_app.errors import NotAuthenticatedError, PermissionDeniedError
from survey_app.i18n import N_
from survey_app.models.accounts import Role


def requires_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any signed-in user (session cookie or API token)."""
    if connection.scope.get("user") is None:
        raise NotAuthenticatedError(N_("please sign in first"))


@dataclass(frozen=True, slots=True)
class RoleGuard:
    """Lets in signed-in users whose role is in `roles`; the route table test reads `roles`."""

    roles: frozenset[Role]

    def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        requires_login(connection, handler)
        if connection.user.role not in self.roles:
            raise PermissionDeniedError(N_("your role does not allow this page"))


def requires_role(*roles: Role) -> RoleGuard:
    return RoleGuard(frozenset(roles))


staff_only = requires_role(Role.ADMIN, Role.ANALYST, Role.SUPERVISOR)
enumerators_only = requires_role(Role.ENUMERATOR)
