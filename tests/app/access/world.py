"""A small real world for the role table: two teams, a published survey, interviews, a resident.

Supervisor "sup-a" leads enumerator "enum-a"; "sup-b" leads "enum-b". Survey `city` (the shipped
resident questionnaire, wave open) has a frame of one street with two communities, a sample
design drawn and split over the two enumerators (one community each), an interview uploaded by
each enumerator through the tablet API, a weighting run, and an invitation a resident has
followed. Survey `other` is a second published survey nobody works on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.analysis import services as analysis
from survey_app.analysis.weighting import WeightingSettings
from survey_app.app import create_app
from survey_app.design import assigning, drawing, frames
from survey_app.design import services as design
from survey_app.models import (
    Assignment,
    FrameUnit,
    Indicator,
    Invitation,
    PartialResponse,
    QuestionnaireVersion,
    Response,
    Role,
    Wave,
)
from survey_app.settings import Settings
from survey_app.surveys import catalog, versions
from tests.app.test_capi import complete_answers
from tests.conftest import run_with_session

PASSWORD = "access-pass-2026"
SLUG = "city"
OTHER_SLUG = "other"
INVITATION = "resident-invitation-1"
BASE_URL = "http://127.0.0.1"
IDENTITIES = (
    "anonymous",
    "resident",
    "enumerator_a",
    "enumerator_b",
    "supervisor",
    "analyst",
    "admin",
)
"""Who calls: no one, a resident holding an invitation (no account), and five users."""
USERNAMES = {
    "enumerator_a": "enum-a",
    "enumerator_b": "enum-b",
    "supervisor": "sup-a",
    "analyst": "analyst-1",
    "admin": "admin-1",
}
ROLES = {
    "enumerator_a": Role.ENUMERATOR,
    "enumerator_b": Role.ENUMERATOR,
    "supervisor": Role.SUPERVISOR,
    "analyst": Role.ANALYST,
    "admin": Role.ADMIN,
}
WORK = {
    "enumerator_a": ("d1_s1_c1", "荷花社区", "male"),
    "enumerator_b": ("d1_s1_c2", "柳岸社区", "female"),
}
"""Each enumerator's community (code, name) and the sex of the resident he interviewed."""
FRAME_CSV = (
    "district_code,district_name,street_code,street_name,community_code,community_name,"
    "population,age_30_39|male,age_30_39|female\n"
    "d1,东湖区,d1_s1,湖滨街道,d1_s1_c1,荷花社区,1000,500,500\n"
    "d1,东湖区,d1_s1,湖滨街道,d1_s1_c2,柳岸社区,1200,600,600\n"
).encode()
PLAN = {
    "moe": "5",
    "p": "90",
    "confidence": "95",
    "scope": "district",
    "effect": "deff",
    "deff": "1.5",
    "icc": "0.02",
    "per_community": "10",
    "minimum": "1",
    "response_rate": "80",
    "allocation": "proportional",
}


@dataclass(frozen=True)
class Side:
    """An enumerator's own objects (A's or B's side of the table)."""

    user_id: int
    spare_token_id: int
    """A token of his that callers may try to revoke (not the one he signs in with)."""
    assignment_id: int
    interview_id: int
    interview_uuid: str
    community: str


@dataclass(frozen=True)
class World:
    settings: Settings
    version_id: int
    other_version_id: int
    """The questionnaire of survey `other`, in which nobody has an assignment."""
    indicator_code: str
    frame_id: int
    design_id: int
    run_id: int
    tokens: dict[str, str]
    """The bearer token of each user identity."""
    a: Side
    b: Side
    invitation: str
    resume: str
    """The resident's resume token, from following the invitation."""
    resume_page: str
    resident_cookies: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    wave_id: int
    version_id: int
    other_version_id: int
    indicator_code: str
    frame_id: int
    design_id: int
    user_ids: dict[str, int]
    tokens: dict[str, str]
    spare_tokens: dict[str, int]
    assignments: dict[str, int]


async def _published(db: AsyncSession, slug: str, title: str) -> tuple[Wave, int]:
    """A survey from the shipped template with its wave open; its wave and questionnaire id."""
    template = versions.from_template(
        "civilized_city_resident", slug=slug, title=title, wave_name="第一轮"
    )
    await catalog.create(db, template)
    wave = await catalog.set_wave_open(db, slug, is_open=True)
    version_id = await db.scalar(
        select(QuestionnaireVersion.id).where(QuestionnaireVersion.survey_id == wave.survey_id)
    )
    assert version_id is not None
    return wave, version_id


