"""The estimates page, the PDF and Excel reports and the microdata downloads of a run."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from survey_app.analysis import services as analysis
from survey_app.analysis.controllers import analysts_only
from survey_app.analysis.schemas import EstimateForm, estimates_from_form
from survey_app.db.dependencies import DbSession
from survey_app.pages import page, request_locale
from survey_app.reports import services
from survey_app.reports.pages import estimates_page
from survey_app.reports.services import Download


def _download(download: Download) -> Response[bytes]:
    return Response(
        download.body,
        media_type=download.media_type,
        headers={"content-disposition": f'attachment; filename="{download.filename}"'},
    )


def _language(request: Request[Any, Any, Any]) -> str:
    return "en" if request_locale(request) == "en" else "zh"


class ReportController(Controller):
    path = "/analysis"
    guards = [analysts_only]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/estimates")
    async def estimates(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        run: FromQuery[int | None] = None,
        survey: FromQuery[str | None] = None,
    ) -> Template:
        view = await estimates_page(db_session, run, survey, request_locale(request))
        return page(request, "reports/estimates.html", view=view, form=EstimateForm())

    @post("/runs/{run_id:int}/estimates")
    async def estimate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        run_id: FromPath[int],
        data: Annotated[EstimateForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        await analysis.run_estimates(
            db_session,
            await analysis.weighting_run(db_session, run_id),
            estimates_from_form(data),
            request.user.id,
        )
        return Redirect(f"/analysis/estimates?run={run_id}")

    @get("/runs/{run_id:int}/report/{kind:str}")
    async def report(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        run_id: FromPath[int],
        kind: FromPath[str],
    ) -> Response[bytes]:
        run = await analysis.weighting_run(db_session, run_id)
        return _download(
            await services.report(db_session, run, kind, _language(request), request.user.id)
        )

    @get("/runs/{run_id:int}/export/{kind:str}")
    async def export(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        run_id: FromPath[int],
        kind: FromPath[str],
        text: FromQuery[bool] = False,
    ) -> Response[bytes]:
        run = await analysis.weighting_run(db_session, run_id)
        files = await services.microdata_files(
            db_session, run, kind, _language(request), request.user.id, include_text=text
        )
        return _download(services.bundle(files, f"minyi-run{run_id}-{kind}.zip"))
