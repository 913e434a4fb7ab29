"""The resident's questionnaire page by page: consent, screening, skip logic, choice filters,
back and forward, save and resume, and one stored response with its paradata."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.indicators import derive_indicator
from questionnaires.templates import load_template
from survey_app.app import create_app
from survey_app.models import (
    Invitation,
    PartialResponse,
    QuestionnaireVersion,
    Response,
    Survey,
    Wave,
)
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

SLUG = "city"
TEMPLATE = load_template("civilized_city_resident")
HTML = {"accept": "text/html"}
ELIGIBLE = {"q.resident_6m": "yes", "q.age": "35"}
ABOUT_ME = {"q.sex": "female", "q.district": "d1", "q.street": "d1_s1", "q.community": "d1_s1_c2"}
OPINIONS: list[tuple[str, dict[str, Any]]] = [
    ("awareness_page", {"q.aware": "know", "q.aware_channels": ["tv", "internet"]}),
    ("support_page", {"q.support": "support"}),
    ("participation_page", {"q.participated": "participated"}),
    ("volunteer_page", {"q.volunteer_support": "support"}),
    ("satisfaction_page", {"q.satisfaction": "satisfied", "q.living_environment": "satisfied"}),
    ("security_page", {"q.security": "safe"}),
    ("education_page", {"q.education_satisfaction": "satisfied"}),
    ("government_services_page", {"q.government_services_satisfaction": "neutral"}),
]


def add_survey(settings: Settings, *, tokens: dict[str, tuple[int, dt.datetime | None]]) -> None:
    """The shipped resident questionnaire as survey `city`, with invitations (uses, expiry)."""

    async def work(db: AsyncSession) -> None:
        survey = Survey(slug=SLUG, title="文明城市创建市民问卷调查")
        db.add(survey)
        await db.flush()
        wave = Wave(survey_id=survey.id, number=1, name="第一轮", opens_on=None, closes_on=None)
        db.add(wave)
        db.add(
            QuestionnaireVersion(
                survey_id=survey.id,
                version="1",
                definition=msgspec.to_builtins(TEMPLATE.questionnaire),
            )
        )
        await db.flush()
        db.add_all(
            Invitation(wave_id=wave.id, token=token, uses_left=uses, expires_at=expires)
            for token, (uses, expires) in tokens.items()
        )
        await db.commit()

    run_with_session(settings, work)


def stored(settings: Settings) -> list[Response]:
    async def work(db: AsyncSession) -> list[Response]:
        return list(await db.scalars(select(Response).order_by(Response.id)))

    return run_with_session(settings, work)


def partials(settings: Settings) -> list[PartialResponse]:
    async def work(db: AsyncSession) -> list[PartialResponse]:
        return list(await db.scalars(select(PartialResponse).order_by(PartialResponse.id)))

    return run_with_session(settings, work)


def notice_consent(language: str, *, given: bool) -> dict[str, Any]:
    """The consent record of a response to the shipped form whose notice showed in `language`."""
    text = TEMPLATE.questionnaire.privacy_notice[language]
    return {
        "given": given,
        "by": "question",
        "notice_language": language,
        "notice_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


def messages(page: str) -> dict[str, str]:
    """Messages shown next to questions, by question name."""
    return dict(re.findall(r'<p class="error" id="error-([a-z_0-9]+)"[^>]*>([^<]+)</p>', page))


def shown_questions(page: str) -> list[str]:
    """Names of the questions and notes the page shows (not hidden by skip logic)."""
    tags = re.findall(r'<[^>]* data-q="([a-z_0-9]+)"([^>]*)>', page)
    return [name for name, rest in tags if " hidden" not in rest]


class Resident:
    """A resident's browser: follows the pages, posting each with its hidden fields."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        self.client = client
        self.url = ""
        self.page = ""

    def open(self, url: str) -> httpx.Response:
        answer = self.client.get(url, headers=HTML)
        self.url, self.page = str(answer.url.path), answer.text
        return answer

    def post(self, fields: dict[str, Any], action: str = "next") -> httpx.Response:
        data: dict[str, Any] = {
            "_csrf_token": hidden(self.page, "_csrf_token"),
            "shown_at": hidden(self.page, "shown_at"),
            "action": action,
            **fields,
        }
        if 'name="start_uuid"' in self.page:
            data["start_uuid"] = hidden(self.page, "start_uuid")
        form_action = re.search(r'<form method="post" action="([^"]+)" class="survey"', self.page)
        assert form_action, "no questionnaire form on " + self.url
        answer = self.client.post(
            form_action.group(1), data=data, headers=HTML, follow_redirects=False
        )
        if answer.status_code == 303:
            return self.open(answer.headers["location"])
        self.page = answer.text
        return answer

    @property
    def resume_token(self) -> str:
        match = re.search(r"/r/([A-Za-z0-9_-]+)", self.url)
        assert match, self.url
        return match.group(1)

    def answer_all(self) -> None:
        """From the consent page to the closing page, answering like an eligible resident."""
        self.post({"q.consent": "agree"})
        self.post(ELIGIBLE)
        self.post(ABOUT_ME)
        for page, fields in OPINIONS:
            assert f"/{page}" in self.url, self.url
            self.post(fields)
        assert self.url.endswith("/closing")


