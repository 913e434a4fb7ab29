"""Plan, draw and assign in the web app: the table before saving, stored probabilities, quotas."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sampling.planning import pps_inclusion_probabilities
from survey_app.design import frames
from survey_app.models import (
    Allocation,
    Assignment,
    FrameUnit,
    SampleDesign,
    SelectedUnit,
    Survey,
    Wave,
)
from survey_app.settings import Settings
from tests.app.test_frame_import import ENUMERATORS, add_world, small_frame_csv
from tests.app.web import csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

HTML = {"accept": "text/html"}
PLAN = {
    "survey": "s1",
    "wave": "new",
    "moe": "5",
    "p": "90",
    "confidence": "95",
    "scope": "district",
    "effect": "deff",
    "deff": "1.5",
    "icc": "0.02",
    "per_community": "40",
    "minimum": "2",
    "response_rate": "80",
    "allocation": "proportional",
}


def import_frame(settings: Settings) -> int:
    async def work(db: AsyncSession) -> int:
        return (await frames.import_frame(db, small_frame_csv(), "小城")).id

    return run_with_session(settings, work)


@pytest.fixture
def analyst(client: TestClient[Litestar], clean_settings: Settings) -> TestClient[Litestar]:
    add_world(clean_settings)
    import_frame(clean_settings)
    sign_in(client, "ana", "analyst-pass")
    return client


def post(client: TestClient[Litestar], path: str, form: dict[str, Any], page: str) -> Any:
    return client.post(
        path,
        data={**form, "_csrf_token": csrf_token(client, page)},
        headers=HTML,
        follow_redirects=False,
    )


def save_design(client: TestClient[Litestar], **changes: str) -> int:
    response = post(client, "/design/plan", {**PLAN, **changes, "action": "save"}, "/design/plan")
    assert response.status_code in (302, 303), response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def draw(client: TestClient[Litestar], design: int, **form: str) -> Any:
    return post(client, f"/design/{design}/draw", form, f"/design/{design}")


def count(settings: Settings, model: Any) -> int:
    async def work(db: AsyncSession) -> int:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    return run_with_session(settings, work)


def drawn_units(settings: Settings, design: int) -> list[tuple[str, str, float, bool, bool, int]]:
    """(district, community, π, certainty, reserve, population) of the design's drawn units."""

    async def work(db: AsyncSession) -> list[tuple[str, str, float, bool, bool, int]]:
        street = aliased(FrameUnit)
        district = aliased(FrameUnit)
        rows = await db.execute(
            select(
                district.code,
                FrameUnit.code,
                SelectedUnit.inclusion_probability,
                SelectedUnit.is_certainty,
                SelectedUnit.is_reserve,
                FrameUnit.population,
            )
            .join(FrameUnit, FrameUnit.id == SelectedUnit.unit_id)
            .join(street, street.id == FrameUnit.parent_id)
            .join(district, district.id == street.parent_id)
            .where(SelectedUnit.design_id == design)
            .order_by(district.code, SelectedUnit.is_reserve, SelectedUnit.selection_order)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    return run_with_session(settings, work)


def test_preview_shows_the_table_and_stores_nothing(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    page = analyst.get("/design/plan", headers=HTML)
    assert page.status_code == 200
    assert 'value="90"' in page.text
    response = post(analyst, "/design/plan", {**PLAN, "action": "preview"}, "/design/plan")
    assert response.status_code == 200
    assert "各区社区数 × 每社区访问数" in response.text
    assert "第1区" in response.text
    assert "保存此方案" in response.text
    assert count(clean_settings, SampleDesign) == 0
    assert count(clean_settings, Wave) == 1


def test_bad_settings_come_back_next_to_their_fields(analyst: TestClient[Litestar]) -> None:
    response = post(analyst, "/design/plan", {**PLAN, "moe": "三", "minimum": "0"}, "/design/plan")
    assert response.status_code == 422
    assert "允许误差（± 百分点）：不是数字：三" in response.text
    assert "每区最少社区数：须在 1 到 100 之间" in response.text
    assert 'aria-invalid="true"' in response.text


def test_save_draw_assign_and_print(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    design = save_design(analyst)
    assert count(clean_settings, Wave) == 2
    assert _survey_frame(clean_settings) is not None
    page = analyst.get(f"/design/{design}", headers=HTML)
    assert "第2轮" in page.text
    assert "抽取样本" in page.text

    response = draw(analyst, design, seed="2026", method="pps_systematic", reserves="2")
    assert response.status_code in (302, 303)
    units = drawn_units(clean_settings, design)
    allocation = _allocation(clean_settings, design)
    by_district: dict[str, list[tuple[str, str, float, bool, bool, int]]] = defaultdict(list)
    for unit in units:
        by_district[unit[0]].append(unit)
    for district, clusters in allocation.items():
        drawn = [u for u in by_district[district] if not u[4]]
        reserves = [u for u in by_district[district] if u[4]]
        assert len(drawn) == clusters
        assert len(reserves) == 2
        assert not {u[1] for u in drawn} & {u[1] for u in reserves}
    page = analyst.get(f"/design/{design}", headers=HTML)
    assert "入样概率" in page.text
    assert "备用 1" in page.text

    response = post(
        analyst,
        f"/design/{design}/assign",
        {"enumerator": list(ENUMERATORS)},
        f"/design/{design}",
    )
    assert response.status_code in (302, 303)
    assignments = _assignments(clean_settings)
    interviews = sum(_interviews(clean_settings, design).values())
    assert sum(a.target_count for a in assignments) == interviews
    assert len(assignments) == sum(allocation.values())
    for assignment in assignments:
        assert sum(assignment.quota_cells.values()) == assignment.target_count
        assert set(assignment.quota_cells) == {
            "age_14_29|male",
            "age_14_29|female",
            "age_60_plus|male",
            "age_60_plus|female",
        }
    load = Counter(a.enumerator_id for a in assignments)
    assert len(load) == len(ENUMERATORS)

    sheet = analyst.get(f"/design/{design}/sheet", headers=HTML)
    assert sheet.status_code == 200
    assert sheet.text.count('class="sheet-page"') == len(ENUMERATORS)
    assert "调查任务单" in sheet.text
    assert "14–29 岁" in sheet.text
    assert "60 岁及以上" in sheet.text
    assert "备用社区" in sheet.text
    assert "/static/minyi.css" in sheet.text
    assert "@media print" in analyst.get("/static/minyi.css").text


def test_pps_draw_keeps_the_inclusion_probabilities(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    design = save_design(analyst)
    draw(analyst, design, seed="7", method="pps_systematic", reserves="0")
    sizes = _community_sizes(clean_settings)
    allocation = _allocation(clean_settings, design)
    for district, unit_sizes in sizes.items():
        expected, _ = pps_inclusion_probabilities(list(unit_sizes.values()), allocation[district])
        pi = dict(zip(unit_sizes, expected, strict=True))
        drawn = [u for u in drawn_units(clean_settings, design) if u[0] == district]
        for _, code, probability, certainty, _, _ in drawn:
            assert probability == pytest.approx(pi[code])
            assert certainty == (pi[code] == 1.0)
        assert float(np.sum(expected)) == pytest.approx(allocation[district])


@pytest.mark.parametrize("method", ["pps_systematic", "systematic", "srs"])
def test_the_same_seed_draws_the_same_communities(
    analyst: TestClient[Litestar], clean_settings: Settings, method: str
) -> None:
    first, second, third = (save_design(analyst) for _ in range(3))
    draw(analyst, first, seed="99", method=method)
    draw(analyst, second, seed="99", method=method)
    draw(analyst, third, seed="100", method=method)
    codes = [[u[1:] for u in drawn_units(clean_settings, d)] for d in (first, second, third)]
    assert codes[0] == codes[1]
    assert codes[0] != codes[2]


def test_draw_and_assign_problems_are_messages(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    design = save_design(analyst)
    early = post(analyst, f"/design/{design}/assign", {"enumerator": "e1"}, f"/design/{design}")
    assert early.status_code == 409
    assert "请先抽取样本，再分配任务" in early.text
    bad = draw(analyst, design, seed="-1", method="cluster")
    assert bad.status_code == 422
    assert "随机种子：须为 0 到 9223372036854775807 之间的整数" in bad.text
    assert "抽样方法：须为以下之一：pps_systematic, systematic, srs" in bad.text
    assert count(clean_settings, SelectedUnit) == 0
    draw(analyst, design, seed="1")
    again = draw(analyst, design, seed="1")
    assert again.status_code == 409
    assert "此抽样方案已经抽过样本" in again.text
    nobody = post(analyst, f"/design/{design}/assign", {"enumerator": "zz"}, f"/design/{design}")
    assert nobody.status_code == 422
    assert "调查员：未知：zz" in nobody.text
    assert analyst.get(f"/design/{design}/sheet", headers=HTML).status_code == 409
    assert analyst.get("/design/999", headers=HTML).status_code == 404
    assert count(clean_settings, Assignment) == 0


def test_a_drawn_wave_is_not_planned_again(analyst: TestClient[Litestar]) -> None:
    design = save_design(analyst, wave="1")
    draw(analyst, design, seed="3")
    response = post(
        analyst, "/design/plan", {**PLAN, "wave": "1", "action": "save"}, "/design/plan"
    )
    assert response.status_code == 409
    assert "该轮次已抽取样本，请为新一轮制定方案" in response.text


def _allocation(settings: Settings, design: int) -> dict[str, int]:
    async def work(db: AsyncSession) -> dict[str, int]:
        rows = await db.execute(
            select(FrameUnit.code, Allocation.clusters)
            .join(FrameUnit, FrameUnit.id == Allocation.stratum_unit_id)
            .where(Allocation.design_id == design)
        )
        return dict(rows.tuples().all())

    return run_with_session(settings, work)


def _interviews(settings: Settings, design: int) -> dict[int, int]:
    async def work(db: AsyncSession) -> dict[int, int]:
        rows = await db.execute(
            select(Allocation.stratum_unit_id, Allocation.interviews).where(
                Allocation.design_id == design
            )
        )
        return dict(rows.tuples().all())

    return run_with_session(settings, work)


def _assignments(settings: Settings) -> list[Assignment]:
    async def work(db: AsyncSession) -> list[Assignment]:
        return list((await db.scalars(select(Assignment))).all())

    return run_with_session(settings, work)


def _community_sizes(settings: Settings) -> dict[str, dict[str, int]]:
    async def work(db: AsyncSession) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = defaultdict(dict)
        frame_id = await frames.latest_frame_id(db)
        for district, _, community in await frames.communities(db, frame_id):
            found[district.code][community.code] = community.population
        return found

    return run_with_session(settings, work)


def _survey_frame(settings: Settings) -> int | None:
    async def work(db: AsyncSession) -> int | None:
        return await db.scalar(select(Survey.frame_id).where(Survey.slug == "s1"))

    return run_with_session(settings, work)
