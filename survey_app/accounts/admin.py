"""Administrators manage users: create, change role, team and access, reset passwords."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from survey_app.accounts import services
from survey_app.accounts.guards import requires_role
from survey_app.accounts.schemas import PasswordResetForm, UserCreateForm, UserUpdateForm
from survey_app.db.dependencies import DbSession
from survey_app.errors import ConflictError, InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models.accounts import Role
from survey_app.pages import page

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
ROLE_LABELS = {
    Role.ADMIN: N_("administrator"),
    Role.ANALYST: N_("analyst"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.ENUMERATOR: N_("enumerator"),
}


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInputError(N_("choose one of the roles")) from None


def _optional_id(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInputError(N_("choose a team leader from the list"))
    return int(text)


class UserAdminController(Controller):
    path = "/admin/users"
    guards = [requires_role(Role.ADMIN)]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: DbSession,
        status_code: int = 200,
        error: str = "",
    ) -> Template:
        users = await services.list_users(db)
        supervisors = [u for u in users if u.role == Role.SUPERVISOR]
        return page(
            request,
            "account/users.html",
            status_code=status_code,
            users=users,
            supervisors=supervisors,
            role_labels=ROLE_LABELS,
            error=error,
        )

    @get("/")
    async def users(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return await self._page(request, db_session)

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[UserCreateForm, Form],
    ) -> Template | Redirect:
        admin = await services.user_by_id(db_session, request.user.id)
        try:
            await services.create_user(
                db_session,
                username=data.username,
                password=data.password,
                role=_role(data.role),
                display_name=data.display_name,
                supervisor_id=_optional_id(data.supervisor_id),
            )
            await services.record(db_session, admin, "user_created", data.username)
        except (InvalidInputError, ConflictError) as error:
            return await self._page(request, db_session, error.status_code, error.message)
        return Redirect("/admin/users", status_code=303)

    @post("/{user_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user_id: FromPath[int],
        data: Annotated[UserUpdateForm, Form],
    ) -> Template | Redirect:
        admin = await services.user_by_id(db_session, request.user.id)
        try:
            await services.update_user(
                db_session,
                admin,
                user_id,
                role=_role(data.role),
                is_active=data.is_active == "yes",
                supervisor_id=_optional_id(data.supervisor_id),
            )
        except (InvalidInputError, NotFoundError) as error:
            return await self._page(request, db_session, error.status_code, error.message)
        return Redirect("/admin/users", status_code=303)

    @post("/{user_id:int}/password")
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user_id: FromPath[int],
        data: Annotated[PasswordResetForm, Form],
    ) -> Template | Redirect:
        admin = await services.user_by_id(db_session, request.user.id)
        try:
            await services.reset_password(db_session, admin, user_id, data.new_password)
        except (InvalidInputError, NotFoundError) as error:
            return await self._page(request, db_session, error.status_code, error.message)
        return Redirect("/admin/users", status_code=303)


class AuditController(Controller):
    path = "/admin/audit"
    guards = [requires_role(Role.ADMIN)]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/")
    async def audit(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return page(request, "account/audit.html", events=await services.audit_log(db_session))
