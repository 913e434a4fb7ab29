"""Microdata exports: CSV for Excel, SPSS and Stata with labels and weights, no identifiers,
and the R / Stata snippets that declare the design."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services as analysis
from survey_app.errors import InvalidInputError
from survey_app.reports import services
from survey_app.settings import Settings
from tests.app.test_analysis_support import DemoRun, demo_with_run
from tests.conftest import run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]
IDENTIFYING = {
    "age",
    "suggestions",
    "dissatisfaction_reason",
    "deviceid",
    "start",
    "end",
    "today",
    "aware_channels",
    "response_id",
    "client_uuid",
}


@pytest.fixture(scope="module")
def demo(settings: Settings) -> DemoRun:
    return demo_with_run(settings)


def files_of(demo: DemoRun, kind: str) -> dict[str, bytes]:
    async def work(db: AsyncSession) -> dict[str, bytes]:
        run = await analysis.weighting_run(db, demo.run_id)
        return await services.microdata_files(db, run, kind, "zh", None)

    return run_with_session(demo.settings, work)


def test_the_csv_opens_in_excel_and_holds_design_and_weights_but_no_identifiers(
    demo: DemoRun,
) -> None:
    files = files_of(demo, "csv")
    assert list(files) == [
        f"minyi-run{demo.run_id}.csv",
        f"minyi-run{demo.run_id}-codebook.csv",
        f"minyi-run{demo.run_id}.R",
    ]
    data = files[f"minyi-run{demo.run_id}.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    columns = set(rows[0])
    assert {"stratum", "psu", "weight", "design_weight", "sample", "i_awareness_rate"} <= columns
    assert not columns & IDENTIFYING
    assert [int(r["case_id"]) for r in rows] == list(range(1, len(rows) + 1))
    probability = [r for r in rows if r["sample"] == "1"]
    assert all(float(r["weight"]) > 0 and r["design_weight"] for r in probability)
    assert all(r["design_weight"] == "" for r in rows if r["sample"] == "2")
    codebook = files[f"minyi-run{demo.run_id}-codebook.csv"].decode("utf-8-sig")
    assert "东城区" in codebook
    assert "知道" in codebook
    snippet = files[f"minyi-run{demo.run_id}.R"].decode()
    assert "svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE" in snippet
    assert "svyciprop(~i_awareness_rate" in snippet


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_spss_and_stata_files_read_back_with_labels_and_weights(
    demo: DemoRun, kind: str, tmp_path: Path
) -> None:
    pyreadstat = pytest.importorskip(
        "pyreadstat", reason="pyreadstat is not installed (pip install pyreadstat polars)"
    )
    pytest.importorskip("polars", reason="polars is not installed (pyreadstat needs a frame)")
    files = files_of(demo, kind)
    path = tmp_path / f"export.{kind}"
    path.write_bytes(files[f"minyi-run{demo.run_id}.{kind}"])
    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), output_format="dict")
    assert meta.column_names_to_labels["weight"] == "Final weight (calibrated)"
    assert meta.column_names_to_labels["i_awareness_rate"] == "创建知晓率"
    labels = {int(k): v for k, v in meta.variable_value_labels["district"].items()}
    assert labels[1] == "东城区"
    assert {int(k): v for k, v in meta.variable_value_labels["aware"].items()} == {
        1: "知道",
        2: "不知道",
    }
    csv_rows = list(
        csv.DictReader(io.StringIO(files[f"minyi-run{demo.run_id}.csv"].decode("utf-8-sig")))
    )
    assert len(frame["weight"]) == len(csv_rows)
    assert frame["weight"][0] == pytest.approx(float(csv_rows[0]["weight"]), rel=1e-12)
    if kind == "dta":
        assert f"minyi-run{demo.run_id}.do" in files
        assert (
            "svyset psu [pweight = weight], strata(stratum)"
            in files[f"minyi-run{demo.run_id}.do"].decode()
        )


def test_an_unknown_export_format_is_refused(demo: DemoRun) -> None:
    with pytest.raises(InvalidInputError, match="unknown export format 'xls'"):
        files_of(demo, "xls")


def test_free_text_answers_only_when_asked_for(demo: DemoRun, tmp_path: Path) -> None:
    async def work(db: AsyncSession) -> dict[str, bytes]:
        run = await analysis.weighting_run(db, demo.run_id)
        return await services.microdata_files(db, run, "dta", "zh", None, include_text=True)

    files = run_with_session(demo.settings, work)
    rows = list(
        csv.DictReader(io.StringIO(files[f"minyi-run{demo.run_id}.csv"].decode("utf-8-sig")))
    )
    assert "suggestions" in rows[0]
    assert any(r["suggestions"] for r in rows)
    pyreadstat = pytest.importorskip(
        "pyreadstat", reason="pyreadstat is not installed (pip install pyreadstat polars)"
    )
    path = tmp_path / "with-text.dta"
    path.write_bytes(files[f"minyi-run{demo.run_id}.dta"])
    frame, _meta = pyreadstat.read_dta(str(path), output_format="dict")
    assert any(isinstance(v, str) and v for v in frame["suggestions"])
