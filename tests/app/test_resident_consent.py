"""A questionnaire without its own consent question gets a consent box on its first page; a
questionnaire that asks for consent itself cannot be finished as a complete without it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
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
from survey_app.demo.loader import DemoSummary
from survey_app.models import QuestionnaireVersion, Survey, Wave
from survey_app.settings import Settings
from tests.app.test_resident_pages import Resident, messages, stored
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

FORM = Questionnaire(
    id="mini",
    version="1",
    title={"zh": "小问卷", "en": "Mini survey"},
    languages=(Language("zh", "中文"), Language("en", "English")),
    default_language="zh",
    legal=LegalMarkings("文创调01表", "示范市文明办", "示统制〔2026〕1号", dt.date(2027, 12, 31)),
    privacy_notice={"zh": "您的回答仅用于统计。", "en": "Used for statistics only."},
    items=(
        Group(
            name="opinion",
            label={"zh": "看法", "en": "Your view"},
            children=(
                Question(
                    type="select_one",
                    name="satisfaction",
                    list_name="sat",
                    required="true()",
                    label={"zh": "您满意吗？", "en": "Are you satisfied?"},
                ),
            ),
        ),
        Group(
            name="about",
            label={"zh": "关于您", "en": "About you"},
            children=(
                Question(
                    type="integer",
                    name="age",
                    required="true()",
                    label={"zh": "您的年龄", "en": "Your age"},
                ),
            ),
        ),
    ),
    choice_lists=(
        ChoiceList(
            "sat",
            (
                Choice(name="yes", label={"zh": "满意", "en": "Satisfied"}),
                Choice(name="no", label={"zh": "不满意", "en": "Dissatisfied"}),
            ),
        ),
    ),
)


OPTIONAL_CONSENT = msgspec.structs.replace(
    FORM,
    items=(
        Group(
            name="agreement",
            label={"zh": "同意", "en": "Consent"},
            children=(
                Question(
                    type="select_one",
                    name="consent",
                    list_name="consent",
                    label={"zh": "您是否同意参加？", "en": "Do you agree to take part?"},
                ),
            ),
        ),
        *FORM.items,
    ),
    choice_lists=(
        *FORM.choice_lists,
        ChoiceList(
            "consent",
            (
                Choice(name="agree", label={"zh": "同意", "en": "I agree"}),
                Choice(name="decline", label={"zh": "不同意", "en": "I do not agree"}),
            ),
        ),
    ),
)
"""A form whose own consent question is optional: skipping it must not make a complete."""


def _add(settings: Settings, form: Questionnaire) -> Settings:
    async def work(db: AsyncSession) -> None:
        survey = Survey(slug="mini", title="小问卷")
        db.add(survey)
        await db.flush()
        db.add(Wave(survey_id=survey.id, number=1, name="第一轮", opens_on=None, closes_on=None))
        db.add(
            QuestionnaireVersion(
                survey_id=survey.id, version="1", definition=msgspec.to_builtins(form)
            )
        )
        await db.commit()

    run_with_session(settings, work)
    return settings


@pytest.fixture
def mini(clean_settings: Settings) -> Settings:
    return _add(clean_settings, FORM)


def _consent(by: str) -> dict[str, object]:
    return {
        "given": True,
        "by": by,
        "notice_language": "zh",
        "notice_sha256": hashlib.sha256(FORM.privacy_notice["zh"].encode()).hexdigest(),
    }


def test_the_consent_box_must_be_ticked_before_the_second_page(
    client: TestClient[Litestar], mini: Settings
) -> None:
    resident = Resident(client)
    resident.open("/s/mini")
    assert 'name="consent_box"' in resident.page
    refused = resident.post({"q.satisfaction": "yes"})
    assert refused.status_code == 422
    assert messages(refused.text) == {"consent": "请先阅读隐私声明并勾选同意后再作答。"}
    resident.post({"q.satisfaction": "yes", "consent_box": "yes"})
    assert resident.url.endswith("/about")
    resident.post({"q.age": "40"})
    [response] = stored(mini)
    assert response.paradata["consent"] == _consent("box")
    assert response.answers == {"satisfaction": "yes", "age": 40}
    assert response.disposition == "1.1"


def test_a_skipped_consent_question_sends_the_resident_back_to_it(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    _add(clean_settings, OPTIONAL_CONSENT)
    resident = Resident(client)
    resident.open("/s/mini")
    assert 'name="consent_box"' not in resident.page
    for fields in ({}, {"q.satisfaction": "yes"}):
        resident.post(fields)
    back = resident.post({"q.age": "40"})
    assert back.status_code == 422
    assert messages(back.text) == {"consent": "请先阅读隐私声明并勾选同意后再作答。"}
    assert re.search(r'action="/s/mini/r/[^/"]+/agreement" class="survey"', back.text)
    assert stored(clean_settings) == []
    resident.post({"q.consent": "agree"})
    resident.post({"q.satisfaction": "yes"})
    resident.post({"q.age": "40"})
    [response] = stored(clean_settings)
    assert response.paradata["consent"] == _consent("question")


def test_the_demo_names_an_unused_invitation() -> None:
    summary = DemoSummary(3, 6, 12, 100, invitation_path="/s/demo/i/token").summary()
    assert "an unused resident invitation: /s/demo/i/token" in summary
