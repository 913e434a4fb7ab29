"""OpenRosa endpoints as ODK Collect calls them, under `/openrosa/` (the server URL to set).

Every response carries `X-OpenRosa-Version: 1.0`; errors are OpenRosa XML messages (made by
`survey_app.http_errors`, for every path under `/openrosa/`), and a request without valid
credentials gets 401 with a Basic challenge (use HTTPS in the field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, head, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, QueryParameter

from survey_app.collection.forms import questionnaire_language
from survey_app.db.dependencies import DbSession
from survey_app.http_errors import error_responses
from survey_app.i18n import N_, translations
from survey_app.models import User
from survey_app.openrosa import services
from survey_app.openrosa.responses import OPENROSA_VERSION, XML, message
from survey_app.pages import request_locale

ACCEPT_CONTENT_LENGTH = 2_000_000
"""Below the app's request limit, leaving room for the multipart envelope."""
ERRORS = error_responses(XML)
"""Every error is an `OpenRosaResponse` XML message."""
ALREADY_RECEIVED = {
    202: ResponseSpec(
        data_container=str,
        description="The same submission was received before (a retry).",
        media_type=XML,
        generate_examples=False,
    )
}


@dataclass
class _SubmissionOperation(Operation):
    """The submission's body as Collect sends it (the handler reads the form itself, as
    attachments come under names of their own)."""

    def __post_init__(self) -> None:
        upload = Schema(type=OpenAPIType.STRING, content_media_type="application/octet-stream")
        self.request_body = RequestBody(
            required=True,
            content={
                RequestEncodingType.MULTI_PART: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["xml_submission_file"],
                        properties={"xml_submission_file": upload},
                        additional_properties=upload,
                    )
                )
            },
        )


async def _enumerator(request: Request[Any, Any, Any], db_session: DbSession) -> User:
    return await services.enumerator_from_basic_auth(
        db_session, request.headers.get("authorization")
    )


class OpenRosaController(Controller):
    path = "/openrosa"
    tags = ["ODK Collect (OpenRosa 1.0)"]  # noqa: RUF012 - litestar reads this class attribute
    dependencies = {"enumerator": Provide(_enumerator)}  # noqa: RUF012 - litestar reads this

    @get("/formList", media_type=XML, responses=ERRORS)
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

    @get("/forms/{version_id:int}/form.xml", media_type=XML, responses=ERRORS)
    async def form(
        self, db_session: DbSession, enumerator: NamedDependency[User], version_id: FromPath[int]
    ) -> Response[bytes]:
        """The XForm of one questionnaire version."""
        document = await services.form_download(db_session, enumerator, version_id)
        return Response(document, media_type=XML, headers=OPENROSA_VERSION)

    @head(
        "/submission",
        status_code=204,
        responses=ERRORS,
        response_headers={
            **OPENROSA_VERSION,
            "x-openrosa-accept-content-length": str(ACCEPT_CONTENT_LENGTH),
        },
    )
    async def submission_preflight(self, enumerator: NamedDependency[User]) -> None:
        """Collect asks first: are my credentials good, and how large may a submission be?"""
        del enumerator  # the dependency has authenticated the request

    @post(
        "/submission",
        media_type=XML,
        responses={**ERRORS, **ALREADY_RECEIVED},
        operation_class=_SubmissionOperation,
    )
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
        gettext = translations(request_locale(request)).gettext
        return message(
            gettext(N_("Form received.") if accepted.created else N_("Form already received.")),
            201 if accepted.created else 202,
            "submit_success",
            {"x-openrosa-accept-content-length": str(ACCEPT_CONTENT_LENGTH)},
        )
