"""The route table: every route of the app, who may call it, and whose objects it names.

Rules, one per kind of route:

- A route with a role guard lets its roles in; any other signed-in role gets 403. Nobody signed
  in (anonymous, or a resident, who has no account) gets 401 from `/api/` and, asking for a
  page, a redirect to `/login?next=<path>` (to `/login` after a POST, which signing in could
  not resend; the same route asked for JSON answers 401).
- A route that names an object (an id or token in its path) is either in `OBJECT_RULES` (only
  some of the users its guard lets in may touch that object; the others get 404, because the
  app does not say whether an object it will not show exists) or in `NO_OBJECT_RULE` with the
  reason why every user its guard lets in may touch every such object.
- Public routes (`PUBLIC`, `PUBLIC_PREFIXES`) answer everyone alike; the resident's
  questionnaire opens under its own survey's address only (404 under another survey's).
- `/openrosa/` authenticates inside its handlers with HTTP Basic (enumerators only): a session
  cookie or bearer token is no credential there (401).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from survey_app.accounts.guards import RoleGuard, requires_login
from survey_app.models.accounts import Role
from tests.app.access.world import OTHER_SLUG, ROLES, SLUG, Side, World

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
BASIC_AUTH_PREFIX = "/openrosa/"
ALL_ROLES = frozenset(Role)


class ObjectRule(enum.Enum):
    """Who, among the users a route's guard lets in, may touch one particular object."""

    TEAM = "an interview: its enumerator's supervisor and administrators"
    OWNER = "an API token: its owner"
    RESIDENT_TOKEN = "an invitation or resume token: under its own survey's address only"
    ASSIGNED_SURVEY = "a form: enumerators with an assignment in an open wave of its survey"
    """OpenRosa takes HTTP Basic credentials only, so the table sees 401 there; the rule is
    checked with Basic credentials in `test_own_objects`."""


