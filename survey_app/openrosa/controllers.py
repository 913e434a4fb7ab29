"""OpenRosa endpoints as ODK Collect calls them, under `/openrosa/` (the server URL to set).

Every response carries `X-OpenRosa-Version: 1.0`; errors are OpenRosa XML messages, and a
request without valid credentials gets 401 with a Basic challenge (use HTTPS in the field).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, head, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import FromPath, QueryParameter

from survey_app.collection.forms import questionnaire_language
from survey_app.db.dependencies import DbSession
from survey_app.errors import MinyiError, NotAuthenticatedError
from survey_app.i18n import N_, translations
from survey_app.models import User
from survey_app.openrosa import services
from survey_app.pages import request_locale

OPENROSA_VERSION = {"x-openrosa-version": "1.0"}
ACCEPT_CONTENT_LENGTH = 2_000_000
"""Below the app's request limit, leaving room for the multipart envelope."""
RESPONSE_NAMESPACE = "http://openrosa.org/http/response"
XML = "text/xml; charset=utf-8"


def _message(
    text: str, status_code: int, nature: str, headers: dict[str, str] | None = None
) -> Response[bytes]:
    root = ET.Element("OpenRosaResponse", xmlns=RESPONSE_NAMESPACE)
    ET.SubElement(root, "message", nature=nature).text = text
    return Response(
        ET.tostring(root, encoding="utf-8", xml_declaration=True),
        status_code=status_code,
        media_type=XML,
        headers={**OPENROSA_VERSION, **(headers or {})},
    )


def _gettext(request: Request[Any, Any, Any]) -> Any:
    return translations(request_locale(request)).gettext


def _domain_error(request: Request[Any, Any, Any], error: MinyiError) -> Response[bytes]:
    headers = (
        {"www-authenticate": 'Basic realm="Minyi", charset="UTF-8"'}
        if isinstance(error, NotAuthenticatedError)
        else None
    )
    details = "; ".join(f"{d.get('name', '')}: {d.get('message', '')}" for d in error.details)
    text = _gettext(request)(error.message) + (f" ({details})" if details else "")
    return _message(text, error.status_code, "error", headers)


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    text = _gettext(request)(N_("the request cannot be handled"))
    return _message(text, error.status_code, "error")


async def _enumerator(request: Request[Any, Any, Any], db_session: DbSession) -> User:
    return await services.enumerator_from_basic_auth(
        db_session, request.headers.get("authorization")
    )


class OpenRosaController(Controller):
    path = "/openrosa"
    tags = ["ODK Collect (OpenRosa 1.0)"]  # noqa: RUF012 - litestar reads this class attribute
    dependencies = {"enumerator": Provide(_enumerator)}  # noqa: RUF012 - litestar reads this
    exception_handlers = {  # noqa: RUF012 - litestar reads this class attribute
        MinyiError: _domain_error,
        HTTPException: _http_error,
    }

    @get("/formList", media_type=XML)
    async def form_list(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        enumerator: NamedDependency[User],
        form_id: Annotated[str, QueryParameter(name="formID")] = "",
    ) -> Response[bytes]:
        """OpenRosa form discovery: the forms this enumerator can fill in."""
        document = await services.form_list(db_session, enumerator, str(request.base_url), form_id)
        return Response(document, media_type=XML, headers=OPENROSA_VERSION)

    @get("/forms/{version_id:int}/form.xml", media_type=XML)
    async def form(
        self, db_session: DbSession, enumerator: NamedDependency[User], version_id: FromPath[int]
    ) -> Response[bytes]:
        """The XForm of one questionnaire version."""
        document = await services.form_download(db_session, enumerator, version_id)
        return Response(document, media_type=XML, headers=OPENROSA_VERSION)

    @head("/submission", status_code=204)
    async def submission_preflight(self, enumerator: NamedDependency[User]) -> Response[None]:
        """Collect asks first: are my credentials good, and how large may a submission be?"""
        del enumerator  # the dependency has authenticated the request
        return Response(
            None,
            status_code=204,
            headers={
                **OPENROSA_VERSION,
                "x-openrosa-accept-content-length": str(ACCEPT_CONTENT_LENGTH),
            },
        )

    @post("/submission")
    async def submission(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        enumerator: NamedDependency[User],
    ) -> Response[bytes]:
        """A multipart POST with `xml_submission_file` (and attachments): 201, 202 again, 409."""
        fields = await request.form()
        upload = fields.get("xml_submission_file")
        xml = await upload.read() if isinstance(upload, UploadFile) else None
        attachments = sum(1 for key in fields if key != "xml_submission_file")
        accepted = await services.receive_submission(
            db_session,
            enumerator,
            xml,
            attachments,
            questionnaire_language(request_locale(request)),
        )
        gettext = _gettext(request)
        return _message(
            gettext(N_("Form received.") if accepted.created else N_("Form already received.")),
            201 if accepted.created else 202,
            "submit_success",
            {"x-openrosa-accept-content-length": str(ACCEPT_CONTENT_LENGTH)},
        )
