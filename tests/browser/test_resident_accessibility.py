"""Every kind of page a resident meets: axe-core finds no serious or critical WCAG 2.1 AA
violation, the page stays within the screen at 360 px and at 200 % zoom, it can be answered
with the keyboard alone, and it weighs well under 100 KB with everything it loads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_resident_survey import PHONE, SLUG, live_database, query

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MOST_BYTES = 100_000
"""The budget for a page with everything it loads, uncached (the issue asks for well under)."""


def _first(page: Page, base: str) -> None:
    page.goto(f"{base}/s/{SLUG}")


def _problems(page: Page, base: str) -> None:
    _first(page, base)
    page.get_by_role("button", name="下一页").click()
    expect(page.locator("#error-summary")).to_be_focused()


def _to_screening(page: Page, base: str) -> None:
    _first(page, base)
    page.get_by_role("radio", name="同意参加").check()
    page.get_by_role("button", name="下一页").click()
    page.wait_for_url(re.compile(r".*/screening$"))


def _demographics(page: Page, base: str) -> None:
    _to_screening(page, base)
    page.get_by_role("radio", name="是", exact=True).check()
    page.get_by_label("您的年龄是多少周岁？").fill("35")
    page.get_by_role("button", name="下一页").click()
    page.wait_for_url(re.compile(r".*/demographics$"))
    page.locator("[name='q.district']").first.check()
    page.locator("[name='q.street']").first.check()


def _saved(page: Page, base: str) -> None:
    _to_screening(page, base)
    page.get_by_role("button", name="保存，稍后继续").click()
    page.wait_for_url(re.compile(r".*/saved/.*"))


def _done(page: Page, base: str) -> None:
    _to_screening(page, base)
    page.get_by_role("radio", name="否", exact=True).check()
    page.get_by_label("您的年龄是多少周岁？").fill("40")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="感谢您的参与")).to_be_visible()


def _english(page: Page, base: str) -> None:
    page.goto(f"{base}/s/{SLUG}?lang=en")


def _forged(page: Page, base: str) -> None:
    page.goto(f"{base}/s/{SLUG}/i/forged")


def _unknown_resume(page: Page, base: str) -> None:
    page.goto(f"{base}/s/{SLUG}/r/unknown")


PAGES: dict[str, Callable[[Page, str], None]] = {
    "first page (consent, markings, notice)": _first,
    "page with problems": _problems,
    "screening": _to_screening,
    "choice filters (demographics)": _demographics,
    "saved, with the resume link": _saved,
    "thank-you (screened out)": _done,
    "first page in English": _english,
    "forged invitation": _forged,
    "unknown resume link": _unknown_resume,
}


@pytest.fixture
def axe_phone(browser: Browser) -> Iterator[BrowserContext]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` at the repository root")
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    yield context
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    live_server: str, axe_phone: BrowserContext, name: str
) -> None:
    page = axe_phone.new_page()
    PAGES[name](page, live_server)
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


@pytest.mark.parametrize("name", list(PAGES))
def test_page_weight_is_well_under_the_budget(
    live_server: str, browser: Browser, name: str, record_property: Callable[[str, Any], None]
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    PAGES[name](page, live_server)
    page.wait_for_load_state("load")
    weight = page.evaluate(
        """async () => {
            const [nav] = performance.getEntriesByType('navigation');
            const links = [...document.querySelectorAll('script[src], link[rel=stylesheet]')];
            let total = nav.encodedBodySize;
            for (const link of links) {
                const body = await fetch(link.src || link.href, {cache: 'no-store'});
                total += (await body.arrayBuffer()).byteLength;
            }
            return total;
        }"""
    )
    context.close()
    record_property("bytes", weight)
    print(f"page weight, {name}: {weight} bytes")
    assert 0 < weight < MOST_BYTES * 0.6, name


@pytest.mark.parametrize("width", [180, 320])
def test_pages_reflow_at_200_and_400_percent_zoom(
    live_server: str, browser: Browser, width: int
) -> None:
    """200 % zoom on a 360 px phone leaves 180 CSS pixels; WCAG 1.4.10 asks for 320."""
    context = browser.new_context(viewport={"width": width, "height": 640})
    page = context.new_page()
    for name in ("first page (consent, markings, notice)", "choice filters (demographics)"):
        PAGES[name](page, live_server)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    context.close()


def test_a_resident_can_answer_with_the_keyboard_alone(
    live_server: str, phone: BrowserContext, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server}/s/{SLUG}")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q.consent":
            break
    focused = page.locator(":focus")
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    expect(page.locator("[name='q.consent'][value='agree']")).to_be_checked()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "next-button":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/screening$"))
    token = re.sub(r".*/r/([^/]+)/.*", r"\1", page.url)
    [(answers,)] = query(
        live_database(tmp_path_factory),
        "SELECT answers FROM partial_responses WHERE resume_token = ?",
        token,
    )
    assert '"consent"' in answers


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()
