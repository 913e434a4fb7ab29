"""An analyst after `make run`: upload the demo frame, plan ±3 % at 90 % per district, draw,
assign the demo enumerators and print the assignment sheet — all in Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

SERVER_START_TRIES = 100


@pytest.fixture(scope="module")
def design_server(tmp_path_factory: pytest.TempPathFactory, live_server: str) -> Iterator[str]:
    """A demo server of its own: this flow adds a wave and assignments other tests must not see.

    It asks for `live_server` only to be skipped, like it, where Chromium is missing.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    database = tmp_path_factory.mktemp("design") / "minyi.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    for verb in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(
            [sys.executable, "-m", "survey_app.cli", *verb],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    log = (database.parent / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(SERVER_START_TRIES):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the design server did not answer /health: see {log.name}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def sign_in_as_analyst(page: Page, base: str) -> None:
    page.goto(f"{base}/design/")
    page.fill("#username", "analyst")
    page.fill("#password", "minyi-analyst")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"{base}/design/?$"))


def test_analyst_goes_from_the_demo_frame_to_a_printed_sheet(
    design_server: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    sign_in_as_analyst(page, design_server)
    assert page.locator("h1").inner_text() == "抽样设计"

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").first.click()
    frame_csv = tmp_path / "demo-frame.csv"
    download.value.save_as(frame_csv)
    page.set_input_files("#frame-file", frame_csv)
    page.fill("#frame-name", "上传的示范框")
    page.get_by_role("button", name="导入抽样框").click()
    page.wait_for_url("**/design/plan?frame_id=*")
    assert "上传的示范框" in page.locator("#frame_id option:checked").inner_text()

    assert page.input_value("#moe") == "3"
    assert page.input_value("#p") == "90"
    page.check("input[name=scope][value=district]")
    page.check("input[name=effect][value=deff]")
    page.fill("#deff", "1.5")
    page.fill("#per_community", "50")
    page.get_by_role("button", name="查看方案").click()
    table = page.locator(".plan-table")
    assert table.locator("tbody tr").count() == 6
    assert "东城区" in table.inner_text()
    assert "n₀ = 384.1" in page.locator("#result").inner_text()
    page.get_by_role("button", name="保存此方案").click()
    page.wait_for_url("**/design/*")
    assert page.locator(".plan-table tbody tr").count() == 6

    page.fill("#seed", "2026")
    page.get_by_role("button", name="抽取样本").click()
    page.wait_for_url("**#sample")
    sample = page.locator("#sample table")
    assert sample.locator("tbody tr").count() == 6 * 12 + 6 * 2
    assert "备用 1" in sample.inner_text()

    page.get_by_role("button", name="分配任务").click()
    page.wait_for_url("**#assignments")
    assignments = page.locator("#assignments table tbody tr")
    assert assignments.count() == 72
    names = set(page.locator("#assignments table tbody tr td:first-child").all_inner_texts())
    assert names == {f"调查员 {n:02d}" for n in range(1, 7)}

    page.get_by_role("link", name="可打印的任务单").click()
    page.wait_for_url("**/sheet")
    assert page.locator(".sheet-page").count() == 6
    assert page.locator(".sheet-page h1").first.inner_text().startswith("调查任务单")
    assert "60 岁及以上" in page.locator(".sheet-page").first.inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    pages = max(int(count) for count in re.findall(rb"/Count (\d+)", pdf))
    assert pages >= 6, "each enumerator starts on a new page"
    page.close()


def test_a_bad_frame_file_is_listed_by_row_and_column_and_not_stored(
    design_server: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_as_analyst(page, design_server)
    frames_before = page.locator("#frames-heading ~ table tbody tr").count()
    bad = tmp_path / "bad-frame.csv"
    bad.write_text(
        "district_code,district_name,street_code,street_name,community_code,community_name,"
        "population\n"
        "D01,东城区,D01S01,东华街道,C1,幸福社区,-40\n"
        "D01,东城区,D01S01,东华街道,C1,和谐社区,abc\n",
        encoding="utf-8",
    )
    page.set_input_files("#frame-file", bad)
    page.get_by_role("button", name="导入抽样框").click()
    alert = page.get_by_role("alert")
    assert "抽样框文件有问题，未保存任何内容" in alert.inner_text()
    items = alert.locator("li").all_inner_texts()
    assert items == [
        "第 2 行，population：不能为负数：-40",
        "第 3 行，population：不是整数：abc",
        "第 3 行，community_code：C1 已在第 2 行出现",
    ]
    assert page.locator("#frames-heading ~ table tbody tr").count() == frames_before
    page.close()
