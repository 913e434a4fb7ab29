"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from survey_app.accounts import services, sessions
from survey_app.accounts.schemas import LoginForm
from survey_app.db.dependencies import DbSession
from survey_app.errors import NotAuthenticatedError
from survey_app.models.accounts import Role
from survey_app.pages import page

HOME_BY_ROLE = {
    Role.ADMIN: "/admin",
    Role.ANALYST: "/admin",
    Role.SUPERVISOR: "/admin",
    Role.ENUMERATOR: "/enumerator",
}


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else ""


class AccountController(Controller):
    tags = ["accounts"]  # noqa: RUF012 - litestar reads this class attribute

    @get("/login", exclude_from_auth=True, include_in_schema=False)
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        next_page: Annotated[str, QueryParameter(name="next")] = "",
    ) -> Template:
        return page(request, "login.html", next=_safe_next(next_page), error="")

    @post("/login", exclude_from_auth=True, include_in_schema=False)
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        secret = request.app.state.settings.secret_key
        try:
            user, cookie = await services.sign_in(db_session, secret, data.username, data.password)
        except NotAuthenticatedError:
            return page(
                request,
                "login.html",
                status_code=401,
                next=_safe_next(data.next),
                error="wrong_credentials",
                username=data.username,
            )
        response = Redirect(_safe_next(data.next) or HOME_BY_ROLE[user.role])
        response.set_cookie(
            sessions.COOKIE_NAME,
            cookie,
            max_age=sessions.SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @post("/logout", include_in_schema=False)
    async def logout(self, request: Request[Any, Any, Any], db_session: DbSession) -> Redirect:
        await services.sign_out(db_session, request.auth)
        response = Redirect("/")
        response.delete_cookie(sessions.COOKIE_NAME)
        return response
