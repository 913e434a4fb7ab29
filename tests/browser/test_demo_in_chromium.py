"""A newcomer after `make run`: the printed pages open in Chromium and the demo logins work."""

from __future__ import annotations

from playwright.sync_api import Browser


def test_analyst_signs_in_and_sees_progress(live_server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server}/admin/")
    page.fill("#username", "analyst")
    page.fill("#password", "minyi-analyst")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/admin")
    assert page.locator("h1").inner_text() == "概览"
    assert page.locator("table tbody tr").count() == 6
    page.close()


def test_resident_page_fits_a_phone(live_server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server}/s/civilized-city-2026")
    assert "文明城市创建市民问卷调查" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


def test_enumerator_signs_in_with_the_keyboard(live_server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"{live_server}/enumerator/")
    page.keyboard.press("Tab")
    page.locator("#username").focus()
    page.keyboard.type("enum01")
    page.keyboard.press("Tab")
    page.keyboard.type("minyi-enumerator")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/enumerator")
    assert page.locator("h1").inner_text() == "我的任务"
    assert page.locator("table tbody tr").count() == 5
    page.close()


def test_wrong_password_is_announced(live_server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", "admin")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"
    page.close()