@pytest.fixture
def survey(clean_settings: Settings) -> Settings:
    add_survey(clean_settings, tokens={})
    return clean_settings


@pytest.fixture
def resident(client: TestClient[Litestar], survey: Settings) -> Resident:
    walker = Resident(client)
    assert walker.open(f"/s/{SLUG}").status_code == 200
    return walker


def test_first_page_shows_markings_and_notice_before_any_question(resident: Resident) -> None:
    page = resident.page
    markings = ("文创调1表", "示范市文明城市创建工作领导小组办公室", "示统制〔2026〕12号")
    for text in (*markings, "个人信息", "您是否同意参加本次调查？"):
        assert text in page
    assert page.index("示统制〔2026〕12号") < page.index('data-q="consent"')
    assert page.index("隐私声明") < page.index('data-q="consent"')
    assert shown_questions(page) == ["intro", "consent"]
    assert "第 1 页，共 12 页" in page


def test_a_resident_answers_every_page_and_one_response_is_stored(
    resident: Resident, survey: Settings
) -> None:
    resident.answer_all()
    done = resident.post({"q.suggestions": "多种树"})
    assert done.status_code == 200
    assert "感谢" in done.text
    [response] = stored(survey)
    assert response.disposition == "1.1"
    assert not response.is_probability_sample
    assert response.answers["community"] == "d1_s1_c2"
    assert response.answers["age"] == 35
    assert response.answers["age_group"] == "age_30_39"
    assert "dissatisfaction_reason" not in response.answers
    paradata = response.paradata
    assert paradata["channel"] == "open_link"
    assert paradata["duration_seconds"] >= 0
    assert set(paradata["page_seconds"]) >= {"consent_page", "screening", "closing"}
    assert paradata["page_visits"]["screening"] == 1
    assert paradata["started_at"] < paradata["submitted_at"]
    assert paradata["consent"] == notice_consent("zh", given=True)
    assert "notice_language" not in paradata
    [partial] = partials(survey)
    assert partial.client_uuid == response.client_uuid
    assert (partial.answers, partial.paradata) == ({}, {"ending_notes": []})
    assert partial.finished_at is not None
    assert "感谢" in resident.open(resident.url).text
    for indicator in TEMPLATE.indicators:
        values = derive_indicator(indicator, [response.answers]).values
        assert values[0] in (0.0, 1.0), indicator.id


def test_a_constraint_message_is_shown_next_to_the_question_and_keeps_the_page(
    resident: Resident,
) -> None:
    resident.post({"q.consent": "agree"})
    page = resident.post({"q.resident_6m": "yes", "q.age": "130"})
    assert page.status_code == 422
    assert messages(page.text) == {"age": "请填写0至120之间的整数年龄。"}
    assert 'value="130"' in page.text
    assert 'id="error-summary"' in page.text
    resident.post({"q.resident_6m": "yes", "q.age": "abc"})
    assert messages(resident.page) == {"age": "请输入整数。"}


def test_skip_logic_shows_follow_up_questions_only_when_relevant(resident: Resident) -> None:
    resident.post({"q.consent": "agree"})
    resident.post(ELIGIBLE)
    resident.post(ABOUT_ME)
    assert "aware_channels" not in shown_questions(resident.page)
    missing = resident.post({"q.aware": "know"})
    assert missing.status_code == 422
    assert "aware_channels" in shown_questions(missing.text)
    assert set(messages(missing.text)) == {"aware_channels"}
    resident.post({"q.aware": "dont_know"})
    assert resident.url.endswith("/support_page")


def test_choice_filter_offers_only_the_streets_of_the_chosen_district(
    resident: Resident,
) -> None:
    resident.post({"q.consent": "agree"})
    resident.post(ELIGIBLE)
    assert 'name="q.street"' not in resident.page
    resident.post({"q.sex": "male", "q.district": "d2"}, action="refresh")
    streets = re.findall(r'name="q.street" value="([a-z0-9_]+)"', resident.page)
    assert streets == ["d2_s1", "d2_s2"]
    wrong = resident.post({**ABOUT_ME, "q.district": "d2"})
    assert wrong.status_code == 422
    assert set(messages(wrong.text)) == {"street"}


