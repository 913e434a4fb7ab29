"""The resident's web questionnaire: open link, invitations, pages, save, resume, thank-you."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.enums import RequestEncodingType
from litestar.params import FromPath
from litestar.response import File, Redirect, Template
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

import questionnaires
from survey_app.collection import services
from survey_app.collection.consent import PARADATA_KEY
from survey_app.collection.entry import DEVICE_COOKIE, ResidentNoticeError, Visitor
from survey_app.collection.forms import questionnaire_language
from survey_app.collection.schemas import Finished, Moved, PagePost, Problems, ResidentPage
from survey_app.collection.views import ending_notes, page_view
from survey_app.db.dependencies import DbSession
from survey_app.errors import MalformedRequestError, UnsupportedMediaTypeError
from survey_app.i18n import N_, Formatter
from survey_app.pages import page, request_locale

EXPRESSIONS_JS = Path(questionnaires.__file__).parent / "js" / "expressions.js"
MAX_PAGE_BYTES = 64 * 1024
"""A page of answers is a few kilobytes; anything far larger is refused (413)."""
DEVICE_COOKIE_SECONDS = 400 * 86400
RETRY_AFTER_SECONDS = 3600
ACTIONS = ("next", "back", "save", "refresh")
NOT_UTF8 = N_("the form is not valid UTF-8 text")


def _language(request: Request[Any, Any, Any]) -> str:
    return questionnaire_language(request_locale(request))


def _visitor(request: Request[Any, Any, Any]) -> Visitor:
    secret: str = request.app.state.settings.secret_key
    address = request.client.host if request.client else ""
    return Visitor.of(secret, address, request.cookies.get(DEVICE_COOKIE, ""))


def _resident_page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """A resident page: never cached (answers on shared phones), a device cookie if none yet."""
    response = page(request, template, status_code=status_code, **context)
    response.headers["Cache-Control"] = "no-store"
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="lax",
        )
    return response


def _check_text(key: str, value: object) -> None:
    """A posted field must be text that can be stored as typed (browsers send nothing else)."""
    if not isinstance(value, str):
        raise MalformedRequestError(N_("the form holds a file where text is expected"))
    if "\x00" in key or "\x00" in value:
        raise MalformedRequestError(N_("the form holds a NUL character, which cannot be stored"))
    if "\ufffd" in key or "\ufffd" in value:
        raise MalformedRequestError(NOT_UTF8)


async def _page_post(request: Request[Any, Any, Any]) -> PagePost:
    encoding = request.content_type[0]
    if encoding not in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        raise UnsupportedMediaTypeError(N_("the page takes a form, as a browser sends it"))
    fields = await request.form()
    if encoding == RequestEncodingType.URL_ENCODED and not (await request.body()).isascii():
        raise MalformedRequestError(NOT_UTF8)  # a browser percent-encodes every other byte
    for key, value in fields.multi_items():
        _check_text(key, value)
    action = str(fields.get("action", "next"))
    return PagePost(
        fields={key: [str(v) for v in fields.getall(key)] for key in fields},
        action=action if action in ACTIONS else "next",  # type: ignore[arg-type]
        shown_at=str(fields.get("shown_at", "")),
        javascript=fields.get("js") == "1",
        consent=fields.get("consent_box") == "yes",
        start_uuid=str(fields.get("start_uuid", "")),
    )


def notice_page(request: Request[Any, Any, Any], notice: ResidentNoticeError) -> Response[Any]:
    fmt = Formatter(request_locale(request))
    values = {
        key: fmt.date(value) if isinstance(value, dt.date) else value
        for key, value in notice.values.items()
    }
    response = _resident_page(
        request,
        "survey/notice.html",
        status_code=notice.status_code,
        title=notice.title,
        message=notice.message,
        values=values,
    )
    if notice.status_code == HTTP_429_TOO_MANY_REQUESTS:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ResidentSurveyController(Controller):
    path = "/s"
    include_in_schema = False
    request_max_body_size = MAX_PAGE_BYTES
    exception_handlers = {ResidentNoticeError: notice_page}  # noqa: RUF012 - litestar reads it

    def _render(
        self,
        request: Request[Any, Any, Any],
        shown: ResidentPage,
        problems: dict[str, str] | None = None,
    ) -> Template:
        partial = shown.partial
        slug = shown.target.survey.slug
        if partial.finished_at is not None:
            return _resident_page(
                request,
                "survey/done.html",
                survey=shown.target.survey,
                form=shown.target.questionnaire,
                language=_language(request),
                disposition=partial.disposition,
                notes=ending_notes(
                    shown.target, partial.paradata.get("ending_notes", ()), _language(request)
                ),
            )
        view = page_view(
            shown.target,
            shown.page,
            partial.answers,
            language=_language(request),
            action=f"/s/{slug}/r/{partial.resume_token}/{shown.page.name}",
            resume_token=partial.resume_token,
            problems=problems,
            consent=bool(partial.paradata.get(PARADATA_KEY)),
        )
        return _resident_page(
            request, "survey/page.html", status_code=422 if problems else 200, view=view
        )

    def _respond(
        self,
        request: Request[Any, Any, Any],
        shown: ResidentPage,
        outcome: Moved | Problems | Finished,
    ) -> Template | Redirect:
        base = f"/s/{shown.slug}"
        token = shown.resume_token
        if isinstance(outcome, Problems):
            page_shown = services.page_of(shown.target, shown.partial, outcome.page)
            return self._render(
                request,
                ResidentPage(shown.target, shown.partial, page_shown, shown.slug, token),
                outcome.problems,
            )
        if isinstance(outcome, Finished):
            return Redirect(f"{base}/r/{token}", status_code=303)
        if outcome.saved:
            return Redirect(f"{base}/saved/{token}", status_code=303)
        return Redirect(f"{base}/r/{token}/{outcome.page}", status_code=303)

    @get("/{slug:str}")
    async def open_link(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template:
        target = await services.survey_target(db_session, slug)
        view = page_view(
            target,
            services.first_page(target),
            {},
            language=_language(request),
            action=f"/s/{slug}",
            resume_token=None,
            start_uuid=str(uuid.uuid4()),
        )
        return _resident_page(request, "survey/page.html", view=view)

    @post("/{slug:str}")
    async def start(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template | Redirect:
        shown, outcome = await services.open_start(
            db_session, slug, _visitor(request), await _page_post(request), _language(request)
        )
        return self._respond(request, shown, outcome)

    @get("/{slug:str}/i/{token:str}")
    async def invitation(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        token: FromPath[str],
    ) -> Redirect:
        _, partial = await services.enter_survey(db_session, slug, token, _visitor(request))
        return Redirect(f"/s/{slug}/r/{partial.resume_token}", status_code=303)

    @get("/{slug:str}/r/{resume:str}")
    async def resume(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        resume: FromPath[str],
    ) -> Template:
        shown = await services.open_page(db_session, slug, resume, _visitor(request), None)
        return self._render(request, shown)

    @get("/{slug:str}/r/{resume:str}/{page_name:str}")
    async def show_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        resume: FromPath[str],
        page_name: FromPath[str],
    ) -> Template:
        shown = await services.open_page(db_session, slug, resume, _visitor(request), page_name)
        return self._render(request, shown)

    @post("/{slug:str}/r/{resume:str}/{page_name:str}")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        resume: FromPath[str],
        page_name: FromPath[str],
    ) -> Template | Redirect:
        shown, outcome = await services.post_page(
            db_session,
            slug,
            resume,
            visitor=_visitor(request),
            page_name=page_name,
            post=await _page_post(request),
            language=_language(request),
        )
        return self._respond(request, shown, outcome)

    @get("/{slug:str}/saved/{resume:str}")
    async def saved(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        slug: FromPath[str],
        resume: FromPath[str],
    ) -> Template:
        shown = await services.open_page(db_session, slug, resume, _visitor(request), None)
        link = f"{str(request.base_url).rstrip('/')}/s/{slug}/r/{resume}"
        return _resident_page(
            request,
            "survey/saved.html",
            form=shown.target.questionnaire,
            language=_language(request),
            link=link,
            continue_url=f"/s/{slug}/r/{resume}/{shown.page.name}",
        )


@get(
    "/survey-assets/expressions.js",
    include_in_schema=False,
    cache_control=CacheControlHeader(max_age=3600),
)
async def expressions_script() -> File:
    """The questionnaire library's expression evaluator, served from the package itself."""
    return File(
        path=EXPRESSIONS_JS, media_type="text/javascript", content_disposition_type="inline"
    )
