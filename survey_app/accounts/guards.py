"""Route guards: coroutines `(connection, handler) -> None` that raise when access is denied.

They are async on purpose: litestar runs a plain-function guard in a worker thread, which
would cost every request a thread hand-off for a check that never waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from survey_app.errors import NotAuthenticatedError, PermissionDeniedError
from survey_app.i18n import N_
from survey_app.models.accounts import Role


def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthenticatedError(N_("please sign in first"))


async def requires_login(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Any signed-in user (session cookie or API token)."""
    _signed_in(connection)


@dataclass(frozen=True, slots=True)
class RoleGuard:
    """Lets in signed-in users whose role is in `roles`; the route table test reads `roles`."""

    roles: frozenset[Role]

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        _signed_in(connection)
        if connection.user.role not in self.roles:
            raise PermissionDeniedError(N_("your role does not allow this page"))


def requires_role(*roles: Role) -> RoleGuard:
    return RoleGuard(frozenset(roles))


staff_only = requires_role(Role.ADMIN, Role.ANALYST, Role.SUPERVISOR)
enumerators_only = requires_role(Role.ENUMERATOR)
