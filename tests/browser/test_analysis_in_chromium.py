"""An analyst on the demo city: runs weighting, reads the verdicts and charts, downloads the
PDF report and the Excel workbook."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser


def test_analyst_weights_reads_verdicts_and_downloads_reports(
    live_server: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server}/analysis/weighting")
    page.fill("#username", "analyst")
    page.fill("#password", "minyi-analyst")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/analysis/weighting")
    assert page.locator("h1").inner_text().startswith("加权运行")
    page.click("#run-weighting")
    page.wait_for_url(f"{live_server}/analysis/estimates?run=*", timeout=60_000)
    assert page.locator("h1").inner_text() == "估计与报告"
    verdicts = page.locator("table.estimates .verdict").all_inner_texts()
    assert len(verdicts) == 18
    assert set(verdicts) <= {"达标", "未达标", "无法判定"}
    charts = page.locator(".chart svg")
    assert charts.count() >= 10
    assert charts.first.bounding_box()["width"] > 300  # type: ignore[index]
    assert page.locator(".chart svg text", has_text="东城区").count() >= 1
    for link, suffix, magic in (
        ("#download-pdf", ".pdf", b"%PDF"),
        ("#download-xlsx", ".xlsx", b"PK"),
    ):
        with page.expect_download() as waiting:
            page.click(link)
        download = waiting.value
        assert download.suggested_filename.endswith(suffix)
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.read_bytes().startswith(magic)
    page.close()


def test_dashboard_shows_progress_chart(live_server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"{live_server}/analysis/")
    page.fill("#username", "supervisor")
    page.fill("#password", "minyi-supervisor")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/analysis" in url and "/login" not in url)
    assert page.locator("h1").inner_text().startswith("实地调查进度")
    assert page.locator(".chart svg rect").count() >= 12
    assert page.locator("#rates-heading").inner_text() == "应答率（AAPOR标准）"
    page.close()