OBJECT_RULES = {
    "/review/{response_id:int}": ObjectRule.TEAM,
    "/review/{response_id:int}/approve": ObjectRule.TEAM,
    "/review/{response_id:int}/reject": ObjectRule.TEAM,
    "/account/tokens/{token_id:int}/revoke": ObjectRule.OWNER,
    "/s/{slug:str}/i/{token:str}": ObjectRule.RESIDENT_TOKEN,
    "/s/{slug:str}/r/{resume:str}": ObjectRule.RESIDENT_TOKEN,
    "/s/{slug:str}/r/{resume:str}/{page_name:str}": ObjectRule.RESIDENT_TOKEN,
    "/s/{slug:str}/saved/{resume:str}": ObjectRule.RESIDENT_TOKEN,
    "/openrosa/forms/{version_id:int}/form.xml": ObjectRule.ASSIGNED_SURVEY,
}
"""Routes naming an object that only some of the users let in by the guard may touch."""
_SURVEYS = "surveys are the whole survey group's work: every analyst and administrator edits all"
_ANALYSIS = "weighting runs, reports and exports are shared by every analyst and administrator"
_DESIGN = "frames and sample designs are shared by every analyst and administrator"
NO_OBJECT_RULE = {
    "/admin/users/{user_id:int}": "administrators manage every account",
    "/admin/users/{user_id:int}/password": "administrators reset anyone's password",
    "/admin/surveys/{slug:str}": _SURVEYS,
    "/admin/surveys/{slug:str}/download": _SURVEYS,
    "/admin/surveys/{slug:str}/indicators": _SURVEYS,
    "/admin/surveys/{slug:str}/indicators/new": _SURVEYS,
    "/admin/surveys/{slug:str}/indicators/{code:str}": _SURVEYS,
    "/admin/surveys/{slug:str}/versions": _SURVEYS,
    "/admin/surveys/{slug:str}/versions/frame": _SURVEYS,
    "/admin/surveys/{slug:str}/versions/{version_id:int}": _SURVEYS,
    "/admin/surveys/{slug:str}/wave": _SURVEYS,
    "/api/surveys/{slug:str}": _SURVEYS,
    "/api/surveys/{slug:str}/indicators": _SURVEYS,
    "/api/surveys/{slug:str}/indicators/{code:str}": _SURVEYS,
    "/api/surveys/{slug:str}/questionnaire": _SURVEYS,
    "/api/surveys/{slug:str}/versions": _SURVEYS,
    "/api/surveys/{slug:str}/versions/frame": _SURVEYS,
    "/analysis/runs/{run_id:int}/estimates": _ANALYSIS,
    "/analysis/runs/{run_id:int}/export/{kind:str}": _ANALYSIS,
    "/analysis/runs/{run_id:int}/report/{kind:str}": _ANALYSIS,
    "/design/{design_id:int}": _DESIGN,
    "/design/{design_id:int}/assign": _DESIGN,
    "/design/{design_id:int}/draw": _DESIGN,
    "/design/{design_id:int}/sheet": _DESIGN,
    "/design/frames/{frame_id:int}/csv": _DESIGN,
    "/s/{slug:str}": "the open link: anyone may answer a published survey",
}
"""Routes naming an object with no object-level rule, with the reason."""
NOT_OBJECTS = {
    "file_path": "a static file",
    "path": "a renderer of the OpenAPI document",
    "page_name": "a page of the questionnaire the resume token opens",
    "kind": "a file format",
}
"""Path parameters that name no stored object."""
FORMS = {
    "/admin/surveys/{slug:str}/wave": {"open": "yes"},
}
"""Form bodies for the POSTs an empty form would let change the world (closing the wave would
close the resident's questionnaire for the routes after it): each keeps the world as it is."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: HTTPRouteHandler

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_public(self) -> bool:
        return self.path in PUBLIC or self.path.startswith(tuple(PUBLIC_PREFIXES))

    @property
    def is_api(self) -> bool:
        return self.path.startswith(("/api/", BASIC_AUTH_PREFIX))

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"\{([^}:]+)", self.path))

    @property
    def allowed(self) -> frozenset[Role] | None:
        """Roles the guards admit; None when the route has no guard at all."""
        guards = [getattr(g, "func", g) for g in self.handler.resolve_guards()]
        if not guards:
            return None
        allowed = ALL_ROLES
        for guard in guards:
            if isinstance(guard, RoleGuard):
                allowed &= guard.roles
            elif guard is not requires_login:
                raise AssertionError(f"{self}: unknown guard {guard!r}")
        return allowed


def routes(app: Litestar) -> Iterator[Route]:
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, (handler, _) in sorted(route.route_handler_map.items()):
                if method not in ("OPTIONS", "HEAD"):
                    yield Route(str(method), route.path, handler)


@dataclass(frozen=True)
class Case:
    """One concrete request of a route; `visible_to` None means everyone the guard lets in."""

    path: str
    visible_to: frozenset[str] | None = None


def _fill(path: str, world: World, side: Side, slug: str = SLUG) -> str:
    values = {
        "slug": slug,
        "user_id": side.user_id,
        "token_id": side.spare_token_id,
        "response_id": side.interview_id,
        "version_id": world.version_id,
        "code": world.indicator_code,
        "run_id": world.run_id,
        "design_id": world.design_id,
        "frame_id": world.frame_id,
        "token": world.invitation,
        "resume": world.resume,
        "page_name": world.resume_page,
        "file_path": "minyi.css",
        "path": "openapi.json",
        "kind": "xlsx" if "/report/" in path else "csv",
    }
    return re.sub(r"\{([^}:]+)[^}]*\}", lambda m: str(values[m.group(1)]), path)


def cases(route: Route, world: World) -> list[Case]:
    """A's objects, and B's where the route is about an enumerator's or a team's objects."""
    rule = OBJECT_RULES.get(route.path)
    if rule == ObjectRule.TEAM:
        return [
            Case(_fill(route.path, world, world.a), frozenset({"supervisor", "admin"})),
            Case(_fill(route.path, world, world.b), frozenset({"admin"})),
        ]
    if rule == ObjectRule.OWNER:
        return [
            Case(_fill(route.path, world, world.a), frozenset({"enumerator_a"})),
            Case(_fill(route.path, world, world.b), frozenset({"enumerator_b"})),
        ]
    if rule == ObjectRule.RESIDENT_TOKEN:
        return [
            Case(_fill(route.path, world, world.a)),
            Case(_fill(route.path, world, world.a, OTHER_SLUG), frozenset()),
        ]
    return [Case(_fill(route.path, world, world.a))]


def expected(route: Route, case: Case, identity: str) -> str:
    """What `identity` should get: "sign in", "403", "404", "ok" (2xx/3xx), "handled" (a POST
    whose form the handler may refuse with a 4xx, but never 401, 403, 404 or 5xx) or "refused"
    (the sign-in form without a user's credentials: 401, or 429 once the name is locked out)."""
    if route.path.startswith(BASIC_AUTH_PREFIX):
        return "sign in"
    if str(route) == "POST /login":
        return "refused"
    allowed = route.allowed
    if allowed is not None:
        if identity in ("anonymous", "resident"):
            return "sign in"
        if ROLES[identity] not in allowed:
            return "403"
    if case.visible_to is not None and identity not in case.visible_to:
        return "404"
    return "ok" if route.method == "GET" else "handled"
