"""Invitations, exactly-once submission and the abuse guards of the resident's questionnaire."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.app import create_app
from survey_app.collection import entry
from survey_app.models import Response, ResponseMode, Wave
from survey_app.settings import Settings
from tests.app.test_resident_pages import (
    ABOUT_ME,
    ELIGIBLE,
    HTML,
    OPINIONS,
    SLUG,
    Resident,
    add_survey,
    hidden,
    partials,
    stored,
)
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
EARLIER = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


@pytest.fixture
def invited(clean_settings: Settings) -> Settings:
    add_survey(
        clean_settings,
        tokens={"once": (1, LATER), "family": (2, None), "old": (1, EARLIER), "gone": (0, None)},
    )
    return clean_settings


def _finish(resident: Resident) -> None:
    resident.answer_all()
    resident.post({})


def _last_page_form(resident: Resident) -> tuple[str, dict[str, str]]:
    """The closing page's form, to post it by hand (a double click, a retry)."""
    resident.answer_all()
    action = re.search(r'<form method="post" action="([^"]+)"', resident.page)
    assert action
    fields = {
        "_csrf_token": hidden(resident.page, "_csrf_token"),
        "shown_at": hidden(resident.page, "shown_at"),
        "action": "next",
    }
    return action.group(1), fields


def test_an_invitation_answers_once_as_part_of_the_probability_sample(
    client: TestClient[Litestar], invited: Settings
) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}/i/once")
    assert "/r/" in resident.url
    _finish(resident)
    [response] = stored(invited)
    assert response.is_probability_sample
    assert response.invitation_id is not None
    assert response.paradata["channel"] == "invitation"
    again = client.get(f"/s/{SLUG}/i/once", headers=HTML)
    assert again.status_code == 410
    assert "此邀请已经使用过" in again.text
    with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as other:
        assert other.get(f"/s/{SLUG}/i/once", headers=HTML).status_code == 410
    assert len(stored(invited)) == 1


def test_an_invitation_link_resumes_the_questionnaire_under_way(
    client: TestClient[Litestar], invited: Settings
) -> None:
    first = Resident(client)
    first.open(f"/s/{SLUG}/i/once")
    first.post({"q.consent": "agree"})
    with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as phone:
        second = Resident(phone)
        second.open(f"/s/{SLUG}/i/once")
        assert second.resume_token == first.resume_token
        assert "resident_6m" in second.page
    assert len(partials(invited)) == 1


def test_an_invitation_with_two_uses_answers_twice_then_no_more(
    invited: Settings,
) -> None:
    for _ in range(2):
        with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as phone:
            resident = Resident(phone)
            resident.open(f"/s/{SLUG}/i/family")
            _finish(resident)
    with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as phone:
        assert phone.get(f"/s/{SLUG}/i/family", headers=HTML).status_code == 410
    assert len(stored(invited)) == 2


def test_two_questionnaires_racing_for_a_single_use_invitation_store_one(
    invited: Settings,
) -> None:
    residents = []
    for _ in range(2):
        phone = TestClient(app=create_app(invited), base_url="http://127.0.0.1")
        phone.__enter__()
        resident = Resident(phone)
        resident.open(f"/s/{SLUG}/i/once")
        residents.append(resident)
    # the second device resumed the first one's questionnaire: one partial, answered twice
    assert residents[0].resume_token == residents[1].resume_token
    _finish(residents[0])
    late = residents[1]
    late.open(late.url)
    assert "感谢" in late.page
    for resident in residents:
        resident.client.__exit__(None, None, None)
    assert len(stored(invited)) == 1


def test_a_forged_invitation_gets_a_clear_page(
    client: TestClient[Litestar], invited: Settings
) -> None:
    page = client.get(f"/s/{SLUG}/i/forged-token", headers=HTML)
    assert page.status_code == 404
    assert "此邀请链接无效" in page.text
    assert "Traceback" not in page.text


def test_an_expired_invitation_gets_a_clear_page(
    client: TestClient[Litestar], invited: Settings
) -> None:
    page = client.get(f"/s/{SLUG}/i/old", headers=HTML)
    assert page.status_code == 410
    assert "此邀请已过期" in page.text
    assert str(EARLIER.year) in page.text
    english = client.get(f"/s/{SLUG}/i/old?lang=en", headers=HTML)
    assert "This invitation has expired" in english.text


def test_a_used_up_invitation_gets_a_polite_page(
    client: TestClient[Litestar], invited: Settings
) -> None:
    page = client.get(f"/s/{SLUG}/i/gone", headers=HTML)
    assert page.status_code == 410
    assert "感谢您的参与" in page.text


def test_a_double_submit_stores_one_response(
    client: TestClient[Litestar], invited: Settings
) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}")
    action, fields = _last_page_form(resident)
    first = client.post(action, data=fields, headers=HTML, follow_redirects=False)
    second = client.post(action, data=fields, headers=HTML, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(stored(invited)) == 1


def test_concurrent_submits_and_a_retry_from_another_device_store_one_response(
    client: TestClient[Litestar], invited: Settings
) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}/i/once")
    action, fields = _last_page_form(resident)
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(action, data=fields, headers=HTML, follow_redirects=False),
                range(3),
            )
        )
    assert {a.status_code for a in answers} == {303}
    with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as phone:
        retry = Resident(phone)
        retry.open(f"/s/{SLUG}/r/{resident.resume_token}")
        assert "您的回答已收到" in retry.page
    assert len(stored(invited)) == 1