def test_back_and_forward_keep_the_answers(resident: Resident) -> None:
    resident.post({"q.consent": "agree"})
    resident.post(ELIGIBLE)
    resident.post({"q.sex": "female"}, action="back")
    assert resident.url.endswith("/screening")
    assert 'value="35"' in resident.page
    resident.post(ELIGIBLE)
    assert re.search(r'value="female" checked', resident.page)
    resident.open(resident.url.replace("/demographics", "/consent_page"))
    assert re.search(r'value="agree" checked', resident.page)


def test_pages_not_reached_yet_cannot_be_skipped_to(resident: Resident) -> None:
    resident.post({"q.consent": "agree"})
    resident.open(resident.url.replace("/screening", "/closing"))
    assert "resident_6m" in shown_questions(resident.page)


def test_save_and_resume_on_another_device(
    resident: Resident, survey: Settings, client: TestClient[Litestar]
) -> None:
    resident.post({"q.consent": "agree"})
    resident.post(ELIGIBLE)
    saved = resident.post({"q.sex": "female", "q.district": "d1"}, action="save")
    link = re.search(r'id="resume-link" type="text" readonly value="([^"]+)"', saved.text)
    assert link, saved.text
    with TestClient(app=create_app(survey), base_url="http://127.0.0.1") as phone:
        other = Resident(phone)
        page = other.open(httpx.URL(link.group(1)).path)
        assert shown_questions(page.text) == ["sex", "district", "street", "community"]
        assert re.search(r'value="female" checked', page.text)
        assert re.search(r'name="q.street" value="d1_s1"', page.text)
        other.post(ABOUT_ME)
        for _, fields in OPINIONS:
            other.post(fields)
        other.post({})
    [response] = stored(survey)
    assert response.answers["sex"] == "female"
    assert len(response.paradata["devices"]) == 2


def test_declining_consent_ends_politely_as_a_refusal(resident: Resident, survey: Settings) -> None:
    done = resident.post({"q.consent": "decline"})
    assert done.status_code == 200
    assert "感谢您抽出时间，本次调查到此结束。" in done.text
    [response] = stored(survey)
    assert response.disposition == "2.11"
    assert response.answers == {"consent": "decline"}
    assert response.paradata["consent"] == notice_consent("zh", given=False)
    assert partials(survey)[0].answers == {}
    again = resident.open(f"/s/{SLUG}/r/{resident.resume_token}")
    assert "感谢您抽出时间，本次调查到此结束。" in again.text


def test_the_notice_is_recorded_in_the_language_its_page_showed(
    client: TestClient[Litestar], survey: Settings
) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}?lang=en")
    assert TEMPLATE.questionnaire.privacy_notice["en"][:40] in resident.page
    resident.post({"q.consent": "agree"})
    resident.open(f"{resident.url}?lang=zh_CN")
    resident.post(ELIGIBLE)
    resident.post(ABOUT_ME)
    for _, fields in OPINIONS:
        resident.post(fields)
    resident.post({})
    [response] = stored(survey)
    assert response.paradata["language"] == "zh"
    assert response.paradata["consent"] == notice_consent("en", given=True)


def test_screening_ends_politely_and_records_not_eligible(
    resident: Resident, survey: Settings
) -> None:
    resident.post({"q.consent": "agree"})
    done = resident.post({"q.resident_6m": "yes", "q.age": "12"})
    assert "您无需继续作答" in done.text
    [response] = stored(survey)
    assert response.disposition == "4.70"
    assert response.answers["eligible"] == "no"


def test_a_resident_page_is_not_cached_and_sets_a_device_cookie(
    client: TestClient[Litestar], survey: Settings
) -> None:
    answer = client.get(f"/s/{SLUG}", headers=HTML)
    assert answer.headers["cache-control"] == "no-store"
    assert "minyi_device" in answer.cookies


def test_the_expression_evaluator_is_served_from_the_questionnaires_package(
    client: TestClient[Litestar],
) -> None:
    script = client.get("/survey-assets/expressions.js")
    assert script.status_code == 200
    assert "MinyiExpressions" in script.text
    assert script.headers["content-type"].startswith("text/javascript")


def test_an_unknown_survey_and_resume_link_get_clear_pages(
    client: TestClient[Litestar], survey: Settings
) -> None:
    assert client.get("/s/nope", headers=HTML).status_code == 404
    unknown = client.get(f"/s/{SLUG}/r/not-a-token", headers=HTML)
    assert unknown.status_code == 404
    assert "恢复链接无效" in unknown.text
