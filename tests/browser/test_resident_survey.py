"""A resident answers the demo survey on a 360 × 740 phone screen in Chromium, in Chinese and in
English: consent, screening, live skip logic and messages, save, resume on another device,
submit; the response is stored once with its paradata, and its indicators derive."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from questionnaires.indicators import derive_indicator
from questionnaires.templates import load_template

SLUG = "civilized-city-2026"
PHONE = {"width": 360, "height": 740}
INDICATORS = load_template("civilized_city_resident").indicators

WORDS = {
    "zh": {
        "agree": "同意参加",
        "yes": "是",
        "no": "否",
        "age": "您的年龄是多少周岁？",
        "age_message": "请填写0至120之间的整数年龄。",
        "ineligible": "您无需继续作答",
        "next": "下一页",
        "submit": "提交",
        "save": "保存，稍后继续",
        "saved": "您的回答已保存",
        "female": "女",
        "know": "知道",
        "tv": "电视、广播",
        "suggestions": "多建一些口袋公园",
        "thanks": "感谢您的参与",
        "privacy": "隐私声明",
    },
    "en": {
        "agree": "I agree to take part",
        "yes": "Yes",
        "no": "No",
        "age": "How old are you (in completed years)?",
        "age_message": "Enter an age from 0 to 120 in whole years.",
        "ineligible": "there is nothing more for you to answer",
        "next": "Next",
        "submit": "Submit",
        "save": "Save and continue later",
        "saved": "Your answers are saved",
        "female": "Female",
        "know": "Yes, I know",
        "tv": "Television or radio",
        "suggestions": "More pocket parks, please",
        "thanks": "Thank you",
        "privacy": "Privacy notice",
    },
}


def live_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file behind `live_server` (a session fixture in the same temporary root)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/minyi.db"))
    assert found, "the live server's database was not found"
    return found[-1]


def query(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql, args).fetchall()


def stored_for(database: Path, resume_token: str) -> list[dict[str, Any]]:
    """The responses stored for the questionnaire behind a resume token."""
    rows = query(
        database,
        "SELECT r.answers, r.paradata, r.disposition, r.is_probability_sample, r.mode "
        "FROM responses r JOIN partial_responses p ON p.client_uuid = r.client_uuid "
        "WHERE p.resume_token = ?",
        resume_token,
    )
    return [
        {
            "answers": json.loads(answers),
            "paradata": json.loads(paradata),
            "disposition": disposition,
            "probability": bool(probability),
            "mode": mode,
        }
        for answers, paradata, disposition, probability, mode in rows
    ]


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


def fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def next_page(page: Page, words: dict[str, str]) -> None:
    fits_the_screen(page)
    before = page.url
    page.get_by_role("button", name=words["next"], exact=True).click()
    page.wait_for_url(lambda url: url != before)


def answer_until_saved(page: Page, base: str, words: dict[str, str], lang: str) -> str:
    """Consent, screening (with a constraint message and the screen-out shown and hidden),
    the first demographic answers, then save; returns the resume link."""
    page.goto(f"{base}/s/{SLUG}?lang={lang}")
    expect(page.get_by_role("heading", name=words["privacy"])).to_be_visible()
    assert page.locator(".legal").is_visible()
    page.get_by_role("radio", name=words["agree"]).check()
    next_page(page, words)

    age = page.get_by_label(words["age"])
    age.fill("130")
    age.press("Tab")
    expect(page.locator("#error-age")).to_have_text(words["age_message"])
    age.fill("35")
    age.press("Tab")
    expect(page.locator("#error-age")).to_be_hidden()
    page.get_by_role("radio", name=words["no"], exact=True).check()
    expect(page.get_by_text(words["ineligible"])).to_be_visible()
    expect(page.locator("#next-button")).to_have_text(words["submit"])
    page.get_by_role("radio", name=words["yes"], exact=True).check()
    expect(page.get_by_text(words["ineligible"])).to_be_hidden()
    expect(page.locator("#next-button")).to_have_text(words["next"])
    next_page(page, words)

    page.get_by_role("radio", name=words["female"], exact=True).check()
    districts = page.locator("[name='q.district']")
    district = districts.nth(1).get_attribute("value") or ""
    districts.nth(1).check()
    streets = page.locator("[name='q.street']")
    expect(streets.first).to_be_visible()
    codes = [streets.nth(i).get_attribute("value") or "" for i in range(streets.count())]
    assert codes
    assert all(code.startswith(district) for code in codes), codes
    streets.first.check()
    communities = page.locator("[name='q.community']")
    expect(communities.first).to_be_visible()
    assert all(
        (communities.nth(i).get_attribute("value") or "").startswith(codes[0])
        for i in range(communities.count())
    )
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("heading", name=words["saved"])).to_be_visible()
    fits_the_screen(page)
    return page.locator("#resume-link").input_value()


def finish_from_resume(page: Page, link: str, words: dict[str, str]) -> None:
    """On another device: the saved answers are back; the rest is answered and submitted."""
    page.goto(link)
    expect(page.locator("[name='q.district']:checked")).to_have_count(1)
    page.locator("[name='q.community']").first.check()
    next_page(page, words)
    expect(page.locator("[data-q='aware_channels']")).to_be_hidden()
    page.get_by_role("radio", name=words["know"], exact=True).check()
    expect(page.locator("[data-q='aware_channels']")).to_be_visible()
    page.get_by_role("checkbox", name=words["tv"]).check()
    next_page(page, words)
    while "/satisfaction_page" not in page.url:
        for name in page.locator("fieldset[data-q]:visible").evaluate_all(
            "boxes => boxes.map(box => box.dataset.q)"
        ):
            page.locator(f"[name='q.{name}']").first.check()
        next_page(page, words)
    page.locator("[name='q.satisfaction'][value='dissatisfied']").check()
    expect(page.locator("[data-q='dissatisfaction_reason']")).to_be_visible()
    page.locator("[name='q.living_environment']").first.check()
    next_page(page, words)
    while "/closing" not in page.url:
        for name in page.locator("fieldset[data-q]:visible").evaluate_all(
            "boxes => boxes.map(box => box.dataset.q)"
        ):
            page.locator(f"[name='q.{name}']").first.check()
        next_page(page, words)
    page.locator("#f-suggestions").fill(words["suggestions"])
    fits_the_screen(page)


def check_stored_once(database: Path, resume_token: str, words: dict[str, str]) -> None:
    [response] = stored_for(database, resume_token)
    assert response["disposition"] == "1.1"
    assert response["mode"] == "web"
    assert not response["probability"]
    assert response["answers"]["age"] == 35
    assert response["answers"]["suggestions"] == words["suggestions"]
    paradata = response["paradata"]
    assert paradata["javascript"] is True
    assert paradata["duration_seconds"] > 0
    assert set(paradata["page_seconds"]) >= {"consent_page", "screening", "closing"}
    assert len(paradata["devices"]) == 2
    for indicator in INDICATORS:
        derived = derive_indicator(indicator, [response["answers"]])
        assert derived.values[0] in (0.0, 1.0), indicator.id
        assert derived.domains["community"] == [response["answers"]["community"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_answers_on_a_phone_saves_and_finishes_on_another_device(
    live_server: str,
    browser: Browser,
    phone: BrowserContext,
    tmp_path_factory: pytest.TempPathFactory,
    lang: str,
) -> None:
    words = WORDS[lang]
    link = answer_until_saved(phone.new_page(), live_server, words, lang)
    token = re.sub(r".*/r/", "", link)
    other = browser.new_context(viewport=PHONE)
    try:
        page = other.new_page()
        page.goto(f"{live_server}/s/{SLUG}?lang={lang}")
        finish_from_resume(page, link, words)
        page.get_by_role("button", name=words["submit"], exact=True).dblclick()
        expect(page.get_by_role("heading", name=words["thanks"])).to_be_visible()
        fits_the_screen(page)
    finally:
        other.close()
    check_stored_once(live_database(tmp_path_factory), token, words)


def test_a_submit_whose_answer_is_lost_and_retried_stores_one_response(
    live_server: str,
    phone: BrowserContext,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    words = WORDS["zh"]
    page = phone.new_page()
    link = answer_until_saved(page, live_server, words, "zh")
    finish_from_resume(page, link, words)
    sent: list[tuple[str, str]] = []

    def lose_the_answer(route: Route) -> None:
        request = route.request
        if request.method == "POST" and not sent:
            route.fetch(max_redirects=0)
            sent.append((request.url, request.post_data or ""))
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/closing$"), lose_the_answer)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.wait_for_timeout(500)
    url, body = sent[0]
    retry = page.request.post(
        url,
        data=body,
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert retry.ok
    assert words["thanks"] in retry.text()
    token = re.sub(r".*/r/", "", link)
    assert len(stored_for(live_database(tmp_path_factory), token)) == 1


def test_a_used_invitation_cannot_answer_twice(
    live_server: str, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database = live_database(tmp_path_factory)
    [(token,)] = query(
        database,
        "SELECT token FROM invitations WHERE uses_left = 1 AND id NOT IN "
        "(SELECT invitation_id FROM partial_responses WHERE invitation_id IS NOT NULL) "
        "ORDER BY id LIMIT 1",
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/s/{SLUG}/i/{token}")
    page.get_by_role("radio", name=WORDS["zh"]["agree"]).check()
    next_page(page, WORDS["zh"])
    page.get_by_label(WORDS["zh"]["age"]).fill("12")
    page.get_by_role("radio", name="是", exact=True).check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("本次调查的对象是在本市居住满6个月")).to_be_visible()
    context.close()
    again = browser.new_context(viewport=PHONE).new_page()
    again.goto(f"{live_server}/s/{SLUG}/i/{token}")
    expect(again.get_by_role("heading", name="此邀请已经使用过")).to_be_visible()
    [(disposition, probability)] = query(
        database,
        "SELECT r.disposition, r.is_probability_sample FROM responses r "
        "JOIN invitations i ON i.id = r.invitation_id WHERE i.token = ?",
        token,
    )
    assert (disposition, probability) == ("4.70", 1)


def test_a_forged_invitation_gets_a_clear_page(live_server: str, phone: BrowserContext) -> None:
    page = phone.new_page()
    page.goto(f"{live_server}/s/{SLUG}/i/not-a-real-invitation")
    expect(page.get_by_role("heading", name="此邀请链接无效")).to_be_visible()
    fits_the_screen(page)


def test_the_survey_works_without_javascript(
    live_server: str, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The server alone applies skip logic, choice filters and messages, page by page."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    words = WORDS["zh"]
    page.goto(f"{live_server}/s/{SLUG}")
    page.get_by_role("radio", name=words["agree"]).check()
    next_page(page, words)
    page.get_by_role("radio", name=words["yes"], exact=True).check()
    page.get_by_label(words["age"]).fill("130")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#error-summary")).to_contain_text(words["age_message"])
    expect(page.locator("#error-age")).to_have_text(words["age_message"])
    page.get_by_label(words["age"]).fill("35")
    next_page(page, words)

    expect(page.locator("[name='q.street']")).to_have_count(0)
    page.get_by_role("radio", name=words["female"], exact=True).check()
    districts = page.locator("[name='q.district']")
    district = districts.first.get_attribute("value") or ""
    districts.first.check()
    page.get_by_role("button", name="显示相应选项").first.click()
    streets = page.locator("[name='q.street']")
    expect(streets.first).to_be_visible()
    assert all(
        (streets.nth(i).get_attribute("value") or "").startswith(district)
        for i in range(streets.count())
    )
    streets.first.check()
    page.get_by_role("button", name="显示相应选项").last.click()
    page.locator("[name='q.community']").first.check()
    next_page(page, words)

    expect(page.locator("[data-q='aware_channels']")).to_be_hidden()
    page.get_by_role("radio", name=words["know"], exact=True).check()
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("[data-q='aware_channels']")).to_be_visible()
    page.get_by_role("checkbox", name=words["tv"]).check()
    next_page(page, words)
    assert page.url.endswith("/support_page")
    token = re.sub(r".*/r/([^/]+)/.*", r"\1", page.url)
    context.close()
    [(paradata,)] = query(
        live_database(tmp_path_factory),
        "SELECT paradata FROM partial_responses WHERE resume_token = ?",
        token,
    )
    assert json.loads(paradata)["javascript"] is False
