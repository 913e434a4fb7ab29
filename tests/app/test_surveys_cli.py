"""`minyi template`, `minyi survey` and `minyi questionnaire` at a terminal."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import list_templates, load_template, read_xlsform
from survey_app.cli import main
from survey_app.models import Indicator, QuestionnaireVersion, Survey
from survey_app.settings import Settings
from tests.app.test_surveys import (
    CHOICES_SHEET,
    MALFORMED,
    district_form,
    settings_sheet,
    with_row,
    workbook,
)
from tests.conftest import run_with_session


@pytest.fixture
def database(clean_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    return clean_settings


def _versions(settings: Settings, slug: str) -> list[str]:
    async def work(db: AsyncSession) -> list[str]:
        rows = await db.scalars(
            select(QuestionnaireVersion.version)
            .join(Survey)
            .where(Survey.slug == slug)
            .order_by(QuestionnaireVersion.id)
        )
        return list(rows)

    return run_with_session(settings, work)


def test_template_list_names_every_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "list"]) == 0
    out = capsys.readouterr().out
    for name in list_templates():
        assert name in out
    assert "志愿服务" in out


@pytest.mark.db
def test_survey_create_from_a_template_stores_its_indicators(
    database: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "create", "--template", "support", "--slug", "support-2027"]) == 0
    assert "created survey 'support-2027'" in capsys.readouterr().out

    async def work(db: AsyncSession) -> list[str]:
        return list(await db.scalars(select(Indicator.code).order_by(Indicator.id)))

    codes = run_with_session(database, work)
    assert codes == [indicator.id for indicator in load_template("support").indicators]
    assert main(["survey", "create", "--template", "support", "--slug", "support-2027"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["survey", "create", "--template", "nope", "--slug", "other"]) == 1
    assert "no such questionnaire template" in capsys.readouterr().err
    assert main(["survey", "list"]) == 0
    assert "support-2027" in capsys.readouterr().out


@pytest.mark.db
def test_questionnaire_import_creates_a_version(
    database: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "district.xlsx"
    first.write_bytes(district_form())
    assert main(["survey", "create", "--xlsform", str(first), "--slug", "district"]) == 0
    second = tmp_path / "district-2.xlsx"
    second.write_bytes(district_form(version="2027.2"))
    assert main(["questionnaire", "import", "district", str(second)]) == 0
    assert "stored district_survey version 2027.2" in capsys.readouterr().out
    assert _versions(database, "district") == ["2027.1", "2027.2"]
    assert main(["questionnaire", "import", "district", str(second)]) == 1
    assert "already stored" in capsys.readouterr().err


@pytest.mark.db
def test_a_bad_xlsform_prints_sheet_row_column_and_stores_nothing(
    database: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "create", "--template", "awareness", "--slug", "aware"]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            {
                "survey": with_row(["text", "remark", "备注", "Remark", None, "${nobody} = 1"]),
                "choices": CHOICES_SHEET,
                "settings": settings_sheet(form_id="awareness"),
            }
        )
    )
    assert main(["questionnaire", "import", "aware", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing was stored" in err
    assert "survey, row 18, column F (relevant):" in err
    assert "Traceback" not in err
    assert _versions(database, "aware") == [load_template("awareness").questionnaire.version]
    assert main(["questionnaire", "import", "aware", str(tmp_path / "missing.xlsx")]) == 1
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.db
@pytest.mark.db
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_each_malformed_xlsform_is_located_and_nothing_stored(
    database: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(district_form())
    assert main(["survey", "create", "--xlsform", str(good), "--slug", "district"]) == 0
    capsys.readouterr()
    sheets, (sheet, row, column, words) = MALFORMED[case]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(sheets))
    assert main(["questionnaire", "import", "district", str(bad)]) == 1
    where = ", ".join(
        [sheet, *([f"row {row}"] if row else []), *([f"column {column}"] if column else [])]
    )
    lines = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith(f"  {where}:")
    ]
    assert lines, f"no line for {where}"
    assert words in lines[0]
    assert _versions(database, "district") == ["2027.1"]


def test_export_then_import_round_trips(
    database: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "create", "--template", "civilized_city_resident", "--slug", "r"]) == 0
    xlsx, xml = tmp_path / "r.xlsx", tmp_path / "r.xml"
    assert main(["questionnaire", "export", "r", "--format", "xlsform", "-o", str(xlsx)]) == 0
    assert main(["questionnaire", "export", "r", "--format", "xform", "-o", str(xml)]) == 0
    assert xml.read_text(encoding="utf-8").startswith("<")
    exported = read_xlsform(xlsx)
    assert msgspec.to_builtins(exported) == msgspec.to_builtins(
        load_template("civilized_city_resident").questionnaire
    )
    assert main(["survey", "create", "--xlsform", str(xlsx), "--slug", "r-copy"]) == 0

    async def definitions(db: AsyncSession) -> list[dict[str, object]]:
        return list(await db.scalars(select(QuestionnaireVersion.definition)))

    original, copy = run_with_session(database, definitions)
    assert original == copy
    capsys.readouterr()
    assert main(["questionnaire", "export", "nowhere", "--format", "xform", "-o", str(xml)]) == 1
    assert "there is no survey" in capsys.readouterr().err


def test_validate_prints_the_outline_or_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(district_form())
    assert main(["questionnaire", "validate", str(good), "--language", "en"]) == 0
    assert "Household members" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"settings": settings_sheet()}))
    assert main(["questionnaire", "validate", str(bad)]) == 1
    assert "survey: the workbook has no 'survey' sheet" in capsys.readouterr().err


@pytest.mark.db
def test_nothing_is_stored_when_a_survey_file_is_bad(
    database: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"survey": with_row(["select_one colours", "c", "颜色", "Colour"])}))
    assert main(["survey", "create", "--xlsform", str(bad), "--slug", "colours"]) == 1
    assert "choices" in capsys.readouterr().err

    async def count(db: AsyncSession) -> int:
        return await db.scalar(select(func.count()).select_from(Survey)) or 0

    assert run_with_session(database, count) == 0
