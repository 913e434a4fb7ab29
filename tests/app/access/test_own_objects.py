"""Object-level rules seen from the inside: what each user's lists hold, and that a refused
call changed nothing (the role table checks the status codes; this checks the contents)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.models import ApiToken, Response, ReviewEvent
from tests.app.access.world import (
    PASSWORD,
    SLUG,
    USERNAMES,
    WORK,
    World,
    build_world,
    client_for,
)
from tests.app.test_capi import complete_answers
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db
HTML = {"accept": "text/html"}


@pytest.fixture
def world(clean_settings: Any) -> World:
    return build_world(clean_settings)


def _bearer(world: World, identity: str) -> dict[str, str]:
    return {"authorization": f"Bearer {world.tokens[identity]}"}


def _basic(username: str) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"authorization": f"Basic {pair}"}


def _stored(world: World) -> dict[int, tuple[str, int]]:
    """Response id → (review state, number of review events)."""

    async def work(db: AsyncSession) -> dict[int, tuple[str, int]]:
        events = list(await db.scalars(select(ReviewEvent.response_id)))
        return {
            r.id: (r.review_state.value, events.count(r.id))
            for r in await db.scalars(select(Response))
        }

    return run_with_session(world.settings, work)


def test_an_enumerator_downloads_only_his_own_assignments_and_interviews(world: World) -> None:
    with client_for(world) as client:
        for me, other in ((world.a, world.b), (world.b, world.a)):
            identity = "enumerator_a" if me is world.a else "enumerator_b"
            boot = client.get("/api/capi/bootstrap", headers=_bearer(world, identity)).json()
            assert [a["id"] for a in boot["assignments"]] == [me.assignment_id]
            reviews = client.get("/api/capi/reviews", headers=_bearer(world, identity)).json()
            assert set(reviews["states"]) == {me.interview_uuid}
            page = client.get("/enumerator", headers={**HTML, **_bearer(world, identity)}).text
            assert me.community in page
            assert other.community not in page


def test_an_enumerator_cannot_record_into_another_enumerators_assignment(world: World) -> None:
    before = _stored(world)
    with client_for(world) as client:
        answer = client.post(
            "/api/capi/interviews",
            headers=_bearer(world, "enumerator_b"),
            json={
                "device_id": "tablet-b",
                "interviews": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "assignment_id": world.a.assignment_id,
                        "questionnaire_version_id": world.version_id,
                        "disposition": "1.1",
                        "answers": complete_answers(),
                        "paradata": {},
                    }
                ],
            },
        )
    assert answer.status_code == 200
    assert answer.json()["results"][0]["status"] == "invalid"
    assert _stored(world) == before


@pytest.mark.parametrize("content", ["his own answers", "the very same answers"])
def test_an_enumerator_cannot_resend_another_enumerators_interview(
    world: World, content: str
) -> None:
    """B sending A's interview UUID under his own assignment is refused, whatever he sends:
    it neither contests A's interview (a conflict) nor learns that it exists (a duplicate)."""

    async def stored_answers(db: AsyncSession) -> dict[str, Any]:
        response = await db.scalar(select(Response).where(Response.id == world.a.interview_id))
        assert response is not None
        return dict(response.answers)

    _, _, sex = WORK["enumerator_b"]
    answers = (
        complete_answers(community=WORK["enumerator_b"][0], sex=sex)
        if content == "his own answers"
        else run_with_session(world.settings, stored_answers)
    )
    before = _stored(world)
    with client_for(world) as client:
        answer = client.post(
            "/api/capi/interviews",
            headers=_bearer(world, "enumerator_b"),
            json={
                "device_id": "tablet-b",
                "interviews": [
                    {
                        "uuid": world.a.interview_uuid,
                        "assignment_id": world.b.assignment_id,
                        "questionnaire_version_id": world.version_id,
                        "disposition": "1.1",
                        "answers": answers,
                        "paradata": {},
                    }
                ],
            },
        )
    assert answer.status_code == 200
    result = answer.json()["results"][0]
    assert result["status"] == "invalid"
    assert "another enumerator" in result["message"] or "其他访员" in result["message"]
    assert _stored(world) == before


