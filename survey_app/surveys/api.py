"""JSON API for scripts: the same survey building as the pages, guarded the same way.

Uploads (`/api/surveys/import`, `/api/surveys/{slug}/versions`) are `multipart/form-data` with
the workbook in the field `file`; everything else is JSON. Errors are `{"error", "message",
"details"}` with a 4xx status, XLSForm problems as details with `sheet`, `row`, `column`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath, JSONBody, QueryParameter

from survey_app.db.dependencies import DbSession
from survey_app.http_errors import error_responses
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

ERRORS = error_responses()
Language = Annotated[str, QueryParameter(description="language of the definitions: zh or en")]
VersionId = Annotated[
    int | None,
    QueryParameter(ge=1, le=2**31 - 1, description="a stored version's id; the newest if absent"),
]


@dataclass
class _DownloadOperation(Operation):
    """The questionnaire comes as an XLSForm workbook or an XForm, as `format` asks."""

    def __post_init__(self) -> None:
        file = Schema(type=OpenAPIType.STRING, content_media_type="application/octet-stream")
        (self.responses or {})["200"] = OpenAPIResponse(
            description="The questionnaire as a file to save",
            content={
                media_type: OpenAPIMediaType(schema=file)
                for media_type in (versions.XLSX_MEDIA_TYPE, versions.XFORM_MEDIA_TYPE)
            },
        )


class SurveyApiController(Controller):
    path = "/api/surveys"
    guards = [survey_builders]  # noqa: RUF012 - litestar reads this class attribute
    tags = ["surveys"]  # noqa: RUF012 - litestar reads this class attribute

    @get("/", responses=ERRORS)
    async def list_surveys(self, db_session: DbSession) -> list[Survey]:
        return await catalog.survey_list(db_session)

    @get("/templates", responses=ERRORS)
    async def list_templates(self) -> list[TemplateInfo]:
        return versions.templates()

    @post("/", responses=ERRORS)
    async def create_survey(self, db_session: DbSession, data: JSONBody[SurveyCreate]) -> Survey:
        return await catalog.create(
            db_session,
            versions.from_template(
                data.template, slug=data.slug, title=data.title, wave_name=data.wave_name
            ),
        )

    @post("/import", responses=ERRORS)
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

    @get("/{slug:str}", responses=ERRORS)
    async def survey(
        self, db_session: DbSession, slug: FromPath[str], language: Language = "zh"
    ) -> SurveyDetail:
        return (await catalog.survey_page(db_session, slug, language)).detail

    @post("/{slug:str}/versions", responses=ERRORS)
    async def add_version(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> QuestionnaireVersionInfo:
        fields = await request.form()
        return await versions.add_version(db_session, slug, await forms.upload(fields))

    @post("/{slug:str}/versions/frame", responses=ERRORS)
    async def use_frame(
        self, db_session: DbSession, slug: FromPath[str], data: JSONBody[FramePlaces]
    ) -> QuestionnaireVersionInfo:
        return await places.use_frame(db_session, slug, data.frame_id)

    @get("/{slug:str}/questionnaire", responses=ERRORS, operation_class=_DownloadOperation)
    async def questionnaire(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        export_format: Annotated[str, QueryParameter(name="format")] = "xlsform",
        version: VersionId = None,
    ) -> Response[bytes]:
        return download_response(await versions.export(db_session, slug, export_format, version))

    @patch("/{slug:str}/indicators/{code:str}", responses=ERRORS)
    async def update_indicator(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        code: FromPath[str],
        data: JSONBody[IndicatorUpdate],
        language: Language = "zh",
    ) -> IndicatorInfo:
        return await indicators.update_indicator(db_session, slug, code, data, language)

    @post("/{slug:str}/indicators", responses=ERRORS)
    async def add_indicator(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        data: JSONBody[IndicatorCreate],
        language: Language = "zh",
    ) -> IndicatorInfo:
        return await indicators.add_indicator(db_session, slug, data, language)
