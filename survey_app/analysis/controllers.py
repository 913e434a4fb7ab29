"""Analysis pages: the fieldwork dashboard and weighting runs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from survey_app.accounts.guards import requires_role, staff_only
from survey_app.analysis import services
from survey_app.analysis.dashboard import dashboard_page
from survey_app.analysis.schemas import RunForm, estimates_from_form, weighting_from_form
from survey_app.db.dependencies import DbSession
from survey_app.models.accounts import Role
from survey_app.pages import page, request_locale

analysts_only = requires_role(Role.ADMIN, Role.ANALYST)


class AnalysisController(Controller):
    path = "/analysis"
    guards = [staff_only]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        survey: FromQuery[str | None] = None,
    ) -> Template:
        wave = await services.find_wave(db_session, survey)
        user = request.user
        team_of = user.id if user.role == Role.SUPERVISOR else None
        view = await dashboard_page(db_session, wave, request_locale(request), team_of)
        return page(request, "analysis/dashboard.html", view=view, d=view.dashboard)

    @get("/weighting", guards=[analysts_only])
    async def weighting(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        survey: FromQuery[str | None] = None,
    ) -> Template:
        wave = await services.find_wave(db_session, survey)
        runs = await services.weighting_runs(db_session, wave)
        return page(request, "analysis/weighting.html", wave=wave, runs=runs, form=RunForm())

    @post("/weighting", guards=[analysts_only])
    async def run(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[RunForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        run = await services.run_weighting_and_estimates(
            db_session,
            await services.find_wave(db_session, data.survey or None),
            weighting_from_form(data),
            estimates_from_form(data),
            request.user.id,
        )
        return Redirect(f"/analysis/estimates?run={run.id}")
