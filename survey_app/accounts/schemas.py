"""Account schemas."""

from __future__ import annotations

import msgspec

from survey_app.models.accounts import Role


class CurrentUser(msgspec.Struct, frozen=True):
    """The signed-in user as guards and templates see it."""

    id: int
    username: str
    display_name: str
    role: Role
    supervisor_id: int | None = None


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
