"""The enumerator's start page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from survey_app.accounts.guards import enumerators_only
from survey_app.db.dependencies import DbSession
from survey_app.fieldwork import services
from survey_app.pages import page


class EnumeratorController(Controller):
    path = "/enumerator"
    guards = [enumerators_only]  # noqa: RUF012 - litestar reads this class attribute
    include_in_schema = False

    @get("/")
    async def assignments(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        views = await services.assignments_for(db_session, request.user.id)
        return page(request, "enumerator/assignments.html", assignments=views)
