"""Supervisor review pages: the team's interviews with flags; approve or reject each."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from survey_app.accounts.guards import requires_role
from survey_app.capi.dispositions import DISPOSITION_LABELS
from survey_app.collection.forms import questionnaire_language
from survey_app.db.dependencies import DbSession
from survey_app.models import Role
from survey_app.pages import page, request_locale
from survey_app.review import services
from survey_app.review.flags import FLAG_LABELS
from survey_app.review.schemas import ReviewForm

_FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class ReviewController(Controller):
    path = "/review"
    guards = [requires_role(Role.SUPERVISOR, Role.ADMIN)]  # noqa: RUF012 - litestar reads this
    include_in_schema = False

    @get("/")
    async def interviews(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        review_state: Annotated[str, QueryParameter(name="state")] = "to_review",
        flagged: Annotated[bool, QueryParameter()] = False,
        page_number: Annotated[int, QueryParameter(name="page")] = 1,
    ) -> Template:
        listing = await services.review_list(
            db_session, request.user, review_state, flagged, page_number
        )
        return page(
            request,
            "review/list.html",
            listing=listing,
            state=review_state,
            flagged=flagged,
            states=services.STATE_FILTERS,
            flag_labels=FLAG_LABELS,
            dispositions=DISPOSITION_LABELS,
        )

    @get("/{response_id:int}")
    async def interview(
        self, request: Request[Any, Any, Any], db_session: DbSession, response_id: FromPath[int]
    ) -> Template:
        detail = await services.review_detail(
            db_session,
            request.user,
            response_id,
            questionnaire_language(request_locale(request)),
        )
        return page(
            request,
            "review/detail.html",
            detail=detail,
            flag_labels=FLAG_LABELS,
            dispositions=DISPOSITION_LABELS,
        )

    @post("/{response_id:int}/approve")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        response_id: FromPath[int],
        data: Annotated[ReviewForm, _FORM],
    ) -> Redirect:
        await services.decide(db_session, request.user, response_id, True, data.comment)
        return Redirect(f"/review/{response_id}", status_code=303)

    @post("/{response_id:int}/reject")
    async def reject(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        response_id: FromPath[int],
        data: Annotated[ReviewForm, _FORM],
    ) -> Redirect:
        await services.decide(db_session, request.user, response_id, False, data.comment)
        return Redirect(f"/review/{response_id}", status_code=303)
