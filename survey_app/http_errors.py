"""The one mapping from errors to HTTP responses: a message for people, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.response import Redirect
from litestar.serialization import decode_json
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from survey_app.errors import MinyiError, NotAuthenticatedError
from survey_app.i18n import N_, translations
from survey_app.openrosa import responses as openrosa
from survey_app.pages import page, request_locale

logger = logging.getLogger("survey_app.errors")
OPENROSA_PREFIX = "/openrosa/"

_HTTP_MESSAGES = {
    400: N_("the request is malformed"),
    401: N_("please sign in first"),
    403: N_("you are not allowed to do this"),
    404: N_("there is nothing at this address"),
    405: N_("this address does not accept that method"),
    413: N_("the request is too large"),
    429: N_("too many requests; please wait a moment"),
}
_DOCUMENTED_ERRORS = {
    400: "The request is malformed or a parameter is invalid; the details name it.",
    401: "No valid session, API token or credentials.",
    403: "The user's role does not allow this.",
    404: "There is nothing at this address.",
    409: "It conflicts with what is stored.",
    413: "The request is too large.",
    422: "The input breaks a rule; the details list every problem.",
}
"""The client errors every API route documents (descriptions for the OpenAPI document)."""
NOT_UTF8 = N_("the request body is not valid UTF-8")
TOO_DEEP = N_("the request body is nested too deeply")
DATABASE_UNAVAILABLE = N_("the database cannot be reached just now; please try again shortly")
CLIENT_GONE = "client disconnected prematurely"
"""litestar's detail when the client hung up before sending its whole body (nobody to answer)."""
UNSTORABLE_VALUE = N_(
    "the request holds a value that cannot be stored (a control character, or a number or "
    "text too large)"
)


class ErrorBody(msgspec.Struct, frozen=True):
    """The body of every JSON error: the status again, a message for people, and details
    (`field` or `name` and `message`, XLSForm problems with `sheet`, `row`, `column`)."""

    error: int
    message: str
    details: list[dict[str, Any]]


def error_responses(media_type: str = MediaType.JSON) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the client errors a route may answer with, for `responses=`.

    JSON routes answer with `ErrorBody`; OpenRosa routes pass their XML media type."""
    container: Any = ErrorBody if media_type == MediaType.JSON else str
    return {
        status: ResponseSpec(
            data_container=container,
            description=description,
            media_type=media_type,
            generate_examples=False,
        )
        for status, description in _DOCUMENTED_ERRORS.items()
    }


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith(("/api/", OPENROSA_PREFIX)):
        return False
    return "text/html" in request.headers.get("accept", "")


def _openrosa_error(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    details: list[dict[str, Any]],
    headers: Mapping[str, str] | None,
) -> Response[bytes]:
    """ODK Collect shows the message to the enumerator: translated, with the details."""
    named = "; ".join(
        f"{d.get('name') or d.get('field', '')}: {d.get('message', '')}" for d in details
    )
    text = translations(request_locale(request)).gettext(message)
    challenge = openrosa.BASIC_CHALLENGE if status_code == HTTP_401_UNAUTHORIZED else {}
    return openrosa.message(
        text + (f" ({named})" if named else ""),
        status_code,
        "error",
        {**challenge, **(headers or {})},
    )


def _respond(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    details: list[dict[str, Any]],
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    if request.url.path.startswith(OPENROSA_PREFIX):
        return _openrosa_error(request, status_code, message, details, headers)
    if _wants_html(request):
        response = page(request, "error.html", status_code=status_code, message=message)
        response.headers.update(headers or {})
        return response
    return Response(
        {"error": status_code, "message": message, "details": details},
        status_code=status_code,
        media_type=MediaType.JSON,
        headers=headers,
    )


def handle_domain_error(request: Request[Any, Any, Any], error: MinyiError) -> Response[Any]:
    if isinstance(error, NotAuthenticatedError) and _wants_html(request):
        if request.method not in ("GET", "HEAD"):
            return Redirect("/login")  # signing in cannot resend the form that was posted
        return Redirect(f"/login?next={quote(request.url.path)}")
    return _respond(request, error.status_code, error.message, error.details)


def handle_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status_code = error.status_code
    if status_code >= HTTP_500_INTERNAL_SERVER_ERROR and error.detail == CLIENT_GONE:
        logger.info("client disconnected mid-request", extra={"path": request.url.path})
        return _respond(request, HTTP_400_BAD_REQUEST, _HTTP_MESSAGES[400], [])
    if status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        return handle_unexpected(request, error)
    details: list[dict[str, Any]] = []
    message = _HTTP_MESSAGES.get(status_code, N_("the request cannot be handled"))
    if isinstance(error, ValidationException):
        extra = error.extra if isinstance(error.extra, list) else []
        details = [
            {"field": item.get("key", ""), "message": _validation_message(item)}
            for item in extra
            if isinstance(item, dict)
        ]
        message = (
            "the request is invalid: "
            + "; ".join(
                f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details
            )
            if details
            else message
        )
    elif error.detail and status_code == 403 and "CSRF" in error.detail:
        message = N_("the form has expired; reload the page and try again")
    return _respond(request, status_code, message, details, error.headers)


def _validation_message(item: dict[str, Any]) -> str:
    """Litestar's message for one field; a missing field comes as its quoted name alone."""
    message = str(item.get("message", ""))
    return "is missing" if message == repr(item.get("key")) else message


