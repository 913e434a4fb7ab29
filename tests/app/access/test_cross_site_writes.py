"""A browser signed in with the session cookie writes to `/api/` only as a page of this site
can: JSON, not from another site. Litestar's CSRF check is off there for devices, which send a
bearer token another site cannot make a browser send, or Basic credentials (ODK Collect), which
a browser that remembers them would send to another site's form: those are refused when the
browser says the call comes from elsewhere."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.cross_site import CROSS_SITE_SUBMISSION, CROSS_SITE_WRITE
from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.i18n import translations
from survey_app.models import Role, Survey
from survey_app.settings import Settings
from tests.app.test_capi import PASSWORD, Fieldwork, count_responses, item, make_fieldwork
from tests.app.test_openrosa import AUTH, instance
from tests.app.web import sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db


@pytest.fixture
def fieldwork(clean_settings: Settings) -> Fieldwork:
    return make_fieldwork(clean_settings)


def _upload(client: TestClient[Litestar], body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(
        "/api/capi/interviews",
        content=msgspec.json.encode(body),
        headers={"accept": "application/json", **headers},
    )


def _refused(answer: Any) -> bool:
    if answer.status_code != 403:
        return False
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["message"] == CROSS_SITE_WRITE
    return True


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {},
        {"content-type": "application/json", "sec-fetch-site": "cross-site"},
        {"content-type": "application/json", "sec-fetch-site": "same-site"},
    ],
    ids=["text", "form", "no type", "cross-site", "same-site"],
)
def test_a_write_another_site_could_forge_is_refused_and_stores_nothing(
    client: TestClient[Litestar],
    fieldwork: Fieldwork,
    clean_settings: Settings,
    headers: dict[str, str],
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview = item(fieldwork)
    answer = _upload(client, {"device_id": "tablet-1", "interviews": [interview]}, headers)
    assert _refused(answer), answer.text
    assert count_responses(clean_settings, interview["uuid"]) == 0


@pytest.mark.parametrize("fetch_site", ["same-origin", "none", None])
def test_json_from_this_site_is_taken(
    client: TestClient[Litestar],
    fieldwork: Fieldwork,
    clean_settings: Settings,
    fetch_site: str | None,
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview = item(fieldwork)
    headers = {"content-type": "application/json; charset=utf-8"}
    if fetch_site is not None:
        headers["sec-fetch-site"] = fetch_site
    answer = _upload(client, {"device_id": "tablet-1", "interviews": [interview]}, headers)
    assert answer.status_code == 200, answer.text
    assert count_responses(clean_settings, interview["uuid"]) == 1


def _surveys(settings: Settings) -> int:
    async def work(db: AsyncSession) -> int:
        return int(await db.scalar(select(func.count()).select_from(Survey)) or 0)

    return run_with_session(settings, work)


def test_survey_api_writes_with_the_cookie_need_json_and_bearer_tokens_are_unaffected(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    async def analyst(db: AsyncSession) -> str:
        user = await create_user(db, username="ana", password=PASSWORD, role=Role.ANALYST)
        _, token = await issue_token(db, user, "script")
        await db.commit()
        return token

    token = run_with_session(clean_settings, analyst)
    survey = {"slug": "by-token", "template": "awareness", "wave_name": "一月"}
    cross_site = {"content-type": "text/plain", "sec-fetch-site": "cross-site"}
    by_token = client.post(
        "/api/surveys",
        content=msgspec.json.encode(survey),
        headers={**cross_site, "authorization": f"Bearer {token}"},
    )
    assert by_token.status_code == 201, by_token.text

    sign_in(client, "ana", PASSWORD)
    forged = client.post(
        "/api/surveys",
        content=msgspec.json.encode({**survey, "slug": "forged"}),
        headers=cross_site,
    )
    assert _refused(forged)
    assert _surveys(clean_settings) == 1
    assert client.post("/api/surveys", json={**survey, "slug": "by-cookie"}).status_code == 201
    assert _surveys(clean_settings) == 2
    assert client.get("/api/surveys", headers=cross_site).status_code == 200


def test_without_a_session_a_write_is_unauthenticated_not_forged(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    answer = _upload(client, {"interviews": [item(fieldwork)]}, {"content-type": "text/plain"})
    assert answer.status_code == 401


def _collect(client: TestClient[Litestar], body: bytes, headers: dict[str, str]) -> Any:
    return client.post(
        "/openrosa/submission",
        files={"xml_submission_file": ("submission.xml", body, "text/xml")},
        auth=AUTH,
        headers={"X-OpenRosa-Version": "1.0", **headers},
    )


def test_collect_credentials_are_judged_alone_even_beside_a_session_cookie(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    """A tablet signed in to the web app that also submits with Basic credentials, as ODK
    Collect does: the credentials decide, the cookie plays no part (no JSON rule for them)."""
    del fieldwork
    sign_in(client, "ena", PASSWORD)
    instance_id = f"uuid:{uuid.uuid4()}"
    answer = _collect(client, instance(instance_id), {})
    assert answer.status_code == 201, answer.text
    assert count_responses(clean_settings, instance_id.removeprefix("uuid:")) == 1


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site"])
def test_remembered_basic_credentials_do_not_carry_another_sites_form(
    client: TestClient[Litestar],
    fieldwork: Fieldwork,
    clean_settings: Settings,
    fetch_site: str,
) -> None:
    del fieldwork
    instance_id = f"uuid:{uuid.uuid4()}"
    answer = _collect(client, instance(instance_id), {"sec-fetch-site": fetch_site})
    assert answer.status_code == 403
    assert translations("zh_CN").gettext(CROSS_SITE_SUBMISSION) in answer.text
    assert count_responses(clean_settings, instance_id.removeprefix("uuid:")) == 0
