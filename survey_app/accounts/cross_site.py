"""Cross-site request forgery where litestar's CSRF check is off.

Devices call `/api/` and `/openrosa/` with a bearer token or Basic credentials, so litestar's
cookie-and-token check leaves those addresses out. Two kinds of credentials there are sent by a
browser of its own accord, and so could ride on a call another site makes it send:

- the session cookie (the tablet app posts its interviews with it): a call that changes
  something is taken only when its body is JSON (a cross-site form cannot send that type, and
  a cross-site script could only after a CORS preflight, which Minyi never answers) and the
  browser, if it says where the call comes from (`Sec-Fetch-Site`), says from this site's pages;
- Basic credentials a browser remembers after OpenRosa's challenge: such a call is refused when
  the browser says it comes from another site (ODK Collect sends no `Sec-Fetch-Site`).

A bearer token is never sent by a browser of its own accord.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from survey_app.errors import PermissionDeniedError
from survey_app.i18n import N_

CSRF_EXEMPT_PREFIXES = ("/api/", "/openrosa/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE = frozenset({"same-origin", "none"})
"""`Sec-Fetch-Site` values of a call from the site's own pages, or one the user typed."""
CROSS_SITE_WRITE = N_(
    "a signed-in browser may change things at this address only by sending JSON from "
    "Minyi's own pages; scripts and devices sign in with an API token"
)
CROSS_SITE_SUBMISSION = N_(
    "this address takes submissions from devices such as ODK Collect, not from other web sites"
)


def refuse_cross_site_write(
    connection: ASGIConnection[Any, Any, Any, Any], *, by_cookie: bool
) -> None:
    """Raise when a write to a CSRF-exempt address, made with credentials a browser sends of
    its own accord (`by_cookie`: the session cookie; else remembered Basic credentials), could
    have been forged by another site."""
    if connection.scope.get("method") in SAFE_METHODS:
        return
    if not connection.scope["path"].startswith(CSRF_EXEMPT_PREFIXES):
        return
    fetch_site = connection.headers.get("sec-fetch-site", "same-origin").strip().lower()
    if not by_cookie:
        if fetch_site not in SAME_SITE:
            raise PermissionDeniedError(CROSS_SITE_SUBMISSION)
        return
    media_type = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" or fetch_site not in SAME_SITE:
        raise PermissionDeniedError(CROSS_SITE_WRITE)
