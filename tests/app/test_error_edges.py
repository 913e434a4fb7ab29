"""Edges of the error mapping: a database that dropped its connections, a client that hung up,
and a form posted by someone whose session has ended."""

from __future__ import annotations

import logging

import pytest
from litestar.exceptions import InternalServerException
from litestar.testing import RequestFactory, TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.app import create_app
from survey_app.http_errors import CLIENT_GONE, handle_http_exception
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db


def _analyst_token(settings: Settings) -> str:
    async def work(db: AsyncSession) -> str:
        user = await create_user(db, username="edge", password="pass-word-1", role=Role.ANALYST)
        await db.commit()
        return (await issue_token(db, user, "edges"))[1]

    return run_with_session(settings, work)


def test_a_restarted_database_is_a_503_to_retry_then_served_again(
    clean_settings: Settings,
) -> None:
    """Connections are not pinged before use: the first request on a connection the
    database dropped is answered 503 with Retry-After, and the next one is served."""
    if clean_settings.is_sqlite:
        pytest.skip("an embedded SQLite database has no server connection to drop")
    headers = {"authorization": f"Bearer {_analyst_token(clean_settings)}"}
    with TestClient(app=create_app(clean_settings), base_url="http://127.0.0.1") as client:
        assert client.get("/api/surveys", headers=headers).status_code == 200

        async def drop_the_others(db: AsyncSession) -> None:
            await db.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

        run_with_session(clean_settings, drop_the_others)
        dropped = client.get("/api/surveys", headers=headers)
        assert dropped.status_code == 503
        assert dropped.headers["retry-after"] == "5"
        assert "Traceback" not in dropped.text
        assert client.get("/api/surveys", headers=headers).status_code == 200


def test_a_form_posted_after_the_session_ended_leads_to_sign_in_without_a_post_target(
    clean_settings: Settings,
) -> None:
    """After signing in the browser would GET `next`; a POST-only address would answer 405."""
    with TestClient(app=create_app(clean_settings), base_url="http://127.0.0.1") as client:
        page = client.get("/review", headers={"accept": "text/html"}, follow_redirects=False)
        assert page.headers["location"] == "/login?next=/review"
        client.get("/login")
        posted = client.post(
            "/review/1/approve",
            headers={"accept": "text/html", "x-csrftoken": client.cookies.get("csrftoken", "")},
            follow_redirects=False,
        )
        assert posted.status_code in (302, 303)
        assert posted.headers["location"] == "/login"


def test_a_client_that_hung_up_mid_body_is_no_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """litestar reports the hang-up as a 500; nobody is there to read an answer, and it is not
    our fault, so it is logged as information, not as an error with a stack trace."""
    request = RequestFactory().post("/api/capi/interviews")
    errors = logging.getLogger("survey_app.errors")
    errors.addHandler(caplog.handler)  # the app's loggers do not propagate to the root
    try:
        with caplog.at_level(logging.INFO, logger="survey_app.errors"):
            answer = handle_http_exception(request, InternalServerException(CLIENT_GONE))
    finally:
        errors.removeHandler(caplog.handler)
    assert answer.status_code == 400
    assert [r.levelno for r in caplog.records] == [logging.INFO]
