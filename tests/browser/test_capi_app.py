"""The enumerator's tablet app in Chromium at tablet size, against a real server on the demo city.

Each test uses its own demo enumerator (enum04, enum05, enum06) and reads the live server's
database to check what the server really holds.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

TABLET = {"width": 1024, "height": 768}
AGES = {"age_14_29": "22", "age_30_39": "35", "age_40_49": "45", "age_50_59": "55"}
MOVED_ON = """(before) => !document.getElementById('home-view').hidden
  || !document.getElementById('quota-stop').hidden
  || Boolean(document.querySelector('#page-questions .has-error'))
  || document.querySelector('#page-questions p.hint').textContent !== before"""


@pytest.fixture(scope="module")
def live_database(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file behind `live_server` (made by the browser conftest in a "live" folder)."""
    [database] = tmp_path_factory.getbasetemp().glob("live[0-9]*/minyi.db")
    return database


def query(database: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(sql, parameters).fetchall()


def responses_of(database: Path, username: str) -> int:
    [(count,)] = query(
        database,
        "SELECT count(*) FROM responses JOIN users ON users.id = responses.enumerator_id "
        "WHERE users.username = ?",
        username,
    )
    return int(count)


def stored(database: Path, uuids: list[str]) -> list[tuple[Any, ...]]:
    hexes = [uuid.UUID(u).hex for u in uuids]
    marks = ",".join("?" for _ in hexes)
    return query(
        database,
        "SELECT client_uuid, disposition, mode, paradata, answers, review_state, id "
        f"FROM responses WHERE client_uuid IN ({marks})",
        *hexes,
    )


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="zh-CN")
    yield context
    context.close()


def wait_idle(page: Page) -> None:
    page.wait_for_selector("body[data-ready=yes][data-sync=idle]", state="attached")


def sign_in(page: Page, base: str, username: str, password: str = "minyi-enumerator") -> None:
    page.goto(f"{base}/enumerator")
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/enumerator")
    wait_idle(page)


def install(page: Page) -> None:
    """Wait for the service worker, then reload so that it controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_idle(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def open_cell(page: Page, row: int, full: bool) -> tuple[str, str]:
    """Age and sex of a quota cell of the row's community that is (or is not) full."""
    selector = "li.cell.full" if full else "li.cell:not(.full)"
    cells = page.locator("#assignment-rows tr").nth(row).locator(selector)
    for index in range(cells.count()):
        age_group, sex = (cells.nth(index).get_attribute("data-cell") or "").split("|")
        if age_group in AGES:
            return AGES[age_group], sex
    raise AssertionError("no such quota cell in this community")


def answer_all(page: Page, overrides: dict[str, str]) -> None:
    """Answer page after page as an enumerator would, until the interview is saved."""
    for _ in range(30):
        page.wait_for_selector("#interview-form:not([hidden])")
        for _ in range(2):
            for question in page.locator("#page-questions fieldset.question").all():
                name = (question.get_attribute("id") or "")[2:]
                if name in overrides:
                    page.check(f"#q-{name}-{overrides[name]}")
                elif question.locator("input:checked").count() == 0:
                    question.locator("input").first.check()
        for field in page.locator("#page-questions div.question input").all():
            name = field.get_attribute("name") or ""
            if name in overrides:
                field.fill(overrides[name])
                field.dispatch_event("change")
        before = page.locator("#page-questions p.hint").first.inner_text()
        page.click("#next")
        for _ in range(100):
            if page.evaluate(MOVED_ON, before):
                break
            page.wait_for_timeout(50)
        assert page.locator("#page-questions .has-error").count() == 0
        if page.locator("#home-view").is_visible() or page.locator("#quota-stop").is_visible():
            return
    raise AssertionError("the interview never ended")


def interview(page: Page, row: int, overrides: dict[str, str]) -> None:
    page.locator("#assignment-rows tr").nth(row).locator("button.start").click()
    page.check("#gps-consent")
    page.click("#begin")
    answer_all(page, overrides)


def complete(page: Page, row: int) -> None:
    age, sex = open_cell(page, row, full=False)
    interview(page, row, {"consent": "agree", "resident_6m": "yes", "age": age, "sex": sex})
    page.wait_for_selector("#home-view:not([hidden])")


def record_outcome(page: Page, row: int, code: str) -> None:
    page.locator("#assignment-rows tr").nth(row).locator("button.no-interview").click()
    page.check(f"#outcome-{code.replace('.', '-')}")
    page.click("#outcome-save")
    page.wait_for_selector("#home-view:not([hidden])")


def queue(page: Page, status: str) -> list[str]:
    return [
        item.get_attribute("data-uuid") or ""
        for item in page.locator(f"#queue-items li[data-status={status}]").all()
    ]


