"""Every route, called as every kind of user, answers as its guards say.

The table is generated from the application's own route list: a new route without a guard
fails `test_every_route_is_guarded_or_declared_public` until it gets a guard or is added,
with the reason, to `PUBLIC`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.guards import RoleGuard, requires_login
from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.app import create_app
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

PUBLIC = {
    "/": "start page",
    "/health": "monitoring",
    "/login": "signing in",
    "/logout": "signing out ends a session, whoever calls it",
    "/schema": "the OpenAPI document",
    "/enumerator/sw.js": "the tablet app's service worker must load before sign-in",
    "/enumerator/manifest.webmanifest": "installable app manifest",
}
"""Paths anyone may call, with the reason."""
PUBLIC_PREFIXES = {
    "/s/": "the resident survey (open link, invitation or resume token)",
    "/survey-assets/": "the survey's scripts, shared with the tablet app",
    "/static/": "stylesheets, scripts and icons",
    "/schema/": "the OpenAPI document",
    "/openrosa/": "ODK Collect: HTTP Basic authentication inside the handlers",
}
"""Path prefixes anyone may call, with the reason."""
IDENTITIES = ("anonymous", *(role.value for role in Role))
ALL_ROLES = frozenset(Role)


def _allowed_roles(handler: HTTPRouteHandler, where: str) -> frozenset[Role] | None:
    """Roles the route admits; None when it has no guard at all."""
    guards = [getattr(g, "func", g) for g in handler.resolve_guards()]
    if not guards:
        return None
    allowed = ALL_ROLES
    for guard in guards:
        if isinstance(guard, RoleGuard):
            allowed &= guard.roles
        elif guard is not requires_login:
            raise AssertionError(f"{where}: unknown guard {guard!r}")
    return allowed


def _routes(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, (handler, _) in sorted(route.route_handler_map.items()):
                if method not in ("OPTIONS", "HEAD"):
                    yield str(method), route.path, handler


def _is_public(path: str) -> bool:
    return path in PUBLIC or path.startswith(tuple(PUBLIC_PREFIXES))


def _concrete(path: str) -> str:
    path = re.sub(r"\{[^}:]+:int\}", "999999", path)
    path = re.sub(r"\{[^}:]+:path\}", "minyi.css", path)
    return re.sub(r"\{[^}:]+(:str)?\}", "civilized-city-2026", path)


def test_every_route_is_guarded_or_declared_public(settings: Settings) -> None:
    app = create_app(settings)
    unguarded = [
        f"{method} {path}"
        for method, path, handler in _routes(app)
        if _allowed_roles(handler, f"{method} {path}") is None and not _is_public(path)
    ]
    assert unguarded == [], "give these routes a guard or list them in PUBLIC with the reason"


@pytest.fixture
def tokens(clean_settings: Settings) -> dict[str, str]:
    async def work(db: AsyncSession) -> dict[str, str]:
        made = {}
        for role in Role:
            user = await create_user(
                db, username=f"r-{role.value}", password="pass-word-1", role=role
            )
            await db.commit()
            made[role.value] = (await issue_token(db, user, "route table"))[1]
        return made

    return run_with_session(clean_settings, work)


def test_each_identity_gets_what_the_guards_say(
    clean_settings: Settings, tokens: dict[str, str]
) -> None:
    app = create_app(clean_settings)
    wrong: list[str] = []
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        client.get("/login")
        csrf = client.cookies.get("csrftoken") or ""
        for method, path, handler in _routes(app):
            allowed = _allowed_roles(handler, f"{method} {path}")
            if allowed is None:
                continue
            for identity in IDENTITIES:
                headers = {"accept": "application/json", "x-csrftoken": csrf}
                if identity != "anonymous":
                    headers["authorization"] = f"Bearer {tokens[identity]}"
                status = client.request(method, _concrete(path), headers=headers).status_code
                if identity == "anonymous":
                    expected_ok = status == 401
                elif Role(identity) in allowed:
                    expected_ok = status not in (401, 403)
                else:
                    expected_ok = status == 403
                if not expected_ok:
                    wrong.append(f"{identity:10} {method} {path} -> {status}")
    assert wrong == []
