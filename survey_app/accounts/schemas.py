"""Account schemas."""

from __future__ import annotations

from typing import Any

import msgspec

from survey_app.models.accounts import Role, User


class CurrentUser(msgspec.Struct, frozen=True):
    """The signed-in user as guards and templates see it."""

    id: int
    username: str
    display_name: str
    role: Role
    supervisor_id: int | None = None


CURRENT_USER_COLUMNS = (User.id, User.username, User.display_name, User.role, User.supervisor_id)
"""What a request needs of its user: selected as columns, no ORM object per request."""


def current_user(row: Any) -> CurrentUser:
    """A `CurrentUser` from a row holding `CURRENT_USER_COLUMNS`."""
    return CurrentUser(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        supervisor_id=row.supervisor_id,
    )


class LoginForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    next: str = "/"


class PasswordChangeForm(msgspec.Struct):
    current_password: str = ""
    new_password: str = ""


class TokenForm(msgspec.Struct):
    name: str = ""


class UserCreateForm(msgspec.Struct):
    username: str = ""
    display_name: str = ""
    password: str = ""
    role: str = ""
    supervisor_id: str = ""


class UserUpdateForm(msgspec.Struct):
    role: str = ""
    is_active: str = ""
    supervisor_id: str = ""


class PasswordResetForm(msgspec.Struct):
    new_password: str = ""
