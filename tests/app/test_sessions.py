"""Sessions in the database: a cookie works until its session ends, and only its hash is kept."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts import sessions
from survey_app.accounts.services import create_user
from survey_app.app import create_app
from survey_app.models import AuditEvent, User, UserSession
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

PASSWORD = "session-pass-1"
BASE_URL = "http://127.0.0.1"


def test_only_a_cookie_signed_with_the_secret_key_names_a_session() -> None:
    cookie = "some-random-key." + sessions._sign("k", "some-random-key")
    assert sessions.session_key("k", cookie) == "some-random-key"
    assert sessions.session_key("other-key", cookie) is None
    assert sessions.session_key("k", "another-key." + cookie.split(".")[1]) is None
    assert sessions.session_key("k", "garbage") is None
    assert sessions.session_key("k", "a.b.c") is None
    assert sessions.session_key("k", "." + sessions._sign("k", "")) is None
    assert sessions.session_key("k", None) is None


@pytest.fixture
def users(clean_settings: Settings) -> Settings:
    async def work(db: AsyncSession) -> None:
        await create_user(db, username="boss", password=PASSWORD, role=Role.ADMIN)
        await create_user(db, username="ana", password=PASSWORD, role=Role.ANALYST)
        await db.commit()

    run_with_session(clean_settings, work)
    return clean_settings


def _browser(settings: Settings) -> TestClient[Litestar]:
    return TestClient(app=create_app(settings), base_url=BASE_URL)


def _signed_in(client: TestClient[Litestar], username: str) -> str:
    return sign_in(client, username, PASSWORD)


def _refused(settings: Settings, cookie: str) -> bool:
    """Whether a browser holding only this session cookie is treated as signed out: pages send
    it to sign in, the API answers 401 in JSON."""
    with _browser(settings) as client:
        client.cookies.set(sessions.COOKIE_NAME, cookie)
        page = client.get("/admin", headers={"accept": "text/html"}, follow_redirects=False)
        api = client.get("/api/surveys")
    assert api.headers["content-type"].startswith("application/json")
    if page.status_code in (302, 303):
        assert page.headers["location"] == "/login?next=/admin"
        assert api.status_code == 401
        return True
    assert (page.status_code, api.status_code) == (200, 200)
    return False


def _post_form(client: TestClient[Litestar], page: str, action: str, **fields: str) -> int:
    answer = client.post(
        action,
        data={"_csrf_token": csrf_token(client, page), **fields},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    return answer.status_code


def _user_id(settings: Settings, username: str) -> int:
    async def work(db: AsyncSession) -> int:
        found = await db.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found

    return run_with_session(settings, work)


@pytest.mark.db
def test_the_database_keeps_only_the_hash_of_the_key(users: Settings) -> None:
    with _browser(users) as client:
        cookie = _signed_in(client, "ana")

    async def stored(db: AsyncSession) -> list[UserSession]:
        return list(await db.scalars(select(UserSession)))

    (row,) = run_with_session(users, stored)
    key = cookie.split(".")[0]
    assert len(key) >= 43
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in row.key_hash
    assert row.expires_at - row.created_at == sessions.LIFETIME
    assert not _refused(users, cookie)


@pytest.mark.db
def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(users: Settings) -> None:
    with _browser(users) as client:
        cookie = _signed_in(client, "ana")
        assert _post_form(client, "/admin", "/logout") in (302, 303)
        assert sessions.COOKIE_NAME not in client.cookies
    assert _refused(users, cookie)

    async def audit(db: AsyncSession) -> list[tuple[str, str]]:
        rows = await db.execute(select(AuditEvent.action, AuditEvent.target))
        return [(action, target) for action, target in rows.all()]

    assert ("logout", "ana") in run_with_session(users, audit)


@pytest.mark.db
def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(users: Settings) -> None:
    with _browser(users) as other, _browser(users) as this:
        elsewhere = _signed_in(other, "ana")
        here = _signed_in(this, "ana")
        changed = _post_form(
            this,
            "/account",
            "/account/password",
            current_password=PASSWORD,
            new_password="a-new-password",
        )
        assert changed == 303
    assert _refused(users, elsewhere)
    assert not _refused(users, here)


@pytest.mark.db
def test_a_password_reset_ends_all_the_users_sessions(users: Settings) -> None:
    with _browser(users) as admin, _browser(users) as analyst:
        cookie = _signed_in(analyst, "ana")
        _signed_in(admin, "boss")
        ana = _user_id(users, "ana")
        reset = _post_form(
            admin, "/admin/users", f"/admin/users/{ana}/password", new_password="reset-pass-9"
        )
        assert reset == 303
    assert _refused(users, cookie)


@pytest.mark.parametrize(
    ("change", "ends"),
    [
        ({"role": "analyst", "is_active": "", "supervisor_id": ""}, True),
        ({"role": "supervisor", "is_active": "yes", "supervisor_id": ""}, True),
        ({"role": "analyst", "is_active": "yes", "supervisor_id": ""}, False),
    ],
    ids=["deactivated", "new role", "nothing changed"],
)
@pytest.mark.db
def test_deactivation_or_a_new_role_ends_all_the_users_sessions(
    users: Settings, change: dict[str, str], ends: bool
) -> None:
    with _browser(users) as admin, _browser(users) as analyst:
        cookie = _signed_in(analyst, "ana")
        _signed_in(admin, "boss")
        ana = _user_id(users, "ana")
        assert _post_form(admin, "/admin/users", f"/admin/users/{ana}", **change) == 303
    assert _refused(users, cookie) is ends


@pytest.mark.db
def test_an_unknown_forged_or_expired_session_is_refused(users: Settings) -> None:
    secret = users.secret_key
    unknown = "not-a-session-key." + sessions._sign(secret, "not-a-session-key")
    assert _refused(users, unknown)
    with _browser(users) as client:
        cookie = _signed_in(client, "ana")
    key = cookie.split(".")[0]
    assert _refused(users, key + "." + sessions._sign("another-secret", key))
    assert _refused(users, key)

    async def expire(db: AsyncSession) -> None:
        await db.execute(update(UserSession).values(expires_at=dt.datetime.now(dt.UTC)))
        await db.commit()

    run_with_session(users, expire)
    assert _refused(users, cookie)


@pytest.mark.db
def test_signing_in_deletes_expired_sessions(users: Settings) -> None:
    with _browser(users) as client:
        _signed_in(client, "ana")

    async def expire(db: AsyncSession) -> None:
        await db.execute(update(UserSession).values(expires_at=dt.datetime.now(dt.UTC)))
        await db.commit()

    run_with_session(users, expire)
    with _browser(users) as client:
        _signed_in(client, "boss")

    async def owners(db: AsyncSession) -> list[int]:
        return list(await db.scalars(select(UserSession.user_id)))

    assert run_with_session(users, owners) == [_user_id(users, "boss")]