def test_interviews_made_offline_reach_the_server_once(
    live_server: str, context: BrowserContext, live_database: Path
) -> None:
    page = context.new_page()
    sign_in(page, live_server, "enum04")
    install(page)
    before = responses_of(live_database, "enum04")

    context.set_offline(True)
    page.reload()
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "我的任务"
    assert page.locator("#network").inner_text() == "离线：访问保存在本机"
    assert page.evaluate("fetch('/api/capi/bootstrap').then(() => 'reached', () => 'offline')") == (
        "offline"
    )
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/api/capi/interviews" in r.url else None)
    for _ in range(3):
        complete(page, 0)
    record_outcome(page, 1, "2.11")
    assert len(queue(page, "pending")) == 4

    page.close()
    page = context.new_page()
    page.on("request", lambda r: uploads.append(r.url) if "/api/capi/interviews" in r.url else None)
    page.goto(f"{live_server}/enumerator")
    wait_idle(page)
    sent_later = queue(page, "pending")
    assert len(sent_later) == 4
    assert uploads == []

    context.set_offline(False)
    expect(page.locator("#queue-items li[data-status=sent]")).to_have_count(4, timeout=60_000)
    rows = stored(live_database, sent_later)
    assert len(rows) == 4
    assert sorted(row[1] for row in rows) == ["1.1", "1.1", "1.1", "2.11"]
    assert {row[2] for row in rows} == {"capi"}
    for _, disposition, _, paradata_text, answers, _, _ in rows:
        paradata = json.loads(paradata_text)
        assert {"duration_seconds", "started_at", "ended_at"} <= set(paradata)
        if disposition == "1.1":
            assert "consent" in paradata["timings"]
            assert '"community"' in answers
    assert responses_of(live_database, "enum04") == before + 4
    assert len(uploads) == 4

    uploads.clear()
    page.click("#sync-now")
    page.wait_for_selector("#notice:has-text('没有需要发送的访问。')")
    wait_idle(page)
    assert uploads == []
    assert responses_of(live_database, "enum04") == before + 4


def test_a_sync_cut_off_midway_stores_every_interview_once_on_retry(
    live_server: str, context: BrowserContext, live_database: Path
) -> None:
    page = context.new_page()
    sign_in(page, live_server, "enum05")
    before = responses_of(live_database, "enum05")
    context.set_offline(True)
    complete(page, 0)
    complete(page, 1)
    record_outcome(page, 2, "2.20")
    age, sex = open_cell(page, 0, full=True)
    interview(page, 0, {"consent": "agree", "resident_6m": "yes", "age": age, "sex": sex})
    assert page.locator("#quota-stop").is_visible()
    page.click("#next")
    page.wait_for_selector("#home-view:not([hidden])")
    uuids = queue(page, "pending")
    assert len(uuids) == 4

    calls: list[int] = []
    dropped: list[str] = []

    def drop_the_second_answer(route: Route) -> None:
        calls.append(1)
        if len(calls) == 2:
            dropped.append(json.loads(route.request.post_data or "{}")["interviews"][0]["uuid"])
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/capi/interviews", drop_the_second_answer)
    context.set_offline(False)  # the app syncs by itself when the network returns
    page.wait_for_selector("#notice:has-text('无法连接服务器')")
    wait_idle(page)
    [lost_answer] = dropped
    assert stored(live_database, [lost_answer])
    assert lost_answer in queue(page, "pending")

    page.unroute("**/api/capi/interviews")
    page.click("#sync-now")
    expect(page.locator("#queue-items li[data-status=sent]")).to_have_count(4, timeout=30_000)
    rows = stored(live_database, uuids)
    assert len(rows) == 4
    assert sorted(row[1] for row in rows) == ["1.1", "1.1", "2.20", "4.80"]
    assert responses_of(live_database, "enum05") == before + 4


def test_a_rejected_interview_is_corrected_on_the_tablet_and_approved(
    live_server: str, browser: Browser, context: BrowserContext, live_database: Path
) -> None:
    tablet = context.new_page()
    sign_in(tablet, live_server, "enum06")
    complete(tablet, 0)
    tablet.wait_for_selector("#queue-items li[data-status=sent]")
    [sent] = queue(tablet, "sent")
    [(_, _, _, _, _, _, response_id)] = stored(live_database, [sent])

    desk = browser.new_context(viewport=TABLET, locale="zh-CN").new_page()
    desk.goto(f"{live_server}/review/{response_id}")
    desk.fill("#username", "supervisor")
    desk.fill("#password", "minyi-supervisor")
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"{live_server}/review/{response_id}")
    desk.fill("#reject-comment", "请再核实一次受访者是否支持创建工作")
    desk.click("#reject")
    assert desk.locator("#review-state").inner_text() == "已退回"

    tablet.click("#sync-now")
    returned = tablet.locator(f"#queue-items li[data-uuid='{sent}'][data-status=returned]")
    returned.wait_for()
    assert "请再核实一次受访者是否支持创建工作" in returned.locator(".comment").inner_text()
    returned.locator("button.correct").click()
    assert "督导意见" in tablet.locator("#interview-place").inner_text()
    answer_all(tablet, {"support": "unsure"})
    tablet.wait_for_selector(f"#queue-items li[data-uuid='{sent}'][data-status=sent]")

    [(_, _, _, _, answers, state, _)] = stored(live_database, [sent])
    assert json.loads(answers)["support"] == "unsure"
    assert state == "received"
    desk.reload()
    desk.fill("#approve-comment", "已核实")
    desk.click("#approve")
    assert desk.locator("#review-state").inner_text() == "已通过"
    steps = [step.get_attribute("data-action") for step in desk.locator(".history li").all()]
    assert steps == ["received", "rejected", "revised", "approved"]
    desk.context.close()

    tablet.click("#sync-now")
    tablet.wait_for_selector(
        f"#queue-items li[data-uuid='{sent}'] .status:has-text('已通过')", timeout=15_000
    )
