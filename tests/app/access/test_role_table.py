"""Every route, called as each of seven identities on a small real world, answers as its guards
and object rules say (`tests/app/access/routes.py` states the rules).

The table is generated from the application's own route list: a new route without a guard
fails until it gets one or is declared public with the reason, and a new route naming an
object fails until it has an object rule or is listed with the reason it needs none. The
table runs twice: signed in with a bearer token, and signed in through `/login` (session
cookie, CSRF token) as a browser is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest

from survey_app.accounts import sessions
from survey_app.app import create_app
from survey_app.settings import Settings
from tests.app.access.routes import (
    BASIC_AUTH_PREFIX,
    FORMS,
    NO_OBJECT_RULE,
    NOT_OBJECTS,
    OBJECT_RULES,
    Route,
    cases,
    expected,
    routes,
)
from tests.app.access.world import IDENTITIES, PASSWORD, USERNAMES, World, build_world, client_for
from tests.app.web import sign_in

pytestmark = pytest.mark.db

Call = Callable[[Route, str, str], httpx.Response]
SIGNED_OUT = ("anonymous", "resident")


def test_every_route_is_guarded_or_declared_public(settings: Settings) -> None:
    unguarded = [
        str(route)
        for route in routes(create_app(settings))
        if route.allowed is None and not route.is_public
    ]
    assert unguarded == [], "give these routes a guard or list them in PUBLIC with the reason"


def test_every_route_naming_an_object_has_a_rule_or_a_reason(settings: Settings) -> None:
    undecided = [
        str(route)
        for route in routes(create_app(settings))
        if route.parameters - set(NOT_OBJECTS)
        and route.path not in OBJECT_RULES
        and route.path not in NO_OBJECT_RULE
    ]
    assert undecided == [], "add these to OBJECT_RULES, or to NO_OBJECT_RULE with the reason"


def test_the_rule_lists_name_only_routes_that_exist(settings: Settings) -> None:
    paths = {route.path for route in routes(create_app(settings))}
    assert set(OBJECT_RULES) - paths == set()
    assert set(NO_OBJECT_RULE) - paths == set()
    assert set(FORMS) - paths == set()


@pytest.fixture
def world(clean_settings: Settings) -> World:
    return build_world(clean_settings)


@contextmanager
def caller(world: World, identity: str, *, session: bool = False) -> Iterator[Call]:
    """Requests as `identity`: signed in (bearer token, or session cookie when `session`),
    with the resident's cookies, or with nothing. Signing out ends the session for good, so
    the calls after `POST /logout` sign in again."""
    cookies = world.resident_cookies if identity == "resident" else {}
    with client_for(world, **cookies) as client:
        headers: dict[str, str] = {}
        if identity in USERNAMES and session:
            sign_in(client, USERNAMES[identity], PASSWORD)
            assert sessions.COOKIE_NAME in client.cookies
        elif identity in USERNAMES:
            headers["authorization"] = f"Bearer {world.tokens[identity]}"
        if "csrftoken" not in client.cookies:
            client.get("/login")
        kept = dict(client.cookies)
        headers["x-csrftoken"] = kept["csrftoken"]

        def signed_in() -> bool:
            client.cookies.update(kept)
            return client.get("/account", follow_redirects=False).status_code == 200

        def call(route: Route, path: str, accept: str) -> httpx.Response:
            client.cookies.update(kept)
            sent = {**headers, "accept": accept}
            if route.method == "GET":
                return client.get(path, headers=sent, follow_redirects=False)
            if route.is_api:
                return client.request(route.method, path, headers=sent, json={})
            form = {"_csrf_token": kept["csrftoken"], **FORMS.get(route.path, {})}
            response = client.request(
                route.method, path, headers=sent, data=form, follow_redirects=False
            )
            if str(route) == "POST /logout" and sessions.COOKIE_NAME in kept:
                assert not signed_in(), "the session outlived signing out"
                kept[sessions.COOKIE_NAME] = sign_in(client, USERNAMES[identity], PASSWORD)
            return response

        yield call


def _accepts(route: Route, identity: str) -> tuple[str, ...]:
    if route.is_api:
        return ("application/json",)
    if identity in SIGNED_OUT:
        return ("text/html", "application/json")
    return ("text/html",)


def _meets(response: httpx.Response, want: str, route: Route, path: str, accept: str) -> bool:
    status = response.status_code
    location = response.headers.get("location", "")
    if want == "sign in":
        if accept == "text/html" and not route.is_api:
            back = f"?next={quote(path)}" if route.method in ("GET", "HEAD") else ""
            return status in (302, 303) and location == f"/login{back}"
        return status == 401
    if want in ("403", "404"):
        return status == int(want)
    if want == "refused":
        return status in (401, 429)
    if want == "ok":
        return 200 <= status < 400 and not location.startswith("/login")
    return status < 500 and status not in (401, 403, 404)


def _run_table(world: World, identities: tuple[str, ...], *, session: bool) -> list[str]:
    table = [
        (route, case)
        for route in routes(create_app(world.settings))
        if not (session and route.path.startswith(BASIC_AUTH_PREFIX))
        for case in cases(route, world)
    ]
    wrong: list[str] = []
    checked = 0
    for identity in identities:
        with caller(world, identity, session=session) as call:
            for route, case in table:
                want = expected(route, case, identity)
                for accept in _accepts(route, identity):
                    response = call(route, case.path, accept)
                    checked += 1
                    if not _meets(response, want, route, case.path, accept):
                        wrong.append(
                            f"{identity:12} {route.method:5} {case.path} ({accept}): "
                            f"{response.status_code}, expected {want}"
                        )
    assert table
    assert checked >= len(table) * len(identities)
    return wrong


@pytest.mark.slow
def test_each_identity_gets_what_the_guards_and_object_rules_say(world: World) -> None:
    wrong = _run_table(world, IDENTITIES, session=False)
    assert wrong == [], "\n".join(wrong)


@pytest.mark.slow
def test_signed_in_through_the_login_page_the_table_is_the_same(world: World) -> None:
    wrong = _run_table(world, tuple(USERNAMES), session=True)
    assert wrong == [], "\n".join(wrong)
