"""`minyi weights run`, `minyi estimate`, `minyi report`, `minyi export` on the demo city."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.cli import main
from survey_app.settings import Settings
from tests.app.test_analysis_support import DemoRun, demo_with_run

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(settings: Settings) -> DemoRun:
    return demo_with_run(settings)


@pytest.fixture
def env(demo: DemoRun, monkeypatch: pytest.MonkeyPatch) -> DemoRun:
    monkeypatch.setenv("DATABASE_URL", demo.settings.database_url)
    return demo


def test_weighting_estimates_reports_and_exports_from_the_command_line(
    env: DemoRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["weights", "run", "--trim", "0.3,3", "--open-link", "combined"]) == 0
    out = capsys.readouterr().out
    assert "converged" in out
    assert "combined" in out
    assert main(["weights", "list", "--survey", "civilized-city-2026"]) == 0
    assert main(["weights", "list", "--survey", "99999"]) == 1
    assert "no survey '99999'" in capsys.readouterr().err
    assert main(["weights", "list"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) >= 2
    assert main(["estimate", "--method", "beta", "--level", "0.9"]) == 0
    out = capsys.readouterr().out
    assert "创建知晓率" in out
    assert any(word in out for word in ("达标", "未达标", "无法判定"))
    pdf, xlsx = tmp_path / "report.pdf", tmp_path / "report.xlsx"
    assert main(["report", "--format", "pdf", "--output", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["report", "--format", "xlsx", "--output", str(xlsx), "--language", "en"]) == 0
    assert xlsx.read_bytes().startswith(b"PK")
    data = tmp_path / "demo.csv"
    assert main(["export", "--format", "csv", "--output", str(data)]) == 0
    assert data.read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "demo-codebook.csv").exists()
    assert 'read.csv("demo.csv"' in (tmp_path / "demo.R").read_text()


def test_bad_arguments_are_reported_in_one_line(
    env: DemoRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["weights", "run", "--bounds", "3"]) == 2
    assert "--bounds must be LOW,HIGH" in capsys.readouterr().err
    assert main(["weights", "run", "--margins", "income"]) == 1
    assert "margin income" in capsys.readouterr().err
    assert main(["estimate", "--run", "999999"]) == 1
    assert "no weighting run 999999" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "report.pdf"
    assert main(["report", "--format", "pdf", "--output", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
