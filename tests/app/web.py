"""Helpers for driving the web app as a browser would: CSRF tokens and signing in."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from survey_app.accounts import sessions

_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient[Litestar], path: str) -> str:
    page = client.get(path, headers={"accept": "text/html"})
    match = _CSRF_FIELD.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: TestClient[Litestar], username: str, password: str) -> str:
    """Sign in through the form, as a browser does; returns the session cookie it was given."""
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": token},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code in (301, 302, 303), response.text
    return str(response.cookies[sessions.COOKIE_NAME])


_NEW_TOKEN = re.compile(r'id="new-token">([^<]+)<')


def api_token(client: TestClient[Litestar], name: str = "script") -> dict[str, str]:
    """Make an API token on the signed-in user's account page, as a person does before running
    a script; returns the header that sends it (scripts upload files with it: a session cookie
    writes to the API only in JSON from Minyi's own pages)."""
    made = client.post(
        "/account/tokens",
        data={"_csrf_token": csrf_token(client, "/account"), "name": name},
        headers={"accept": "text/html"},
    )
    assert made.status_code == 201, made.text
    match = _NEW_TOKEN.search(made.text)
    assert match, "the account page shows no new token"
    return {"authorization": f"Bearer {match.group(1)}"}
