"""Accounts: lockout, passwords, roles managed by administrators, API tokens, audit."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts import passwords
from survey_app.accounts.services import MAX_FAILED_LOGINS, create_user
from survey_app.models import AuditEvent, User
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db


@pytest.fixture
def people(clean_settings: Settings) -> dict[str, int]:
    async def work(db: AsyncSession) -> dict[str, int]:
        boss = await create_user(db, username="boss", password="boss-pass-1", role=Role.ADMIN)
        ana = await create_user(db, username="ana", password="ana-pass-1", role=Role.ANALYST)
        sup = await create_user(db, username="sup", password="sup-pass-1", role=Role.SUPERVISOR)
        eve = await create_user(db, username="eve", password="eve-pass-1", role=Role.ENUMERATOR)
        await db.commit()
        return {"boss": boss.id, "ana": ana.id, "sup": sup.id, "eve": eve.id}

    return run_with_session(clean_settings, work)


def _post_form(client: TestClient[Litestar], page: str, action: str, **fields: str) -> object:
    return client.post(
        action,
        data={"_csrf_token": csrf_token(client, page), **fields},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )


def _count_password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes argon2 checks a password against, from now on."""
    checked: list[str] = []
    check = passwords._matches

    def counted(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return check(password_hash, password)

    monkeypatch.setattr(passwords, "_matches", counted)
    return checked


def _audit(settings: Settings) -> list[tuple[str, str]]:
    async def work(db: AsyncSession) -> list[tuple[str, str]]:
        rows = await db.execute(
            select(AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)
        )
        return [(action, target) for action, target in rows.all()]

    return run_with_session(settings, work)


def test_repeated_failures_lock_the_username_for_a_while(
    client: TestClient[Litestar], people: dict[str, int]
) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        page = _post_form(client, "/login", "/login", username="ana", password="wrong-guess")
        assert page.status_code == 401  # type: ignore[attr-defined]
    locked = _post_form(client, "/login", "/login", username="ana", password="ana-pass-1")
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "15" in locked.text  # type: ignore[attr-defined]


def test_user_changes_own_password(
    client: TestClient[Litestar], people: dict[str, int], clean_settings: Settings
) -> None:
    sign_in(client, "ana", "ana-pass-1")
    wrong = _post_form(
        client, "/account", "/account/password", current_password="nope", new_password="x" * 9
    )
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    short = _post_form(
        client, "/account", "/account/password", current_password="ana-pass-1", new_password="x"
    )
    assert short.status_code == 422  # type: ignore[attr-defined]
    done = _post_form(
        client,
        "/account",
        "/account/password",
        current_password="ana-pass-1",
        new_password="a-new-password",
    )
    assert done.status_code == 303  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "ana", "a-new-password")
    assert ("password_changed", "ana") in _audit(clean_settings)


def test_admin_manages_roles_teams_and_passwords(
    client: TestClient[Litestar], people: dict[str, int], clean_settings: Settings
) -> None:
    sign_in(client, "boss", "boss-pass-1")
    assert client.get("/admin/users", headers={"accept": "text/html"}).status_code == 200
    moved = _post_form(
        client,
        "/admin/users",
        f"/admin/users/{people['eve']}",
        role="enumerator",
        is_active="yes",
        supervisor_id=str(people["sup"]),
    )
    assert moved.status_code == 303  # type: ignore[attr-defined]
    bad_team = _post_form(
        client,
        "/admin/users",
        f"/admin/users/{people['eve']}",
        role="enumerator",
        is_active="yes",
        supervisor_id=str(people["ana"]),
    )
    assert bad_team.status_code == 422  # type: ignore[attr-defined]
    reset = _post_form(
        client,
        "/admin/users",
        f"/admin/users/{people['ana']}/password",
        new_password="reset-pass-9",
    )
    assert reset.status_code == 303  # type: ignore[attr-defined]
    created = _post_form(
        client,
        "/admin/users",
        "/admin/users",
        username="zhao",
        display_name="赵",
        password="zhao-pass-1",
        role="analyst",
        supervisor_id="",
    )
    assert created.status_code == 303  # type: ignore[attr-defined]
    self_demote = _post_form(
        client,
        "/admin/users",
        f"/admin/users/{people['boss']}",
        role="analyst",
        is_active="yes",
        supervisor_id="",
    )
    assert self_demote.status_code == 422  # type: ignore[attr-defined]

    async def eve(db: AsyncSession) -> User | None:
        return await db.get(User, people["eve"])

    assert run_with_session(clean_settings, eve).supervisor_id == people["sup"]  # type: ignore[union-attr]
    actions = [action for action, _ in _audit(clean_settings)]
    assert {"user_changed", "password_reset", "user_created"} <= set(actions)
    client.cookies.clear()
    sign_in(client, "ana", "reset-pass-9")


