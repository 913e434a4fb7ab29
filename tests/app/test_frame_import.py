"""Importing a frame: all rows or none, every problem named by row and column, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.cli import main
from survey_app.models import CensusMargin, Frame, FrameUnit, Role, Survey, Wave
from survey_app.settings import Settings
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

HTML = {"accept": "text/html"}
CELLS = ("age_14_29|male", "age_14_29|female", "age_60_plus|male", "age_60_plus|female")
ENUMERATORS = ("e1", "e2", "e3")


def small_frame_csv(districts: int = 3, streets: int = 2, communities: int = 5) -> bytes:
    """A frame in the documented format: codes sorted, as `minyi frame export` writes them."""
    header = [
        "district_code",
        "district_name",
        "street_code",
        "street_name",
        "community_code",
        "community_name",
        "population",
        *CELLS,
    ]
    lines = [",".join(header)]
    for d in range(1, districts + 1):
        for s in range(1, streets + 1):
            for c in range(1, communities + 1):
                size = 1000 + 700 * ((d * 7 + s * 3 + c * 5) % 11)
                young = size * 2 // 5
                cells = [young // 2, young - young // 2, (size - young) // 2]
                cells.append(size - sum(cells))
                lines.append(
                    ",".join(
                        [
                            f"D{d}",
                            f"第{d}区",
                            f"D{d}S{s}",
                            f"第{d}区第{s}街道",
                            f"D{d}S{s}C{c}",
                            f"社区{d}-{s}-{c}",
                            str(size),
                            *map(str, cells),
                        ]
                    )
                )
    return ("\n".join(lines) + "\n").encode()


def add_world(settings: Settings) -> None:
    """An analyst, three enumerators and a survey with one wave, without a frame."""

    async def work(db: AsyncSession) -> None:
        await create_user(db, username="ana", password="analyst-pass", role=Role.ANALYST)
        for name in ENUMERATORS:
            await create_user(db, username=name, password="enumerator-pass", role=Role.ENUMERATOR)
        survey = Survey(slug="s1", title="测试调查")
        db.add(survey)
        await db.flush()
        db.add(Wave(survey_id=survey.id, number=1, name="第1轮", opens_on=None, closes_on=None))
        await db.commit()

    run_with_session(settings, work)


def stored_rows(settings: Settings) -> tuple[int, int, int]:
    async def work(db: AsyncSession) -> tuple[int, int, int]:
        counts = [
            await db.scalar(select(func.count()).select_from(table))
            for table in (Frame, FrameUnit, CensusMargin)
        ]
        return (counts[0] or 0, counts[1] or 0, counts[2] or 0)

    return run_with_session(settings, work)


def upload(client: TestClient[Litestar], content: bytes, name: str = "") -> object:
    return client.post(
        "/design/frames",
        files={"file": ("frame.csv", content, "text/csv")},
        data={"name": name, "_csrf_token": csrf_token(client, "/design/")},
        headers=HTML,
        follow_redirects=False,
    )


@pytest.fixture
def analyst(client: TestClient[Litestar], clean_settings: Settings) -> TestClient[Litestar]:
    add_world(clean_settings)
    sign_in(client, "ana", "analyst-pass")
    return client


def test_upload_stores_the_frame_and_the_download_gives_it_back(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    content = small_frame_csv()
    response = upload(analyst, content, name="小城")
    assert response.status_code == 303 or response.status_code == 302
    frame_id = int(response.headers["location"].rsplit("=", 1)[1])
    assert stored_rows(clean_settings) == (1, 3 + 6 + 30, 30 * len(CELLS))
    index = analyst.get("/design/", headers=HTML)
    assert "小城" in index.text
    download = analyst.get(f"/design/frames/{frame_id}/csv")
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert download.content == content


def test_bad_upload_names_row_and_column_in_chinese_and_stores_nothing(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    lines = small_frame_csv().decode().splitlines()
    lines[2] = lines[2].replace(",D1S1C2,", ",D1S1C1,")
    fields = lines[5].split(",")
    fields[6] = "-5"
    lines[5] = ",".join(fields)
    lines[7] = lines[7].removeprefix("D1")
    response = upload(analyst, "\n".join(lines).encode())
    assert response.status_code == 422
    assert "抽样框文件有问题，未保存任何内容" in response.text
    assert "第 3 行，community_code：D1S1C1 已在第 2 行出现" in response.text
    assert "第 6 行，population：不能为负数：-5" in response.text
    assert "第 8 行，district_code：缺失" in response.text
    assert stored_rows(clean_settings) == (0, 0, 0)


def test_upload_without_a_file_is_a_message(analyst: TestClient[Litestar]) -> None:
    response = analyst.post(
        "/design/frames",
        data={"name": "x", "_csrf_token": csrf_token(analyst, "/design/")},
        headers={**HTML, "content-type": "multipart/form-data; boundary=b"},
        content=b'--b\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n'
        + csrf_token(analyst, "/design/").encode()
        + b"\r\n--b--\r\n",
    )
    assert response.status_code == 422
    assert "请选择要上传的抽样框 CSV 文件" in response.text


def test_design_pages_are_for_analysts_and_admins(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    add_world(clean_settings)
    assert client.get("/design/", headers=HTML, follow_redirects=False).status_code in (302, 303)
    sign_in(client, "e1", "enumerator-pass")
    assert client.get("/design/", headers=HTML).status_code == 403
    assert client.get("/design/plan", headers=HTML).status_code == 403


def test_cli_import_prints_the_problems_and_stores_nothing(
    clean_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        small_frame_csv().replace(b",D1S2C3,", b",D1S2C2,").replace(b",1700,", b",1.7k,")
    )
    assert main(["frame", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 9, community_code: D1S2C2 already appears on row 8" in err
    assert "population: not a whole number: 1.7k" in err
    assert err.rstrip().endswith("minyi: the frame file has problems; nothing was stored")
    assert stored_rows(clean_settings) == (0, 0, 0)
    good = tmp_path / "city.csv"
    good.write_bytes(small_frame_csv())
    assert main(["frame", "import", str(good)]) == 0
    out = capsys.readouterr().out
    assert "imported frame" in out
    assert "'city'" in out
    assert stored_rows(clean_settings)[0] == 1


def test_cli_import_of_a_missing_file_is_one_line(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["frame", "import", "no-such-file.csv"]) == 1
    assert capsys.readouterr().err.startswith("minyi: cannot read no-such-file.csv")
