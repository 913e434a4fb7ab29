"""The resident's survey page: open link, consent, questions, thank-you."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey_app.collection import services
from survey_app.collection.forms import (
    FIELD_PREFIX,
    answers_from_form,
    questionnaire_language,
    shown_value,
)
from survey_app.db.dependencies import DbSession
from survey_app.pages import page, request_locale


class ResidentSurveyController(Controller):
    path = "/s"
    include_in_schema = False

    @get("/{slug:str}")
    async def form(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template:
        target = await services.open_link_survey(db_session, slug)
        return page(
            request,
            "survey/form.html",
            survey=target.survey,
            form=target.questionnaire,
            language=questionnaire_language(request_locale(request)),
            response_uuid=str(uuid.uuid4()),
            started_at=dt.datetime.now(dt.UTC).isoformat(),
            answers={},
            problems={},
            consent=False,
            shown_value=shown_value,
            field_prefix=FIELD_PREFIX,
        )

    @post("/{slug:str}")
    async def submit(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template | Redirect:
        target = await services.open_link_survey(db_session, slug)
        fields = await request.form()
        posted = {key: fields.getall(key) for key in fields}
        language = questionnaire_language(request_locale(request))
        web_form = services.WebForm(
            response_uuid=str(fields.get("response_uuid", "")),
            started_at=str(fields.get("started_at", "")),
            consent=fields.get("consent") == "yes",
            answers=answers_from_form(target.questionnaire, posted),
        )
        stored, problems = await services.submit_open_link(db_session, target, web_form, language)
        if stored is None:
            return page(
                request,
                "survey/form.html",
                status_code=422,
                survey=target.survey,
                form=target.questionnaire,
                language=language,
                response_uuid=web_form.response_uuid,
                started_at=web_form.started_at,
                answers=web_form.answers,
                problems=problems,
                consent=web_form.consent,
                shown_value=shown_value,
                field_prefix=FIELD_PREFIX,
            )
        return Redirect(f"/s/{slug}/thanks", status_code=303)

    @get("/{slug:str}/thanks")
    async def thanks(
        self, request: Request[Any, Any, Any], db_session: DbSession, slug: FromPath[str]
    ) -> Template:
        target = await services.open_link_survey(db_session, slug)
        return page(request, "survey/thanks.html", survey=target.survey)
