"""An analyst builds surveys in Chromium: template, XLSForm upload, problems, preview."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.app.test_surveys import XLSX, district_form, settings_sheet, with_row, workbook


def _analyst(live_server: str, browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login?next=/admin/surveys")
    page.fill("#username", "analyst")
    page.fill("#password", "minyi-analyst")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/admin/surveys")
    return page


def test_the_demo_survey_shows_versions_and_indicators(live_server: str, browser: Browser) -> None:
    page = _analyst(live_server, browser)
    page.get_by_role("link", name="文明城市创建市民问卷调查").first.click()
    page.wait_for_url(f"{live_server}/admin/surveys/civilized-city-2026")
    assert page.locator("article.indicator").count() == 9
    assert "目标 ≥ 90%" in page.locator("#indicator-volunteer_recognition_rate").inner_text()
    page.locator("table a[href*='/versions/']").first.click()
    assert "有效期至" in page.locator("main").inner_text()
    assert "Valid until" in page.locator("pre.outline[lang=en]").inner_text()
    page.close()


def test_a_template_survey_and_an_xlsform_upload(live_server: str, browser: Browser) -> None:
    page = _analyst(live_server, browser)
    page.get_by_role("link", name="新建调查").click()
    page.check("#template-sense_of_security")
    page.fill("#template-slug", "security-browser")
    page.fill("#template-wave", "2027年一季度")
    page.locator("form[action$='/new/template'] button[type=submit]").click()
    page.wait_for_url(f"{live_server}/admin/surveys/security-browser")
    assert page.locator("h1").inner_text() == "群众安全感调查"
    assert page.locator("article.indicator").count() == 1

    page.goto(f"{live_server}/admin/surveys/new")
    broken = workbook(
        {
            "survey": with_row(["geopoint", "where", "位置", "Location"]),
            "settings": settings_sheet(),
        }
    )
    page.set_input_files(
        "#xlsform-file", files=[{"name": "broken.xlsx", "mimeType": XLSX, "buffer": broken}]
    )
    page.fill("#xlsform-slug", "district-browser")
    page.locator("form[action$='/new/xlsform'] button[type=submit]").click()
    alert = page.get_by_role("alert")
    assert "未保存任何内容" in alert.inner_text()
    assert "A (type)" in alert.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.set_input_files(
        "#xlsform-file",
        files=[{"name": "district.xlsx", "mimeType": XLSX, "buffer": district_form()}],
    )
    page.fill("#xlsform-slug", "district-browser")
    page.locator("form[action$='/new/xlsform'] button[type=submit]").click()
    page.wait_for_url(f"{live_server}/admin/surveys/district-browser")
    assert "文创调02表" in page.locator("main").inner_text()
    page.close()
