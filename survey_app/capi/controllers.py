"""The tablet app: its page, service worker and manifest, and the JSON API it syncs with."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import JSONBody
from litestar.response import Template

from survey_app.accounts.guards import enumerators_only
from survey_app.capi import services
from survey_app.capi.app_files import manifest, service_worker
from survey_app.capi.schemas import Bootstrap, ReviewStates, SyncRequest, SyncResult
from survey_app.db.dependencies import DbSession
from survey_app.fieldwork.services import assignments_for
from survey_app.http_errors import error_responses
from survey_app.pages import page, request_locale

_NO_CACHE = {"cache-control": "no-cache"}
ERRORS = error_responses()


class EnumeratorAppController(Controller):
    path = "/enumerator"
    include_in_schema = False

    @get("/", guards=[enumerators_only])
    async def app(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        assignments = await assignments_for(db_session, request.user.id)
        return page(request, "capi/app.html", assignments=assignments)

    @get("/sw.js", exclude_from_auth=True)
    async def service_worker(self) -> Response[bytes]:
        return Response(
            service_worker(),
            media_type="text/javascript; charset=utf-8",
            headers={**_NO_CACHE, "service-worker-allowed": "/enumerator"},
        )

    @get("/manifest.webmanifest", exclude_from_auth=True)
    async def manifest(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return Response(
            manifest(request_locale(request)),
            media_type="application/manifest+json",
            headers=_NO_CACHE,
        )


class CapiApiController(Controller):
    """JSON for the tablet app; the session cookie says who the enumerator is."""

    path = "/api/capi"
    guards = [enumerators_only]  # noqa: RUF012 - litestar reads this class attribute
    tags = ["tablet app"]  # noqa: RUF012 - litestar reads this class attribute

    @get("/bootstrap", responses=ERRORS)
    async def bootstrap(self, request: Request[Any, Any, Any], db_session: DbSession) -> Bootstrap:
        """Assignments with quota cells, questionnaires and dispositions for offline work."""
        user = request.user
        return await services.bootstrap(
            db_session, user.id, user.username, user.display_name, request_locale(request)
        )

    @post("/interviews", status_code=200, responses=ERRORS)
    async def upload(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: JSONBody[SyncRequest]
    ) -> SyncResult:
        """Store each interview once; the result says, item by item, what became of it."""
        return await services.receive_batch(
            db_session, request.user.id, data, request_locale(request)
        )

    @get("/reviews", media_type=MediaType.JSON, responses=ERRORS)
    async def reviews(self, request: Request[Any, Any, Any], db_session: DbSession) -> ReviewStates:
        """Review states of the enumerator's interviews; rejected ones come back in full."""
        return await services.review_states(db_session, request.user.id)