def test_a_supervisor_lists_and_decides_only_his_teams_interviews(world: World) -> None:
    before = _stored(world)
    with client_for(world) as client:
        sign_in(client, USERNAMES["supervisor"], PASSWORD)
        listing = client.get("/review?state=all", headers=HTML).text
        assert f'data-response="{world.a.interview_id}"' in listing
        assert f'data-response="{world.b.interview_id}"' not in listing
        token = csrf_token(client, "/review")
        for decision, comment in (("approve", ""), ("reject", "重新核实")):
            refused = client.post(
                f"/review/{world.b.interview_id}/{decision}",
                data={"_csrf_token": token, "comment": comment},
                headers=HTML,
                follow_redirects=False,
            )
            assert refused.status_code == 404
        assert _stored(world) == before
    with client_for(world) as client:
        sign_in(client, "sup-b", PASSWORD)
        listing = client.get("/review?state=all", headers=HTML).text
        assert f'data-response="{world.b.interview_id}"' in listing
        assert f'data-response="{world.a.interview_id}"' not in listing
    with client_for(world) as client:
        sign_in(client, USERNAMES["admin"], PASSWORD)
        listing = client.get("/review?state=all", headers=HTML).text
        assert f'data-response="{world.a.interview_id}"' in listing
        assert f'data-response="{world.b.interview_id}"' in listing


def test_a_supervisor_sees_the_productivity_of_his_team_only(world: World) -> None:
    """The dashboard's enumerator table and quality flags: his team for a supervisor, every
    team for an analyst or admin (wave totals are the same for all)."""

    def productivity(username: str) -> str:
        with client_for(world) as client:
            sign_in(client, username, PASSWORD)
            page = client.get(f"/analysis/?survey={SLUG}", headers=HTML)
            assert page.status_code == 200
            return page.text.split('id="enumerators-heading"')[1].split("</section>")[0]

    a, b = USERNAMES["enumerator_a"], USERNAMES["enumerator_b"]
    mine = productivity(USERNAMES["supervisor"])
    assert f">{a}<" in mine
    assert f">{b}<" not in mine
    theirs = productivity("sup-b")
    assert f">{b}<" in theirs
    assert f">{a}<" not in theirs
    every = productivity(USERNAMES["analyst"])
    assert f">{a}<" in every
    assert f">{b}<" in every


def test_a_user_revokes_only_his_own_tokens(world: World) -> None:
    async def revoked(db: AsyncSession) -> dict[int, bool]:
        rows = await db.scalars(select(ApiToken))
        return {token.id: token.revoked_at is not None for token in rows}

    with client_for(world) as client:
        sign_in(client, USERNAMES["enumerator_b"], PASSWORD)
        token = csrf_token(client, "/account")
        refused = client.post(
            f"/account/tokens/{world.a.spare_token_id}/revoke",
            data={"_csrf_token": token},
            headers=HTML,
            follow_redirects=False,
        )
    assert refused.status_code == 404
    assert not any(run_with_session(world.settings, revoked).values())


def test_odk_collect_gets_only_the_forms_of_the_enumerators_surveys(world: World) -> None:
    mine = f"/openrosa/forms/{world.version_id}/form.xml"
    theirs = f"/openrosa/forms/{world.other_version_id}/form.xml"
    with client_for(world) as client:
        for identity in ("enumerator_a", "enumerator_b"):
            credentials = _basic(USERNAMES[identity])
            listing = client.get("/openrosa/formList", headers=credentials)
            assert listing.status_code == 200
            assert mine in listing.text
            assert theirs not in listing.text
            assert client.get(mine, headers=credentials).status_code == 200
            assert client.get(theirs, headers=credentials).status_code == 404
        for identity in ("supervisor", "analyst", "admin"):
            credentials = _basic(USERNAMES[identity])
            assert client.get("/openrosa/formList", headers=credentials).status_code == 401
            assert client.get(mine, headers=credentials).status_code == 401
        assert client.get(mine, headers=_bearer(world, "enumerator_a")).status_code == 401
