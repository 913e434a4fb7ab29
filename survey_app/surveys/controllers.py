"""Survey pages: the staff overview, and building surveys from templates and XLSForms."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from survey_app.accounts.guards import requires_role, staff_only
from survey_app.db.dependencies import DbSession
from survey_app.errors import ConflictError, InvalidInputError, MinyiError
from survey_app.models.accounts import Role
from survey_app.pages import page, request_locale
from survey_app.surveys import catalog, forms, indicators, places, services, versions

survey_builders = requires_role(Role.ADMIN, Role.ANALYST)
"""Who creates surveys, uploads versions and sets indicators."""
NEW_SURVEY_FIELDS = ("template", "slug", "title", "wave_name")
INDICATOR_FIELDS = (
    "code",
    "label_zh",
    "label_en",
    "numerator",
    "denominator",
    "threshold",
    "direction",
    "domains",
)


class AdminController(Controller):
    path = "/admin"
    guards = [staff_only]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/")
    async def overview(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        summaries = await services.survey_summaries(db_session)
        progress = {
            summary.slug: await services.district_progress(
                db_session,
                await services.current_wave(
                    db_session, await services.survey_by_slug(db_session, summary.slug)
                ),
            )
            for summary in summaries
        }
        return page(request, "admin/overview.html", summaries=summaries, progress=progress)


def _language(request: Request[Any, Any, Any]) -> str:
    return request_locale(request).split("_", maxsplit=1)[0]


def download_response(download: versions.Download) -> Response[bytes]:
    """A file to save, named in ASCII and (RFC 6266) in UTF-8."""
    fallback = download.filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(download.filename)}"
    )
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"Content-Disposition": disposition},
    )


class SurveyPagesController(Controller):
    """Analysts and administrators build surveys from templates or XLSForms."""

    path = "/admin/surveys"
    guards = [survey_builders]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/")
    async def survey_list(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return page(request, "surveys/list.html", surveys=await catalog.survey_list(db_session))

    @get("/new")
    async def new_survey(self, request: Request[Any, Any, Any]) -> Template:
        return self._new_page(request, None, {})

    def _new_page(
        self, request: Request[Any, Any, Any], error: MinyiError | None, values: dict[str, str]
    ) -> Template:
        return page(
            request,
            "surveys/new.html",
            status_code=error.status_code if error else 200,
            templates=versions.templates(),
            language=_language(request),
            error=error,
            values=values,
        )

    @post("/new/template")
    async def create_from_template(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Redirect:
        fields = await request.form()
        values = {name: forms.text(fields, name) for name in NEW_SURVEY_FIELDS}
        try:
            survey = await catalog.create(
                db_session,
                versions.from_template(
                    values["template"],
                    slug=values["slug"],
                    title=values["title"],
                    wave_name=values["wave_name"],
                ),
            )
        except (InvalidInputError, ConflictError) as error:
            return self._new_page(request, error, {**values, "source": "template"})
        return Redirect(f"/admin/surveys/{survey.slug}", status_code=303)

    @post("/new/xlsform")
    async def create_from_xlsform(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Redirect:
        fields = await request.form()
        values = {name: forms.text(fields, name) for name in NEW_SURVEY_FIELDS}
        try:
            survey = await catalog.create(
                db_session,
                versions.from_xlsform(
                    await forms.upload(fields),
                    slug=values["slug"],
                    title=values["title"],
                    wave_name=values["wave_name"],
                ),
            )
        except (InvalidInputError, ConflictError) as error:
            return self._new_page(request, error, {**values, "source": "xlsform"})
        return Redirect(f"/admin/surveys/{survey.slug}", status_code=303)

    @get("/{slug:str}")
    async def survey(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template:
        shown = await catalog.survey_page(db_session, slug, _language(request))
        return page(request, "surveys/survey.html", shown=shown, language=_language(request))

    @get("/{slug:str}/versions/{version_id:int}")
    async def version(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        version_id: FromPath[int],
    ) -> Template:
        preview = await versions.preview(db_session, slug, version_id)
        return page(request, "surveys/version.html", slug=slug, preview=preview)

    @post("/{slug:str}/versions")
    async def upload_version(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template | Redirect:
        fields = await request.form()
        try:
            await versions.add_version(db_session, slug, await forms.upload(fields))
        except (InvalidInputError, ConflictError) as error:
            return _problems(request, slug, error)
        return Redirect(f"/admin/surveys/{slug}", status_code=303)

    @post("/{slug:str}/versions/frame")
    async def use_frame(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template | Redirect:
        fields = await request.form()
        try:
            await places.use_frame(db_session, slug, forms.frame_id(fields))
        except (InvalidInputError, ConflictError) as error:
            return _problems(request, slug, error)
        return Redirect(f"/admin/surveys/{slug}", status_code=303)

    @get("/{slug:str}/download")
    async def download(
        self,
        db_session: DbSession,
        slug: FromPath[str],
        export_format: Annotated[str, QueryParameter(name="format")] = "xlsform",
        version: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        return download_response(await versions.export(db_session, slug, export_format, version))

    @post("/{slug:str}/wave")
    async def open_or_close(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Redirect:
        fields = await request.form()
        await catalog.set_wave_open(db_session, slug, is_open=forms.text(fields, "open") == "yes")
        return Redirect(f"/admin/surveys/{slug}", status_code=303)

    @post("/{slug:str}/indicators/{code:str}")
    async def update_indicator(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        code: FromPath[str],
    ) -> Template | Redirect:
        fields = await request.form()
        try:
            await indicators.update_indicator(
                db_session, slug, code, forms.indicator_update(fields), _language(request)
            )
        except (InvalidInputError, ConflictError) as error:
            return _problems(request, slug, error)
        return Redirect(f"/admin/surveys/{slug}#indicator-{code}", status_code=303)

    @get("/{slug:str}/indicators/new")
    async def new_indicator(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        question: FromQuery[str] = "",
    ) -> Template:
        return await self._indicator_page(request, db_session, slug, question)

    async def _indicator_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: str,
        question: str,
        *,
        error: MinyiError | None = None,
        values: dict[str, Any] | None = None,
    ) -> Template:
        form = await indicators.indicator_form(db_session, slug, question, _language(request))
        return page(
            request,
            "surveys/indicator.html",
            status_code=error.status_code if error else 200,
            form=form,
            error=error,
            values=values or {},
        )

    @post("/{slug:str}/indicators")
    async def add_indicator(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template | Redirect:
        fields = await request.form()
        try:
            created = await indicators.add_indicator(
                db_session, slug, forms.indicator_create(fields), _language(request)
            )
        except (InvalidInputError, ConflictError) as error:
            values = {name: fields.getall(name, []) for name in INDICATOR_FIELDS}
            return await self._indicator_page(
                request,
                db_session,
                slug,
                forms.text(fields, "question"),
                error=error,
                values=values,
            )
        return Redirect(f"/admin/surveys/{slug}#indicator-{created.code}", status_code=303)


def _problems(request: Request[Any, Any, Any], slug: str, error: MinyiError) -> Template:
    return page(
        request, "surveys/problems.html", status_code=error.status_code, slug=slug, error=error
    )
