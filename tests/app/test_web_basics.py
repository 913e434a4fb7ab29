"""Health, sign-in, role guards and errors, through HTTP as a browser or script sees them."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db


def _add_users(settings: Settings) -> None:
    async def work(db: AsyncSession) -> None:
        await create_user(db, username="ana", password="analyst-pass", role=Role.ANALYST)
        await create_user(db, username="eve", password="enumerator-pass", role=Role.ENUMERATOR)
        await db.commit()

    run_with_session(settings, work)


def test_health_answers_once_the_database_does(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_schema_is_served(client: TestClient[Litestar]) -> None:
    assert client.get("/schema/openapi.json").json()["info"]["title"].startswith("Minyi")


def test_pages_need_sign_in(client: TestClient[Litestar]) -> None:
    response = client.get("/admin", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login?next=")
    assert client.get("/admin").status_code == 401


def test_analyst_signs_in_and_sees_the_overview(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    _add_users(clean_settings)
    sign_in(client, "ana", "analyst-pass")
    page = client.get("/admin", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "概览" in page.text


def test_wrong_password_is_refused_politely(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    _add_users(clean_settings)
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "ana", "password": "nope-nope", "_csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_enumerator_cannot_open_the_admin_pages(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    _add_users(clean_settings)
    sign_in(client, "eve", "enumerator-pass")
    assert client.get("/admin").status_code == 403
    assert client.get("/enumerator", headers={"accept": "text/html"}).status_code == 200


def test_form_without_csrf_token_is_refused(client: TestClient[Litestar]) -> None:
    response = client.post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Traceback" not in response.text


def test_unknown_address_gets_a_message_not_a_trace(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["message"] == "there is nothing at this address"
    html = client.get("/no/such/page", headers={"accept": "text/html"})
    assert "此地址没有内容" in html.text


def test_english_is_one_click_away(client: TestClient[Litestar]) -> None:
    page = client.get("/login?lang=en", headers={"accept": "text/html"})
    assert "Sign in" in page.text
    assert client.get("/login", headers={"accept": "text/html"}).text.count("Sign in") >= 1


def test_every_response_carries_the_security_headers(client: TestClient[Litestar]) -> None:
    for path in ("/login", "/health", "/no/such/page", "/schema"):
        headers = client.get(path, headers={"accept": "text/html"}).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path


def test_schema_is_served_without_external_assets(client: TestClient[Litestar]) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    assert page.json()["openapi"].startswith("3.")
    assert "cdn" not in page.text.lower()
