"""The signed-in user's own page: change password, API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from survey_app.accounts import services, tokens
from survey_app.accounts.guards import requires_login
from survey_app.accounts.schemas import PasswordChangeForm, TokenForm
from survey_app.db.dependencies import DbSession
from survey_app.errors import InvalidInputError
from survey_app.pages import page

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class ProfileController(Controller):
    path = "/account"
    guards = [requires_login]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    async def _page(
        self, request: Request[Any, Any, Any], db: DbSession, status_code: int = 200, **extra: Any
    ) -> Template:
        user = await services.user_by_id(db, request.user.id)
        return page(
            request,
            "account/profile.html",
            status_code=status_code,
            tokens=await tokens.tokens_of(db, user),
            **{"error": "", "new_token": "", **extra},
        )

    @get("/")
    async def profile(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return await self._page(request, db_session)

    @post("/password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[PasswordChangeForm, Form],
    ) -> Template | Redirect:
        user = await services.user_by_id(db_session, request.user.id)
        try:
            await services.change_password(
                db_session,
                user,
                data.current_password,
                data.new_password,
                session_key=request.auth,
            )
        except InvalidInputError as error:
            return await self._page(request, db_session, status_code=422, error=error.message)
        return Redirect("/account?changed=1", status_code=303)

    @post("/tokens")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[TokenForm, Form],
    ) -> Template:
        user = await services.user_by_id(db_session, request.user.id)
        try:
            _, plain = await tokens.issue_token(db_session, user, data.name)
        except InvalidInputError as error:
            return await self._page(request, db_session, status_code=422, error=error.message)
        return await self._page(request, db_session, status_code=201, new_token=plain)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(
        self, request: Request[Any, Any, Any], db_session: DbSession, token_id: FromPath[int]
    ) -> Redirect:
        user = await services.user_by_id(db_session, request.user.id)
        await tokens.revoke_token(db_session, user, token_id)
        return Redirect("/account", status_code=303)
