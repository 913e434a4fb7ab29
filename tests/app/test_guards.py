"""Guards, one by one, on a connection stand-in."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from survey_app.accounts.guards import enumerators_only, requires_login, requires_role, staff_only
from survey_app.accounts.schemas import CurrentUser
from survey_app.errors import NotAuthenticatedError, PermissionDeniedError
from survey_app.models.accounts import Role


def _connection(role: Role | None) -> Any:
    user = None if role is None else CurrentUser(id=1, username="u", display_name="u", role=role)
    return SimpleNamespace(scope={"user": user}, user=user)


def test_requires_login_refuses_anonymous() -> None:
    with pytest.raises(NotAuthenticatedError):
        asyncio.run(requires_login(_connection(None), None))  # type: ignore[arg-type]
    asyncio.run(requires_login(_connection(Role.ENUMERATOR), None))  # type: ignore[arg-type]


@pytest.mark.parametrize("role", list(Role))
def test_role_guards_let_in_exactly_their_roles(role: Role) -> None:
    for guard in (staff_only, enumerators_only, requires_role(Role.ADMIN)):
        if role in guard.roles:
            asyncio.run(guard(_connection(role), None))  # type: ignore[arg-type]
        else:
            with pytest.raises(PermissionDeniedError):
                asyncio.run(guard(_connection(role), None))  # type: ignore[arg-type]


def test_role_guard_asks_anonymous_to_sign_in_first() -> None:
    with pytest.raises(NotAuthenticatedError):
        asyncio.run(staff_only(_connection(None), None))  # type: ignore[arg-type]
