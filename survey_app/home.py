"""The landing page: where each kind of user goes next."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from survey_app.db.dependencies import DbSession
from survey_app.pages import page
from survey_app.surveys.services import list_open_surveys


@get("/", exclude_from_auth=False, include_in_schema=False)
async def home(request: Request[Any, Any, Any], db_session: DbSession) -> Template:
    return page(request, "home.html", surveys=await list_open_surveys(db_session))
