"""The tablet app's API: what a device downloads, and uploads stored exactly once."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import (
    Choice,
    ChoiceList,
    Group,
    Language,
    Question,
    Questionnaire,
)
from questionnaires.templates import load_template
from survey_app.accounts.services import create_user
from survey_app.app import create_app
from survey_app.models import (
    Assignment,
    Frame,
    FrameUnit,
    QuestionnaireVersion,
    Response,
    ResponseConflict,
    ResponseRevision,
    ReviewEvent,
    ReviewState,
    Role,
    Survey,
    UnitLevel,
    Wave,
)
from survey_app.settings import Settings
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db
PASSWORD = "field-pass-2026"
NOTICE = load_template("civilized_city_resident").questionnaire.privacy_notice


@dataclass(frozen=True)
class Fieldwork:
    wave_id: int
    version_id: int
    c1: int
    """Assignment of enumerator "ena" in community d1_s1_c1 (quota: 1 man and 2 women 30-39)."""
    c2: int
    other: int
    """Assignment of "enb", the other enumerator of the same team."""


def make_fieldwork(settings: Settings) -> Fieldwork:
    """Supervisor "sup" with enumerators "ena" and "enb"; "sup2" leads "enc" elsewhere."""

    async def work(db: AsyncSession) -> Fieldwork:
        sup = await create_user(db, username="sup", password=PASSWORD, role=Role.SUPERVISOR)
        sup2 = await create_user(db, username="sup2", password=PASSWORD, role=Role.SUPERVISOR)
        ena = await create_user(
            db, username="ena", password=PASSWORD, role=Role.ENUMERATOR, supervisor_id=sup.id
        )
        enb = await create_user(
            db, username="enb", password=PASSWORD, role=Role.ENUMERATOR, supervisor_id=sup.id
        )
        enc = await create_user(
            db, username="enc", password=PASSWORD, role=Role.ENUMERATOR, supervisor_id=sup2.id
        )
        frame = Frame(name="test frame")
        db.add(frame)
        await db.flush()
        district = FrameUnit(
            frame_id=frame.id, level=UnitLevel.DISTRICT, code="d1", name="东湖区", population=9
        )
        db.add(district)
        await db.flush()
        street = FrameUnit(
            frame_id=frame.id,
            parent_id=district.id,
            level=UnitLevel.STREET,
            code="d1_s1",
            name="湖滨街道",
            population=9,
        )
        db.add(street)
        await db.flush()
        c1, c2 = (
            FrameUnit(
                frame_id=frame.id,
                parent_id=street.id,
                level=UnitLevel.COMMUNITY,
                code=code,
                name=name,
                population=9,
            )
            for code, name in (("d1_s1_c1", "荷花社区"), ("d1_s1_c2", "柳岸社区"))
        )
        survey = Survey(slug="s1", title="测试调查", frame_id=frame.id)
        db.add_all([c1, c2, survey])
        await db.flush()
        wave = Wave(survey_id=survey.id, number=1, name="第一轮", opens_on=None, closes_on=None)
        questionnaire = load_template("civilized_city_resident").questionnaire
        version = QuestionnaireVersion(
            survey_id=survey.id,
            version=questionnaire.version,
            definition=msgspec.to_builtins(questionnaire),
        )
        db.add_all([wave, version])
        await db.flush()
        cells = {"age_30_39|male": 1, "age_30_39|female": 2}
        assignments = [
            Assignment(
                wave_id=wave.id,
                unit_id=unit.id,
                enumerator_id=user.id,
                target_count=3,
                quota_cells=cells,
            )
            for unit, user in ((c1, ena), (c2, ena), (c1, enb), (c2, enc))
        ]
        db.add_all(assignments)
        await db.commit()
        return Fieldwork(
            wave.id, version.id, assignments[0].id, assignments[1].id, assignments[2].id
        )

    return run_with_session(settings, work)


def small_form(consent_required: str | None) -> Questionnaire:
    """A one-question form without a consent question (None), or with one, `required` so."""
    questions = [
        Question(
            type="select_one",
            name="satisfaction",
            list_name="sat",
            required="true()",
            label={"zh": "您满意吗？"},
        )
    ]
    if consent_required is not None:
        questions.insert(
            0,
            Question(
                type="select_one",
                name="consent",
                list_name="consent",
                required=consent_required,
                label={"zh": "您是否同意参加本次调查？"},
            ),
        )
    codes = {"sat": ("yes", "no"), "consent": ("agree", "decline")}
    return Questionnaire(
        id="small" if consent_required is None else "small_consent",
        version="1",
        title={"zh": "小问卷"},
        languages=(Language("zh", "中文"),),
        default_language="zh",
        privacy_notice={"zh": "您的回答仅用于统计。"},
        items=(Group(name="opinion", label={"zh": "看法"}, children=tuple(questions)),),
        choice_lists=tuple(
            ChoiceList(name, tuple(Choice(name=code, label={"zh": code}) for code in names))
            for name, names in codes.items()
        ),
    )


def add_version(settings: Settings, fieldwork: Fieldwork, form: Questionnaire) -> int:
    """`form` as a newer questionnaire version of the fieldwork's survey."""

    async def work(db: AsyncSession) -> int:
        wave = await db.get_one(Wave, fieldwork.wave_id)
        version = QuestionnaireVersion(
            survey_id=wave.survey_id, version=form.id, definition=msgspec.to_builtins(form)
        )
        db.add(version)
        await db.commit()
        return version.id

    return run_with_session(settings, work)


