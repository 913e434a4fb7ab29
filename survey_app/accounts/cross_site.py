"""Cross-site request forgery where litestar's CSRF check is off.

Devices call `/api/` and `/openrosa/` with a bearer token or Basic credentials, which a page on
another site cannot make a browser send, so litestar's cookie-and-token check leaves those
addresses out. A browser signed in with the session cookie may call them too (the tablet app
posts its interviews with its cookie). Such a call that changes something is taken only when a
page on another site could not have sent it: its body is JSON (a cross-site form cannot send
that type, and a cross-site script could only after a CORS preflight, which Minyi never
answers) and the browser, if it says where the call comes from (`Sec-Fetch-Site`), says from
this site's own pages.
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


def refuse_cross_site_write(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Raise when a call authenticated by the session cookie could have been forged by another
    site: a write to a CSRF-exempt address that is not JSON, or that the browser says came from
    elsewhere."""
    if connection.scope.get("method") in SAFE_METHODS:
        return
    if not connection.scope["path"].startswith(CSRF_EXEMPT_PREFIXES):
        return
    media_type = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    fetch_site = connection.headers.get("sec-fetch-site", "same-origin").strip().lower()
    if media_type != "application/json" or fetch_site not in SAME_SITE:
        raise PermissionDeniedError(CROSS_SITE_WRITE)
