"""The PDF report, the Excel workbook, the charts and the analysis pages on the demo city."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services
from survey_app.analysis.weighting import WeightingSettings
from survey_app.app import create_app
from survey_app.models import Survey
from survey_app.reports.charts import IntervalRow, ProgressRow, interval_chart, progress_chart, svg
from survey_app.reports.content import ReportContent, report_content
from survey_app.reports.excel import render_excel
from survey_app.reports.pdf import render_pdf
from survey_app.settings import Settings
from tests.app.test_analysis_support import DemoRun, demo_with_run
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]
VERDICTS_ZH = {"met": "达标", "not_met": "未达标", "inconclusive": "无法判定"}
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def demo(settings: Settings) -> DemoRun:
    return demo_with_run(settings)


@pytest.fixture(scope="module")
def content(demo: DemoRun) -> ReportContent:
    async def work(db: AsyncSession) -> ReportContent:
        return await report_content(db, await services.weighting_run(db, demo.run_id), "zh")

    return run_with_session(demo.settings, work)


@pytest.fixture(scope="module")
def pdf(content: ReportContent, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(render_pdf(content))
    return path


@pytest.fixture(scope="module")
def analyst(demo: DemoRun) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(demo.settings), base_url="http://127.0.0.1") as client:
        sign_in(client, "analyst", "minyi-analyst")
        yield client


def test_the_content_holds_every_indicator_with_its_definition(content: ReportContent) -> None:
    assert len(content.indicators) == 9
    assert [s.sample for s in content.samples] == ["probability", "open_link"]
    for info in content.indicators:
        assert info.label in info.definition
        assert content.samples[0].overall(info.code) is not None
    assert "说不清" in next(i.definition for i in content.indicators if "不含说不清" in i.label)
    assert content.legal is not None
    assert "表号" in content.appendix


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts) are not installed")
def test_the_pdf_embeds_a_cjk_font_and_names_every_indicator_and_verdict(
    pdf: Path, content: ReportContent
) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    embedded = {row[0].split("+")[-1] for row in rows if row[-5] == "yes"}
    assert "DroidSansFallback" in embedded
    assert all(row[-5] == "yes" for row in rows), fonts.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for info in content.indicators:
        assert re.sub(r"\s+", "", info.label) in flat, info.label
        verdict = content.samples[0].overall(info.code)
        assert verdict is not None
        assert VERDICTS_ZH[verdict.verdict] in flat
    for heading in ("方法", "应答率", "指标定义", "排名", "整改", "附录", "表号", "批准文号"):
        assert heading in flat, heading
    assert "公开链接网上答卷与概率样本分开加权、分开报告" in flat


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm) are not installed")
def test_the_pdf_renders_to_pictures(pdf: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "5", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 5
    assert all(page.stat().st_size > 2_000 for page in pages)


def test_the_english_report_is_english(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> ReportContent:
        return await report_content(db, await services.weighting_run(db, demo.run_id), "en")

    english = run_with_session(demo.settings, work)
    assert english.indicators[0].label == "Awareness rate"
    assert render_pdf(english).startswith(b"%PDF")


def test_the_workbook_lists_every_estimate(content: ReportContent) -> None:
    book = load_workbook(io.BytesIO(render_excel(content)))
    assert book.sheetnames == ["汇总", "估计值", "方法", "加权"]
    summary = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert len(summary) == 2 * 9
    assert {row[6] for row in summary} <= set(VERDICTS_ZH.values())
    estimates = list(book["估计值"].iter_rows(min_row=2, values_only=True))
    assert len(estimates) == sum(len(s.lines) for s in content.samples)
    first = estimates[0]
    assert 0 < first[6] < 1
    assert first[8] <= first[6] <= first[9]


def test_charts_become_svg_without_inline_styles() -> None:
    rows = [
        IntervalRow("东城区", 0.88, 0.80, 0.93, "inconclusive", 0.9),
        IntervalRow("Westside 西城", 0.95, 0.92, 0.97, "met", 0.9),
    ]
    drawing = interval_chart(
        rows,
        percent=lambda v: f"{v:.0%}",
        legend={"met": "达标", "not_met": "未达标", "inconclusive": "无法判定"},
        target_label="目标",
    )
    markup = svg(drawing, "知晓率")
    assert markup.startswith("<svg ")
    assert 'aria-label="知晓率"' in markup
    assert "style=" not in markup
    assert "东城区" in markup
    bars = svg(progress_chart([ProgressRow("东城区", 10, 20)], percent=str), "进度")
    assert "style=" not in bars


def test_the_analyst_sees_dashboard_weighting_and_estimates(
    analyst: TestClient[Litestar], demo: DemoRun
) -> None:
    html = {"accept": "text/html"}
    dashboard = analyst.get("/analysis/", headers=html)
    assert dashboard.status_code == 200
    assert "<svg" in dashboard.text
    assert "RR1" in dashboard.text
    assert analyst.get("/analysis/weighting", headers=html).status_code == 200
    page = analyst.get(f"/analysis/estimates?run={demo.run_id}", headers=html)
    assert page.status_code == 200
    assert page.text.count("<svg") >= 10
    assert "无法判定" in page.text
    assert "style=" not in page.text


def test_running_weighting_from_the_page_shows_its_estimates(
    analyst: TestClient[Litestar],
) -> None:
    token = csrf_token(analyst, "/analysis/weighting")
    response = analyst.post(
        "/analysis/weighting",
        data={
            "_csrf_token": token,
            "method": "linear",
            "margins": "district;age_group*sex",
            "bounds": "0.2, 5",
            "trim": "",
            "open_link": "separate",
            "interval_method": "beta",
            "confidence_level": "0.9",
            "domains": ["district", "sex"],
        },
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    target = response.headers["location"]
    page = analyst.get(target, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "beta" in page.text


def test_bad_weighting_input_is_a_clear_4xx(analyst: TestClient[Litestar]) -> None:
    token = csrf_token(analyst, "/analysis/weighting")
    response = analyst.post(
        "/analysis/weighting",
        data={"_csrf_token": token, "bounds": "0.5", "domains": ["district"]},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 422
    assert "bounds" in response.text
    assert "Traceback" not in response.text


def test_downloads_have_their_types(analyst: TestClient[Litestar], demo: DemoRun) -> None:
    pdf = analyst.get(f"/analysis/runs/{demo.run_id}/report/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    xlsx = analyst.get(f"/analysis/runs/{demo.run_id}/report/xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    assert analyst.get(f"/analysis/runs/{demo.run_id}/report/docx").status_code == 422
    assert analyst.get("/analysis/runs/999999/report/pdf").status_code == 404


def test_only_analysts_and_admins_weight(demo: DemoRun) -> None:
    with TestClient(app=create_app(demo.settings), base_url="http://127.0.0.1") as client:
        sign_in(client, "supervisor", "minyi-supervisor")
        assert client.get("/analysis/", headers={"accept": "text/html"}).status_code == 200
        assert client.get("/analysis/weighting").status_code == 403
        assert client.get(f"/analysis/runs/{demo.run_id}/report/pdf").status_code == 403
        client.cookies.clear()
        sign_in(client, "enum01", "minyi-enumerator")
        assert client.get("/analysis/").status_code == 403


def test_a_run_without_estimates_offers_to_estimate_it(
    analyst: TestClient[Litestar], demo: DemoRun
) -> None:
    async def work(db: AsyncSession) -> int:
        wave = await services.find_wave(db)
        run = await services.run_weighting(db, wave, WeightingSettings(), None)
        return run.id

    run_id = run_with_session(demo.settings, work)
    page = analyst.get(f"/analysis/estimates?run={run_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "尚未估计" in page.text
    token = csrf_token(analyst, f"/analysis/estimates?run={run_id}")
    posted = analyst.post(
        f"/analysis/runs/{run_id}/estimates",
        data={
            "_csrf_token": token,
            "interval_method": "wilson",
            "confidence_level": "0.95",
            "domains": ["district"],
        },
        follow_redirects=True,
        headers={"accept": "text/html"},
    )
    assert posted.status_code == 200
    assert "wilson" in posted.text
    assert posted.text.count("<svg") >= 10


def test_pages_follow_the_survey_with_answers_or_the_one_asked_for(
    analyst: TestClient[Litestar], demo: DemoRun
) -> None:
    async def work(db: AsyncSession) -> None:
        db.add(Survey(slug="empty-2027", title="空调查", description=""))
        await db.commit()

    run_with_session(demo.settings, work)
    html = {"accept": "text/html"}
    assert "2026年第四季度" in analyst.get("/analysis/weighting", headers=html).text
    assert analyst.get("/analysis/?survey=civilized-city-2026", headers=html).status_code == 200
    missing = analyst.get("/analysis/weighting?survey=no-such-survey", headers=html)
    assert missing.status_code == 404
    assert "no-such-survey" in missing.text
    assert analyst.get("/analysis/?survey=empty-2027", headers=html).status_code == 404
