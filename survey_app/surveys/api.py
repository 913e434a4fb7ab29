"""JSON API for scripts: the same survey building as the pages, guarded the same way.

Uploads (`/api/surveys/import`, `/api/surveys/{slug}/versions`) are `multipart/form-data` with
the workbook in the field `file`; everything else is JSON. Errors are `{"error", "message",
"details"}` with a 4xx status, XLSForm problems as details with `sheet`, `row`, `column`.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from survey_app.db.dependencies import DbSession
from survey_app.surveys import catalog, forms, indicators, places, versions
from survey_app.surveys.controllers import download_response, survey_builders
from survey_app.surveys.schemas import (
    FramePlaces,
    IndicatorCreate,
    IndicatorInfo,
    IndicatorUpdate,
    QuestionnaireVersionInfo,
    Survey,
    SurveyCreate,
    SurveyDetail,
    TemplateInfo,
)

Language = Annotated[str, QueryParameter(description="language of the definitions: zh or en")]


class SurveyApiController(Controller):
    path = "/api/surveys"
    guards = [survey_builders]  # noqa: RUF012 - litestar reads this class attribute
    tags = ["surveys"]  # noqa: RUF012 - litestar reads this class attribute

    @get("/")
    async def list_surveys(self, db_session: DbSession) -> list[Survey]:
        return await catalog.survey_list(db_session)

    @get("/templates")
    async def list_templates(self) -> list[TemplateInfo]:
        return versions.templates()

    @post("/")
    async def create_survey(self, db_session: DbSession, data: JSONBody[SurveyCreate]) -> Survey:
        return await catalog.create(
            db_session,
            versions.from_template(
                data.template, slug=data.slug, title=data.title, wave_name=data.wave_name
            ),
        )

    @post("/import")
    async def import_survey(self, request: Request[Any, Any, Any], db_session: DbSession) -> Survey:
        fields = await request.form()
        return await catalog.create(
            db_session,
            versions.from_xlsform(
                await forms.upload(fields),
                slug=forms.text(fields, "slug"),
                title=forms.text(fields, "title"),
                wave_name=forms.text(fields, "wave_name"),
            ),
        )

    @get("/{slug:str}")
    async def survey(
        self, db_session: DbSession, slug: FromPath[str], language: Language = "zh"
    ) -> SurveyDetail:
        return (await catalog.survey_page(db_session, slug, language)).detail

    @post("/{slug:str}/versions")
    async def add_version(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> QuestionnaireVersionInfo:
        fields = await request.form()
        return await versions.add_version(db_session, slug, await forms.upload(fields))

    @post("/{slug:str}/versions/frame")
    async def use_frame(
        self, db_session: DbSession, slug: FromPath[str], data: JSONBody[FramePlaces]
    ) -> QuestionnaireVersionInfo:
        return await places.use_frame(db_session, slug, data.frame_id)

    @get("/{slug:str}/questionnaire")
    async def questionnaire(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        export_format: Annotated[str, QueryParameter(name="format")] = "xlsform",
        version: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        return download_response(await versions.export(db_session, slug, export_format, version))

    @patch("/{slug:str}/indicators/{code:str}")
    async def update_indicator(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        code: FromPath[str],
        data: JSONBody[IndicatorUpdate],
        language: Language = "zh",
    ) -> IndicatorInfo:
        return await indicators.update_indicator(db_session, slug, code, data, language)

    @post("/{slug:str}/indicators")
    async def add_indicator(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        data: JSONBody[IndicatorCreate],
        language: Language = "zh",
    ) -> IndicatorInfo:
        return await indicators.add_indicator(db_session, slug, data, language)
