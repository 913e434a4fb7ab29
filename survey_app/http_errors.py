"""The one mapping from errors to HTTP responses: a message for people, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from survey_app.errors import MinyiError, NotAuthenticatedError
from survey_app.i18n import N_
from survey_app.pages import page

logger = logging.getLogger("survey_app.errors")

_HTTP_MESSAGES = {
    400: N_("the request is malformed"),
    401: N_("please sign in first"),
    403: N_("you are not allowed to do this"),
    404: N_("there is nothing at this address"),
    405: N_("this address does not accept that method"),
    413: N_("the request is too large"),
    429: N_("too many requests; please wait a moment"),
}


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith(("/api/", "/openrosa/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _respond(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    details: list[dict[str, Any]],
) -> Response[Any]:
    if _wants_html(request):
        return page(request, "error.html", status_code=status_code, message=message)
    return Response(
        {"error": status_code, "message": message, "details": details},
        status_code=status_code,
        media_type=MediaType.JSON,
    )


def handle_domain_error(request: Request[Any, Any, Any], error: MinyiError) -> Response[Any]:
    if isinstance(error, NotAuthenticatedError) and _wants_html(request):
        return Redirect(f"/login?next={quote(request.url.path)}")
    return _respond(request, error.status_code, error.message, error.details)


def handle_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status_code = error.status_code
    if status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        return handle_unexpected(request, error)
    details: list[dict[str, Any]] = []
    message = _HTTP_MESSAGES.get(status_code, N_("the request cannot be handled"))
    if isinstance(error, ValidationException):
        extra = error.extra if isinstance(error.extra, list) else []
        details = [
            {"field": item.get("key", ""), "message": item.get("message", "")}
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
    return _respond(request, status_code, message, details)


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
    Exception: handle_unexpected,
}
