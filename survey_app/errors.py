"""One domain exception hierarchy, and the one place that maps it to HTTP responses."""

from __future__ import annotations

from typing import Any


class MinyiError(Exception):
    """Base of every error Minyi reports to a user; `message` is safe to show."""

    status_code = 400

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class ConfigurationError(MinyiError):
    """A setting (environment variable, command-line option) is wrong."""


class DatabaseUnavailableError(MinyiError):
    """The database cannot be reached or is not migrated."""

    status_code = 503


class MalformedRequestError(MinyiError):
    """The request cannot be taken as sent (a character or structure nothing can store)."""


class UnsupportedMediaTypeError(MinyiError):
    """The body is not of a kind the address reads (JSON where a form is expected)."""

    status_code = 415


class InvalidInputError(MinyiError):
    """Input was understood but breaks a rule; `details` lists every problem."""

    status_code = 422


class NotFoundError(MinyiError):
    status_code = 404


class ConflictError(MinyiError):
    status_code = 409


class NotAuthenticatedError(MinyiError):
    status_code = 401


class PermissionDeniedError(MinyiError):
    status_code = 403


class TooManyRequestsError(MinyiError):
    """Too many attempts in a short time; the message says how long to wait."""

    status_code = 429
