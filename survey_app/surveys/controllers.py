"""Survey pages: the staff overview and the resident entry page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from survey_app.accounts.guards import staff_only
from survey_app.db.dependencies import DbSession
from survey_app.pages import page
from survey_app.surveys import services


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
