"""`minyi frame …` and `minyi design …`: the demo city from frame to assignments in a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.cli import main
from survey_app.models import Assignment, Frame, SampleDesign, SelectedUnit, Survey
from survey_app.settings import Settings
from tests.app.test_frame_import import add_world, small_frame_csv
from tests.conftest import run_with_session

pytestmark = pytest.mark.db


def count(settings: Settings, model: type) -> int:
    async def work(db: AsyncSession) -> int:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    return run_with_session(settings, work)


@pytest.fixture
def cli_world(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Settings:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    add_world(clean_settings)
    frame = tmp_path / "town.csv"
    frame.write_bytes(small_frame_csv())
    assert main(["frame", "import", str(frame), "--name", "小城"]) == 0
    return clean_settings


def test_plan_prints_a_table_and_saves_only_when_asked(
    cli_world: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["design", "plan", "--survey", "s1", "--moe", "5", "--deff", "1.5"]
    assert main([*args, "--per-community", "40"]) == 0
    out = capsys.readouterr().out
    assert "±5.0% at p = 90%, 95% confidence, district: n0 = 138.3" in out
    assert re.search(r"D1\s+第1区\s+\d+\s+6/10\s+40\s+240\s+1\.50\s+300", out), out
    assert count(cli_world, SampleDesign) == 0
    assert main([*args, "--per-community", "40", "--save"]) == 0
    assert "saved design" in capsys.readouterr().out
    assert count(cli_world, SampleDesign) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--moe", "abc"], "moe: not a number: abc"),
        (["--p", "100"], "p: must lie between 0 and 100 (percent)"),
        (["--icc", "0.5"], "第1区 has 10 communities; at ICC 0.5 they cannot carry"),
        (["--icc", "0.1", "--deff", "2"], "minyi: give --icc or --deff, not both"),
        (["--wave", "7"], "minyi: the survey has no such wave"),
    ],
)
def test_plan_refuses_bad_settings_with_a_message(
    cli_world: Settings, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["design", "plan", "--survey", "s1", *args, "--save"]) == 1
    assert message in capsys.readouterr().err
    assert count(cli_world, SampleDesign) == 0


def test_unknown_survey_and_design_are_messages(
    cli_world: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["design", "plan", "--survey", "nope"]) == 1
    assert "minyi: there is no such survey" in capsys.readouterr().err
    assert main(["design", "draw", "42", "--seed", "1"]) == 1
    assert "minyi: there is no such sample design" in capsys.readouterr().err
    assert main(["design", "assign", "42"]) == 1
    assert "minyi: there is no such sample design" in capsys.readouterr().err


def test_draw_and_assign_print_their_tables(
    cli_world: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["design", "plan", "--survey", "s1", "--moe", "5", "--deff", "1.5"]
    assert main([*args, "--per-community", "40", "--save"]) == 0
    design = re.search(r"saved design (\d+)", capsys.readouterr().out)
    assert design
    assert main(["design", "draw", design[1], "--seed", "x"]) == 1
    assert "seed: must be a whole number from 0 to" in capsys.readouterr().err
    assert main(["design", "draw", design[1], "--seed", "11", "--method", "systematic"]) == 0
    out = capsys.readouterr().out
    assert out.count(" drawn") + out.count(" certainty") == 18
    assert out.count(" reserve") == 6
    assert main(["design", "assign", design[1], "--enumerators", "e1,e2"]) == 0
    out = capsys.readouterr().out
    assert "quota cells (age: male/female)" in out
    assert "age_14_29: " in out
    assert "18 assignments" in out
    assert count(cli_world, SelectedUnit) == 24
    assert count(cli_world, Assignment) == 18
    assert main(["design", "assign", design[1], "--enumerators", "e1,nobody"]) == 1
    assert "enumerators: unknown: nobody" in capsys.readouterr().err


@pytest.mark.slow
def test_the_demo_city_from_frame_export_to_assignments(
    clean_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["demo", "load"]) == 0
    exported = tmp_path / "demo-frame.csv"
    assert main(["frame", "export", "--output", str(exported)]) == 0
    assert exported.read_text(encoding="utf-8").startswith(
        "district_code,district_name,street_code,street_name,community_code,community_name,"
        "population,age_14_29|male,age_14_29|female"
    )
    assert main(["frame", "import", str(exported)]) == 0
    capsys.readouterr()
    plan = ["design", "plan", "--survey", "civilized-city-2026", "--moe", "3", "--p", "90"]
    assert main([*plan, "--deff", "1.5", "--per-community", "50", "--save"]) == 0
    out = capsys.readouterr().out
    assert "±3.0% at p = 90%" in out
    assert out.count("区 ") >= 6
    design = re.search(r"saved design (\d+)", out)
    assert design
    assert _survey_frame(clean_settings) == _demo_frame(clean_settings)
    assert main(["design", "draw", design[1], "--seed", "20261122"]) == 0
    assert main(["design", "assign", design[1]]) == 0
    out = capsys.readouterr().out
    for number in range(1, 7):
        assert f"enum0{number}" in out


def _demo_frame(settings: Settings) -> int | None:
    """The frame the demo loaded: the first one (ids keep counting on PostgreSQL)."""

    async def work(db: AsyncSession) -> int | None:
        return await db.scalar(select(func.min(Frame.id)))

    return run_with_session(settings, work)


def _survey_frame(settings: Settings) -> int | None:
    """The demo survey's frame: kept, since wave 1's responses point to its communities."""

    async def work(db: AsyncSession) -> int | None:
        return await db.scalar(select(Survey.frame_id).where(Survey.slug == "civilized-city-2026"))

    return run_with_session(settings, work)
