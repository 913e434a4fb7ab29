"""The resident's open-link form: consent, server-side validation, stored exactly once."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import (
    Choice,
    ChoiceList,
    Group,
    Language,
    LegalMarkings,
    Question,
    Questionnaire,
)
from survey_app.models import QuestionnaireVersion, Response, Survey, Wave
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

SATISFACTION = ChoiceList(
    "sat",
    (
        Choice(name="satisfied", label={"zh": "满意", "en": "Satisfied"}),
        Choice(name="dissatisfied", label={"zh": "不满意", "en": "Dissatisfied"}),
    ),
)
FORM = Questionnaire(
    id="mini",
    version="1",
    title={"zh": "小问卷", "en": "Mini survey"},
    languages=(Language("zh", "中文"), Language("en", "English")),
    default_language="zh",
    legal=LegalMarkings("文创调01表", "示范市文明办", "示统制〔2026〕1号", dt.date(2027, 12, 31)),
    privacy_notice={
        "zh": "您的回答仅用于统计。",
        "en": "Your answers are used for statistics only.",
    },
    items=(
        Group(
            name="main",
            label={"zh": "主要问题", "en": "Main questions"},
            children=(
                Question(
                    type="select_one",
                    name="satisfaction",
                    list_name="sat",
                    required="true()",
                    label={"zh": "您对本市文明创建工作满意吗？", "en": "Are you satisfied?"},
                ),
                Question(
                    type="text",
                    name="why",
                    relevant="${satisfaction} = 'dissatisfied'",
                    label={"zh": "不满意的原因", "en": "Why not?"},
                ),
                Question(
                    type="integer",
                    name="age",
                    required="true()",
                    constraint=". >= 14",
                    constraint_message={"zh": "年龄须满14岁", "en": "You must be 14 or older"},
                    label={"zh": "您的年龄", "en": "Your age"},
                ),
            ),
        ),
    ),
    choice_lists=(SATISFACTION,),
)


def _add_survey(settings: Settings) -> None:
    async def work(db: AsyncSession) -> None:
        survey = Survey(slug="mini", title="小问卷")
        db.add(survey)
        await db.flush()
        db.add(Wave(survey_id=survey.id, number=1, name="第一轮", opens_on=None, closes_on=None))
        db.add(
            QuestionnaireVersion(
                survey_id=survey.id, version="1", definition=msgspec.to_builtins(FORM)
            )
        )
        await db.commit()

    run_with_session(settings, work)


def _stored(settings: Settings) -> list[Response]:
    async def work(db: AsyncSession) -> list[Response]:
        return list(await db.scalars(select(Response)))

    return run_with_session(settings, work)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


@pytest.fixture
def form_page(client: TestClient[Litestar], clean_settings: Settings) -> str:
    _add_survey(clean_settings)
    page = client.get("/s/mini", headers={"accept": "text/html"})
    assert page.status_code == 200
    return page.text


def _post(client: TestClient[Litestar], page: str, **fields: str) -> httpx.Response:
    data = {
        "_csrf_token": _hidden(page, "_csrf_token"),
        "response_uuid": _hidden(page, "response_uuid"),
        "started_at": _hidden(page, "started_at"),
        **fields,
    }
    return client.post(
        "/s/mini", data=data, headers={"accept": "text/html"}, follow_redirects=False
    )


def test_page_shows_legal_markings_and_privacy_notice(form_page: str) -> None:
    for text in (
        "文创调01表",
        "示范市文明办",
        "示统制〔2026〕1号",
        "您的回答仅用于统计。",
        "小问卷",
    ):
        assert text in form_page


def test_answers_are_stored_once_even_when_posted_twice(
    client: TestClient[Litestar], form_page: str, clean_settings: Settings
) -> None:
    fields = {"consent": "yes", "q.satisfaction": "satisfied", "q.age": "35", "q.why": "stale"}
    first = _post(client, form_page, **fields)
    again = _post(client, form_page, **fields)
    assert first.status_code == again.status_code == 303
    stored = _stored(clean_settings)
    assert len(stored) == 1
    response = stored[0]
    assert response.answers == {"satisfaction": "satisfied", "age": 35}
    assert not response.is_probability_sample
    assert response.paradata["duration_seconds"] >= 0
    assert uuid.UUID(_hidden(form_page, "response_uuid")) == response.client_uuid


def test_different_answers_under_the_same_uuid_are_a_conflict(
    client: TestClient[Litestar], form_page: str, clean_settings: Settings
) -> None:
    _post(client, form_page, consent="yes", **{"q.satisfaction": "satisfied", "q.age": "35"})
    clash = _post(
        client, form_page, consent="yes", **{"q.satisfaction": "satisfied", "q.age": "36"}
    )
    assert clash.status_code == 409
    assert len(_stored(clean_settings)) == 1


def test_problems_are_shown_next_to_the_question_and_nothing_is_stored(
    client: TestClient[Litestar], form_page: str, clean_settings: Settings
) -> None:
    page = _post(client, form_page, consent="yes", **{"q.age": "9"})
    assert page.status_code == 422
    assert 'id="error-age"' in page.text
    assert "年龄须满14岁" in page.text
    assert 'id="error-satisfaction"' in page.text
    assert _stored(clean_settings) == []


def test_consent_is_required(
    client: TestClient[Litestar], form_page: str, clean_settings: Settings
) -> None:
    page = _post(client, form_page, **{"q.satisfaction": "satisfied", "q.age": "35"})
    assert page.status_code == 422
    assert 'id="error-consent"' in page.text
    assert "请先阅读隐私声明" in page.text
    assert _stored(clean_settings) == []


def test_unknown_survey_is_a_clear_404(client: TestClient[Litestar]) -> None:
    page = client.get("/s/nope", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "nope" in page.text