def consent_record(notice: dict[str, str], language: str, *, given: bool) -> dict[str, Any]:
    """What a response's paradata hold under `consent` for `notice` shown in `language`."""
    return {
        "given": given,
        "by": "question",
        "notice_language": language,
        "notice_sha256": hashlib.sha256(notice[language].encode()).hexdigest(),
    }


def complete_answers(**changes: Any) -> dict[str, Any]:
    """A valid complete interview in community d1_s1_c1 (a 35-year-old man)."""
    answers: dict[str, Any] = {
        "consent": "agree",
        "resident_6m": "yes",
        "age": 35,
        "sex": "male",
        "district": "d1",
        "street": "d1_s1",
        "community": "d1_s1_c1",
        "aware": "know",
        "aware_channels": ["tv", "internet"],
        "support": "support",
        "participated": "participated",
        "volunteer_support": "support",
        "satisfaction": "satisfied",
        "living_environment": "very_satisfied",
        "security": "safe",
        "education_satisfaction": "neutral",
        "government_services_satisfaction": "satisfied",
    }
    answers.update(changes)
    return answers


def item(
    fieldwork: Fieldwork,
    *,
    client_uuid: str | None = None,
    assignment_id: int | None = None,
    disposition: str = "1.1",
    answers: dict[str, Any] | None = None,
    paradata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "uuid": client_uuid or str(uuid.uuid4()),
        "assignment_id": assignment_id or fieldwork.c1,
        "questionnaire_version_id": fieldwork.version_id,
        "disposition": disposition,
        "answers": complete_answers() if answers is None else answers,
        "paradata": paradata
        or {
            "started_at": "2026-11-20T09:00:00+00:00",
            "ended_at": "2026-11-20T09:07:30+00:00",
            "duration_seconds": 450.0,
            "timings": {"consent": 4.2, "age": 6.0},
        },
    }


def upload(client: TestClient[Litestar], *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(
        "/api/capi/interviews", json={"device_id": "tablet-1", "interviews": list(items)}
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def count_responses(settings: Settings, client_uuid: str) -> int:
    async def work(db: AsyncSession) -> int:
        found = await db.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.client_uuid == uuid.UUID(client_uuid))
        )
        return int(found or 0)

    return run_with_session(settings, work)


def stored(settings: Settings, client_uuid: str) -> Response:
    async def work(db: AsyncSession) -> Response:
        found = await db.scalar(
            select(Response).where(Response.client_uuid == uuid.UUID(client_uuid))
        )
        assert found is not None
        return found

    return run_with_session(settings, work)


@pytest.fixture
def fieldwork(clean_settings: Settings) -> Fieldwork:
    return make_fieldwork(clean_settings)