@pytest.mark.parametrize("who", ["ana", "sup", "eve"])
def test_only_administrators_manage_users(
    client: TestClient[Litestar], people: dict[str, int], who: str
) -> None:
    sign_in(client, who, f"{who}-pass-1")
    assert client.get("/admin/users").status_code == 403


def test_api_token_works_until_revoked(
    client: TestClient[Litestar], people: dict[str, int], clean_settings: Settings
) -> None:
    sign_in(client, "ana", "ana-pass-1")
    made = _post_form(client, "/account", "/account/tokens", name="nightly export")
    assert made.status_code == 201  # type: ignore[attr-defined]
    token = re.search(r'id="new-token">([^<]+)<', made.text).group(1)  # type: ignore[attr-defined,union-attr]
    client.cookies.clear()
    bearer = {"authorization": f"Bearer {token}"}
    assert client.get("/admin", headers=bearer).status_code == 200
    assert client.get("/admin", headers={"authorization": "Bearer minyi_forged"}).status_code == 401
    sign_in(client, "ana", "ana-pass-1")
    profile = client.get("/account", headers={"accept": "text/html"}).text
    token_id = re.search(r"/account/tokens/(\d+)/revoke", profile).group(1)  # type: ignore[union-attr]
    revoked = _post_form(client, "/account", f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 303  # type: ignore[attr-defined]
    client.cookies.clear()
    assert client.get("/admin", headers=bearer).status_code == 401
    assert ("token_created", "nightly export") in _audit(clean_settings)


def test_administrator_reads_the_audit_log(
    client: TestClient[Litestar], people: dict[str, int]
) -> None:
    _post_form(client, "/login", "/login", username="ana", password="wrong-guess")
    sign_in(client, "boss", "boss-pass-1")
    page = client.get("/admin/audit", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "login_failed" in page.text
    assert "<code>login</code>" in page.text
    client.cookies.clear()
    sign_in(client, "ana", "ana-pass-1")
    assert client.get("/admin/audit").status_code == 403


def test_without_a_hash_the_password_check_still_runs_argon2_and_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = _count_password_checks(monkeypatch)
    assert passwords.verify_password(None, "") is False
    assert passwords.verify_password(None, "any-password") is False
    assert len(checked) == 2
    assert checked[0].startswith("$argon2id$")
    assert checked[0] == checked[1]


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody", "nobody-pass-1"), ("ana", "wrong-guess"), ("sup", "sup-pass-1")],
    ids=["unknown user", "wrong password", "deactivated user"],
)
def test_every_failed_sign_in_costs_one_password_check(
    client: TestClient[Litestar],
    people: dict[str, int],
    clean_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
) -> None:
    """An unknown or deactivated username takes as long to refuse as a wrong password."""

    async def deactivate(db: AsyncSession) -> None:
        sup = await db.get(User, people["sup"])
        assert sup is not None
        sup.is_active = False
        await db.commit()

    run_with_session(clean_settings, deactivate)
    checked = _count_password_checks(monkeypatch)
    page = _post_form(client, "/login", "/login", username=username, password=password)
    assert page.status_code == 401  # type: ignore[attr-defined]
    assert len(checked) == 1


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody", "nobody-pass-1"), ("eve", "wrong-guess"), ("ana", "ana-pass-1")],
    ids=["unknown user", "wrong password", "not an enumerator"],
)
def test_every_refused_collect_sign_in_costs_one_password_check(
    client: TestClient[Litestar],
    people: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
) -> None:
    checked = _count_password_checks(monkeypatch)
    assert client.get("/openrosa/formList", auth=(username, password)).status_code == 401
    assert len(checked) == 1