async def _store(db: AsyncSession) -> _Stored:
    sup_b = await create_user(db, username="sup-b", password=PASSWORD, role=Role.SUPERVISOR)
    user_ids: dict[str, int] = {}
    tokens: dict[str, str] = {}
    spare_tokens: dict[str, int] = {}
    for identity in ("supervisor", "analyst", "admin", "enumerator_a", "enumerator_b"):
        leader = {"enumerator_a": user_ids.get("supervisor"), "enumerator_b": sup_b.id}
        user = await create_user(
            db,
            username=USERNAMES[identity],
            password=PASSWORD,
            role=ROLES[identity],
            supervisor_id=leader.get(identity),
        )
        user_ids[identity] = user.id
        tokens[identity] = (await issue_token(db, user, "role table"))[1]
        spare_tokens[identity] = (await issue_token(db, user, "spare"))[0].id
    frame = await frames.import_frame(db, FRAME_CSV, "湖滨街道")
    wave, version_id = await _published(db, SLUG, "文明城市创建市民问卷调查")
    _, other_version_id = await _published(db, OTHER_SLUG, "另一项调查")
    plan = design.PlanRequest(survey=SLUG, frame_id=frame.id, wave=str(wave.number))
    design_id = await design.save_plan(db, plan, {**PLAN, "survey": SLUG})
    await drawing.draw(db, design_id, {"seed": "2026", "method": "pps_systematic", "reserves": "0"})
    await assigning.assign(db, design_id, [USERNAMES["enumerator_a"], USERNAMES["enumerator_b"]])
    placed = await db.execute(
        select(Assignment.enumerator_id, Assignment.id, FrameUnit.code).join(
            FrameUnit, FrameUnit.id == Assignment.unit_id
        )
    )
    assignments = {}
    for enumerator_id, assignment_id, code in placed.tuples():
        identity = next(k for k, v in user_ids.items() if v == enumerator_id)
        assert WORK[identity][0] == code, "the split should give each enumerator one community"
        assignments[identity] = assignment_id
    assert set(assignments) == set(WORK)
    db.add(Invitation(wave_id=wave.id, token=INVITATION, uses_left=1, expires_at=None))
    indicator_code = await db.scalar(
        select(Indicator.code).where(Indicator.survey_id == wave.survey_id).order_by(Indicator.id)
    )
    assert indicator_code is not None
    await db.commit()
    return _Stored(
        wave_id=wave.id,
        version_id=version_id,
        other_version_id=other_version_id,
        indicator_code=indicator_code,
        frame_id=frame.id,
        design_id=design_id,
        user_ids=user_ids,
        tokens=tokens,
        spare_tokens=spare_tokens,
        assignments=assignments,
    )


def _upload(client: TestClient[Litestar], stored: _Stored, identity: str) -> str:
    """One complete interview in the enumerator's community, through the tablet API."""
    community, _, sex = WORK[identity]
    client_uuid = str(uuid.uuid4())
    interview = {
        "uuid": client_uuid,
        "assignment_id": stored.assignments[identity],
        "questionnaire_version_id": stored.version_id,
        "disposition": "1.1",
        "answers": complete_answers(community=community, sex=sex),
        "paradata": {"duration_seconds": 600.0},
    }
    response = client.post(
        "/api/capi/interviews",
        headers={"authorization": f"Bearer {stored.tokens[identity]}"},
        json={"device_id": f"tablet-{identity}", "interviews": [interview]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "stored", response.text
    return client_uuid


def build_world(settings: Settings) -> World:
    """Store the world in the (emptied) test database and return its ids and tokens."""
    stored = run_with_session(settings, _store)
    with TestClient(app=create_app(settings), base_url=BASE_URL) as client:
        uuids = {identity: _upload(client, stored, identity) for identity in WORK}
        opened = client.get(f"/s/{SLUG}/i/{INVITATION}", headers={"accept": "text/html"})
        assert opened.status_code == 200, opened.text
        resident_cookies = dict(client.cookies)

    async def weigh(db: AsyncSession) -> tuple[int, dict[str, int], PartialResponse]:
        wave = await db.get(Wave, stored.wave_id)
        assert wave is not None
        run = await analysis.run_weighting(db, wave, WeightingSettings(), None)
        ids = dict((await db.execute(select(Response.client_uuid, Response.id))).tuples().all())
        partial = await db.scalar(select(PartialResponse))
        assert partial is not None
        return run.id, {k: ids[uuid.UUID(v)] for k, v in uuids.items()}, partial

    run_id, interview_ids, partial = run_with_session(settings, weigh)

    def side(identity: str) -> Side:
        return Side(
            user_id=stored.user_ids[identity],
            spare_token_id=stored.spare_tokens[identity],
            assignment_id=stored.assignments[identity],
            interview_id=interview_ids[identity],
            interview_uuid=uuids[identity],
            community=WORK[identity][1],
        )

    return World(
        settings=settings,
        version_id=stored.version_id,
        other_version_id=stored.other_version_id,
        indicator_code=stored.indicator_code,
        frame_id=stored.frame_id,
        design_id=stored.design_id,
        run_id=run_id,
        tokens=stored.tokens,
        a=side("enumerator_a"),
        b=side("enumerator_b"),
        invitation=INVITATION,
        resume=partial.resume_token,
        resume_page=partial.page,
        resident_cookies=resident_cookies,
    )


@contextmanager
def client_for(world: World, **cookies: Any) -> Iterator[TestClient[Litestar]]:
    """A fresh browser on the world's app, holding `cookies`."""
    with TestClient(app=create_app(world.settings), base_url=BASE_URL) as client:
        client.cookies.update(cookies)
        yield client