def test_the_device_downloads_assignments_quotas_and_the_questionnaire(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    assert client.get("/api/capi/bootstrap").status_code == 401
    sign_in(client, "ena", PASSWORD)
    data = client.get("/api/capi/bootstrap").json()
    assert [a["id"] for a in data["assignments"]] == [fieldwork.c1, fieldwork.c2]
    first = data["assignments"][0]
    assert first["community"] == {"code": "d1_s1_c1", "name": "荷花社区"}
    assert first["street"]["code"] == "d1_s1"
    assert first["district"]["code"] == "d1"
    assert {c["key"]: (c["filled"], c["target"]) for c in first["quota"]} == {
        "age_30_39|male": (0, 1),
        "age_30_39|female": (0, 2),
    }
    form = data["questionnaires"][str(fieldwork.wave_id)]
    assert form["version_id"] == fieldwork.version_id
    assert form["definition"]["id"] == "civilized_city_resident"
    assert ["${consent} = 'decline'", "2.11"] in form["outcome_rules"]
    assert {d["code"] for d in data["dispositions"]} >= {"1.1", "2.11", "2.20", "2.33", "4.70"}
    assert data["quota_fields"] == ["age_group", "sex"]


def test_only_enumerators_use_the_tablet_api(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    sign_in(client, "sup", PASSWORD)
    assert client.get("/api/capi/bootstrap").status_code == 403
    assert client.post("/api/capi/interviews", json={"interviews": []}).status_code == 403


def test_the_app_page_is_an_installable_offline_app(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    sign_in(client, "ena", PASSWORD)
    page = client.get("/enumerator", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert '<link rel="manifest" href="/enumerator/manifest.webmanifest">' in page.text
    assert "荷花社区" in page.text
    worker = client.get("/enumerator/sw.js")
    assert worker.headers["service-worker-allowed"] == "/enumerator"
    assert "__RELEASE__" not in worker.text
    assert '"/static/capi/app.js"' in worker.text
    manifest = client.get("/enumerator/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/enumerator"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    script = client.get("/survey-assets/expressions.js")
    assert "MinyiExpressions" in script.text
    assert "formState" in script.text


def test_an_interview_is_stored_once_however_often_it_is_sent(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview = item(
        fieldwork,
        paradata={
            "duration_seconds": 400,
            "gps_consent": True,
            "gps": {"latitude": 30.123456, "longitude": 120.987654},
            "device_id": "spoofed",
        },
    )
    assert upload(client, interview)[0]["status"] == "stored"
    for _ in range(3):
        assert upload(client, interview)[0]["status"] == "duplicate"
    assert count_responses(clean_settings, interview["uuid"]) == 1
    response = stored(clean_settings, interview["uuid"])
    assert response.mode.value == "capi"
    assert response.answers["age_group"] == "age_30_39"
    assert response.paradata["gps"] == {"latitude": 30.12, "longitude": 120.99}
    assert response.paradata["device_id"] == "tablet-1"
    quota = client.get("/api/capi/bootstrap").json()["assignments"][0]["quota"]
    assert {c["key"]: c["filled"] for c in quota} == {"age_30_39|male": 1, "age_30_39|female": 0}


@pytest.mark.parametrize(
    "opt_in",
    [{}, {"gps_consent": False}, {"gps_consent": "yes"}],
    ids=["no opt-in", "declined", "not a yes"],
)
def test_coordinates_without_the_respondents_opt_in_are_not_stored(
    client: TestClient[Litestar],
    fieldwork: Fieldwork,
    clean_settings: Settings,
    opt_in: dict[str, Any],
) -> None:
    sign_in(client, "ena", PASSWORD)
    gps = {"gps": {"latitude": 30.123456, "longitude": 120.987654}}
    interview = item(fieldwork, paradata={"duration_seconds": 400, **opt_in, **gps})
    assert upload(client, interview)[0]["status"] == "stored"
    paradata = stored(clean_settings, interview["uuid"]).paradata
    assert "gps" not in paradata
    assert paradata["duration_seconds"] == 400


def test_different_content_under_a_known_uuid_is_kept_as_a_conflict(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    first = item(fieldwork)
    upload(client, first)
    changed = {**first, "answers": complete_answers(support="unsure")}
    result = upload(client, changed)[0]
    assert result["status"] == "conflict"
    assert upload(client, changed)[0]["status"] == "conflict"
    response = stored(clean_settings, first["uuid"])
    assert response.answers["support"] == "support"
    assert response.review_state == ReviewState.CONFLICT

    async def kept(db: AsyncSession) -> list[ResponseConflict]:
        return list(await db.scalars(select(ResponseConflict)))

    conflicts = run_with_session(clean_settings, kept)
    assert [c.answers["support"] for c in conflicts] == ["unsure"]


def test_one_bad_interview_never_holds_back_the_others(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    good = item(fieldwork)
    not_at_home = item(fieldwork, disposition="2.20", answers={}, paradata={"note": "三次未遇"})
    results = upload(
        client,
        item(fieldwork, client_uuid="not-a-uuid"),
        item(fieldwork, assignment_id=fieldwork.other),
        item(fieldwork, answers=complete_answers(age="abc")),
        item(fieldwork, answers={"consent": "decline"}),
        item(fieldwork, disposition="9.99"),
        good,
        not_at_home,
    )
    assert [r["status"] for r in results] == [
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "stored",
        "stored",
    ]
    assert results[1]["message"] == "这次访问不属于您的任务"
    assert "age" in results[2]["problems"]
    assert stored(clean_settings, not_at_home["uuid"]).disposition == "2.20"
    too_many = client.post(
        "/api/capi/interviews", json={"interviews": [item(fieldwork) for _ in range(51)]}
    )
    assert too_many.status_code == 422


def test_a_refusal_at_consent_is_stored_as_a_refusal(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    refusal = item(fieldwork, disposition="2.11", answers={"consent": "decline"})
    assert upload(client, refusal)[0]["status"] == "stored"
    assert stored(clean_settings, refusal["uuid"]).answers == {"consent": "decline"}


def test_each_interview_records_the_notice_shown_and_the_consent(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    chinese = item(fieldwork)
    english = item(
        fieldwork,
        paradata={"language": "en", "consent": {"given": True, "by": "the tablet's own idea"}},
    )
    refusal = item(fieldwork, disposition="2.11", answers={"consent": "decline"})
    not_at_home = item(fieldwork, disposition="2.20", answers={}, paradata={"consent": True})
    results = upload(client, chinese, english, refusal, not_at_home)
    assert [r["status"] for r in results] == ["stored"] * 4
    recorded = [
        stored(clean_settings, i["uuid"]).paradata.get("consent")
        for i in (chinese, english, refusal, not_at_home)
    ]
    assert recorded == [
        consent_record(NOTICE, "zh", given=True),
        consent_record(NOTICE, "en", given=True),
        consent_record(NOTICE, "zh", given=False),
        None,
    ]


@pytest.mark.parametrize(
    ("consent_required", "message"),
    [(None, "此问卷没有“consent”问题"), ("", "完成的访问须有受访者的同意")],
    ids=["form without a consent question", "consent question left unanswered"],
)
def test_a_complete_interview_without_consent_is_refused(
    client: TestClient[Litestar],
    fieldwork: Fieldwork,
    clean_settings: Settings,
    consent_required: str | None,
    message: str,
) -> None:
    version_id = add_version(clean_settings, fieldwork, small_form(consent_required))
    sign_in(client, "ena", PASSWORD)
    on_form = {"questionnaire_version_id": version_id}
    complete = {**item(fieldwork, answers={"satisfaction": "yes"}), **on_form}
    not_at_home = {**item(fieldwork, disposition="2.20", answers={}), **on_form}
    refused, visit = upload(client, complete, not_at_home)
    assert refused["status"] == "invalid"
    assert message in refused["message"]
    assert visit["status"] == "stored"
    assert count_responses(clean_settings, complete["uuid"]) == 0
    if consent_required is not None:
        agreed = {**complete, "answers": {"consent": "agree", "satisfaction": "yes"}}
        assert upload(client, agreed)[0]["status"] == "stored"


def review(client: TestClient[Litestar], response_id: int, action: str, comment: str) -> int:
    token = csrf_token(client, f"/review/{response_id}")
    answer = client.post(
        f"/review/{response_id}/{action}",
        data={"comment": comment, "_csrf_token": token},
        follow_redirects=False,
    )
    return answer.status_code


def test_rejected_interview_returns_with_its_comment_and_comes_back_corrected(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview = item(fieldwork)
    upload(client, interview)
    response_id = stored(clean_settings, interview["uuid"]).id
    client.cookies.clear()
    sign_in(client, "sup", PASSWORD)
    assert review(client, response_id, "reject", "年龄与居住年限不符，请核实") == 303
    client.cookies.clear()
    sign_in(client, "ena", PASSWORD)
    reviews = client.get("/api/capi/reviews").json()
    assert reviews["states"][interview["uuid"]] == "rejected"
    [returned] = reviews["returned"]
    assert returned["comment"] == "年龄与居住年限不符，请核实"
    assert returned["assignment_id"] == fieldwork.c1
    corrected = {**interview, "answers": complete_answers(age=36)}
    assert upload(client, corrected)[0]["status"] == "revised"
    assert upload(client, corrected)[0]["status"] == "duplicate"
    assert upload(client, interview)[0]["status"] == "conflict"
    client.cookies.clear()
    sign_in(client, "sup", PASSWORD)
    assert review(client, response_id, "approve", "") == 303
    page = client.get(f"/review/{response_id}", headers={"accept": "text/html"})
    assert page.status_code == 200

    async def history(db: AsyncSession) -> tuple[list[str], int, int]:
        events = await db.scalars(
            select(ReviewEvent.action)
            .where(ReviewEvent.response_id == response_id)
            .order_by(ReviewEvent.id)
        )
        revisions = await db.scalar(select(func.count()).select_from(ResponseRevision))
        response = await db.get(Response, response_id)
        assert response is not None
        return list(events), int(revisions or 0), int(response.answers["age"])

    actions, revisions, age = run_with_session(clean_settings, history)
    assert actions == ["received", "rejected", "revised", "conflict", "approved"]
    assert revisions == 1
    assert age == 36


def test_another_enumerator_cannot_revise_a_rejected_interview(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview = item(fieldwork)
    upload(client, interview)
    response_id = stored(clean_settings, interview["uuid"]).id
    client.cookies.clear()
    sign_in(client, "sup", PASSWORD)
    review(client, response_id, "reject", "请重新核对")
    client.cookies.clear()
    sign_in(client, "enb", PASSWORD)
    stolen = {**interview, "assignment_id": fieldwork.other, "answers": complete_answers(age=50)}
    assert upload(client, stolen)[0]["status"] == "invalid"
    kept = stored(clean_settings, interview["uuid"])
    assert kept.answers["age"] == 35
    assert kept.review_state.value == "rejected"
    assert client.get("/api/capi/reviews").json()["returned"] == []


def test_a_retry_storm_stores_each_interview_once(
    fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    """Three interviews sent four times at once, as a tablet retrying a cut-off sync might."""

    async def storm() -> tuple[list[str], list[str]]:
        async with AsyncTestClient(
            app=create_app(clean_settings), base_url="http://127.0.0.1"
        ) as http:
            login = await http.get("/login", headers={"accept": "text/html"})
            token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
            assert token
            await http.post(
                "/login",
                data={"username": "ena", "password": PASSWORD, "_csrf_token": token.group(1)},
            )
            batch = [item(fieldwork, answers=complete_answers(age=30 + i)) for i in range(3)]
            answers = await asyncio.gather(
                *(http.post("/api/capi/interviews", json={"interviews": batch}) for _ in range(4))
            )
        statuses = [r["status"] for answer in answers for r in answer.json()["results"]]
        return statuses, [i["uuid"] for i in batch]

    statuses, uuids = asyncio.run(storm())
    assert sorted(statuses) == ["duplicate"] * 9 + ["stored"] * 3
    for client_uuid in uuids:
        assert count_responses(clean_settings, client_uuid) == 1