def test_the_same_answers_twice_from_one_device_are_stored_once(
    client: TestClient[Litestar], invited: Settings
) -> None:
    for _ in range(2):
        resident = Resident(client)
        resident.open(f"/s/{SLUG}")
        _finish(resident)
    assert len(partials(invited)) == 2
    assert len(stored(invited)) == 1
    second = partials(invited)[1]
    assert (second.answers, second.paradata) == ({}, {"ending_notes": [], "duplicate": True})


def test_a_store_that_fails_leaves_the_questionnaire_as_it_was(
    client: TestClient[Litestar], invited: Settings
) -> None:
    """Giving up the partial's answers is part of the store: when storing fails, both fail."""
    resident = Resident(client)
    resident.open(f"/s/{SLUG}")
    action, fields = _last_page_form(resident)
    [partial] = partials(invited)

    async def other_answers_under_its_uuid(db: AsyncSession) -> None:
        db.add(
            Response(
                client_uuid=partial.client_uuid,
                wave_id=partial.wave_id,
                questionnaire_version_id=partial.questionnaire_version_id,
                mode=ResponseMode.WEB,
                is_probability_sample=False,
                disposition="1.1",
                answers={"consent": "agree"},
                paradata={},
                content_hash="other",
            )
        )
        await db.commit()

    run_with_session(invited, other_answers_under_its_uuid)
    answer = client.post(action, data=fields, headers=HTML, follow_redirects=False)
    assert answer.status_code == 409
    [kept] = partials(invited)
    assert kept.finished_at is None
    assert kept.answers == partial.answers
    assert kept.paradata["started_at"] == partial.paradata["started_at"]


def test_too_many_starts_from_one_device_are_refused_politely(
    client: TestClient[Litestar], invited: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entry, "DEVICE_STARTS_PER_DAY", 2)
    answers = []
    for _ in range(3):
        resident = Resident(client)
        resident.open(f"/s/{SLUG}")
        answers.append(resident.post({"q.consent": "agree"}))
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "请稍后再试" in resident.page
    assert answers[-1].headers["retry-after"] == "3600"
    invited_page = Resident(client)
    invited_page.open(f"/s/{SLUG}/i/family")
    assert invited_page.post({"q.consent": "agree"}).status_code == 200


def test_too_many_starts_from_one_address_are_refused(
    invited: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entry, "ADDRESS_STARTS_PER_HOUR", 2)
    codes = []
    for _ in range(3):
        with TestClient(app=create_app(invited), base_url="http://127.0.0.1") as phone:
            resident = Resident(phone)
            resident.open(f"/s/{SLUG}")
            codes.append(resident.post({"q.consent": "agree"}).status_code)
    assert codes == [200, 200, 429]


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient[Litestar], invited: Settings
) -> None:
    client.get(f"/s/{SLUG}", headers=HTML)
    answer = client.post(f"/s/{SLUG}", data={"q.consent": "agree"}, headers=HTML)
    assert answer.status_code == 403
    assert partials(invited) == []


def test_an_oversized_page_is_refused(client: TestClient[Litestar], invited: Settings) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}")
    answer = resident.post({"q.consent": "agree", "padding": "x" * 100_000})
    assert answer.status_code == 413
    assert partials(invited) == []


def test_long_answers_are_cut_to_the_limit(client: TestClient[Litestar], invited: Settings) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}")
    resident.answer_all()
    resident.post({"q.suggestions": "长" * 2000})
    [response] = stored(invited)
    assert len(response.answers["suggestions"]) == 500


def test_a_closed_wave_gets_a_clear_page(client: TestClient[Litestar], invited: Settings) -> None:
    async def close(db: AsyncSession) -> None:
        await db.execute(update(Wave).values(is_open=False))
        await db.commit()

    run_with_session(invited, close)
    page = client.get(f"/s/{SLUG}", headers=HTML)
    assert page.status_code == 410
    assert "本次调查已结束" in page.text


def test_unanswered_pages_cannot_be_submitted_by_posting_the_last_page(
    client: TestClient[Litestar], invited: Settings
) -> None:
    resident = Resident(client)
    resident.open(f"/s/{SLUG}")
    resident.post({"q.consent": "agree"})
    resident.post(ELIGIBLE)
    resident.post(ABOUT_ME)
    for _, fields in OPINIONS[:2]:
        resident.post(fields)
    token = resident.resume_token
    page = client.post(
        f"/s/{SLUG}/r/{token}/closing",
        data={
            "_csrf_token": hidden(resident.page, "_csrf_token"),
            "shown_at": "",
            "action": "next",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert page.status_code == 422
    assert stored(invited) == []