def _raised_by(error: BaseException, function: Any) -> bool:
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code is function.__code__:
            return True
        frame = frame.tb_next
    return False


def handle_unreadable_body(
    request: Request[Any, Any, Any], error: UnicodeDecodeError | RecursionError
) -> Response[Any]:
    """Bytes that are not UTF-8, or JSON nested deeper than the decoder goes, are the client's
    fault when litestar's JSON decoder raised them (its own handling lets them through)."""
    if not _raised_by(error, decode_json):
        return handle_unexpected(request, error)
    message = NOT_UTF8 if isinstance(error, UnicodeDecodeError) else TOO_DEEP
    return _respond(request, HTTP_400_BAD_REQUEST, message, [])


def handle_database_error(request: Request[Any, Any, Any], error: DBAPIError) -> Response[Any]:
    """A value the database refuses (SQLSTATE class 22 "data exception", or one the driver
    cannot send, such as an integer out of range) came from the request: a 400, not a 500.
    A connection the database dropped (a restart) is a 503 the client may retry.

    The failing statement's transaction is rolled back. The refusal is logged: it is a sign
    that a check at the boundary is missing."""
    if error.connection_invalidated:
        logger.warning(
            "database connection lost; the pool starts afresh",
            extra={"path": request.url.path, "error": str(error.orig).splitlines()[0]},
        )
        return _respond(
            request, HTTP_503_SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE, [], {"Retry-After": "5"}
        )
    original = error.orig
    sqlstate = str(getattr(original, "sqlstate", None) or "")
    if not (
        sqlstate.startswith("22") or isinstance(getattr(original, "__cause__", None), ValueError)
    ):
        return handle_unexpected(request, error)
    return _unstorable(request, error)


def handle_overflow(request: Request[Any, Any, Any], error: OverflowError) -> Response[Any]:
    """SQLite's driver refuses an integer past 64 bits (an id in a path, say) itself, with an
    OverflowError rather than a database error: the same 400."""
    if "SQLite INTEGER" not in str(error):
        return handle_unexpected(request, error)
    return _unstorable(request, error)


def _unstorable(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    logger.warning(
        "value refused by the database",
        exc_info=(type(error), error, error.__traceback__),
        extra={"path": request.url.path, "method": request.method},
    )
    return _respond(request, HTTP_400_BAD_REQUEST, UNSTORABLE_VALUE, [])


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    logger.error(
        "unhandled error",
        exc_info=(type(error), error, error.__traceback__),
        extra={"path": request.url.path, "method": request.method},
    )
    return _respond(request, 500, N_("something went wrong on our side; it has been logged"), [])


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    MinyiError: handle_domain_error,
    HTTPException: handle_http_exception,
    UnicodeDecodeError: handle_unreadable_body,
    RecursionError: handle_unreadable_body,
    DBAPIError: handle_database_error,
    OverflowError: handle_overflow,
    Exception: handle_unexpected,
}
