"""The demo city: what `make run` prints works, and the data look like a real survey round."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.indicators import Indicator as IndicatorDefinition
from questionnaires.indicators import derive_indicator
from survey_app.cli import main
from survey_app.demo.people import STAFF, enumerator_login
from survey_app.models import FrameUnit, Indicator, Invitation, Response, UnitLevel
from survey_app.settings import Settings
from tests.app.web import sign_in
from tests.conftest import run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture
def demo_output(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["demo", "load"]) == 0
    return capsys.readouterr().out


def _paths(output: str) -> list[str]:
    return [match.group(1) for match in re.finditer(r"http://[\d.]+:\d+(/\S*)", output)]


def test_every_printed_url_opens_a_real_page_for_its_user(
    demo_output: str, client: TestClient[Litestar]
) -> None:
    paths = _paths(demo_output)
    assert {"/admin", "/s/civilized-city-2026", "/enumerator", "/schema"} <= set(paths)
    sign_in(client, "analyst", "minyi-analyst")
    for path in ("/admin", "/s/civilized-city-2026", "/schema"):
        page = client.get(path, headers={"accept": "text/html"})
        assert page.status_code == 200, path
        assert "<h1" in page.text or "openapi" in page.text.lower(), path
    client.cookies.clear()
    sign_in(client, "enum01", "minyi-enumerator")
    page = client.get("/enumerator", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.text.count("<tr>") >= 5


def test_every_demo_login_works(demo_output: str, client: TestClient[Litestar]) -> None:
    for printed in (*STAFF, enumerator_login(0)):
        assert f"{printed.username} / {printed.password}" in demo_output
    for login in (*STAFF, *(enumerator_login(i) for i in range(6))):
        client.cookies.clear()
        sign_in(client, login.username, login.password)
        home = "/enumerator" if login.role.value == "enumerator" else "/admin"
        assert client.get(home, headers={"accept": "text/html"}).status_code == 200, login


def test_demo_city_is_the_size_the_readme_promises(
    demo_output: str, clean_settings: Settings
) -> None:
    async def work(db: AsyncSession) -> tuple[Counter[str], Counter[str], int]:
        levels = Counter(level.value for level in await db.scalars(select(FrameUnit.level)))
        modes = Counter(
            f"{mode.value}/{'probability' if probability else 'open'}"
            for mode, probability in (
                await db.execute(select(Response.mode, Response.is_probability_sample))
            ).all()
        )
        used = await db.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.uses_left == 0)
        )
        return levels, modes, int(used or 0)

    levels, modes, used_invitations = run_with_session(clean_settings, work)
    assert levels == {UnitLevel.DISTRICT: 6, UnitLevel.STREET: 20, UnitLevel.COMMUNITY: 100}
    assert 1800 <= sum(modes.values()) <= 2200
    assert set(modes) == {"capi/probability", "web/probability", "web/open"}
    assert used_invitations == modes["web/probability"]
    assert "1989 responses" in demo_output


def test_indicator_rates_sit_near_their_thresholds(
    demo_output: str, clean_settings: Settings
) -> None:
    async def work(db: AsyncSession) -> tuple[list[Indicator], list[dict[str, object]]]:
        indicators = list(await db.scalars(select(Indicator)))
        answers = [
            r.answers
            for r in await db.scalars(select(Response).where(Response.disposition == "1.1"))
        ]
        return indicators, answers

    indicators, answers = run_with_session(clean_settings, work)
    assert len(indicators) >= 8
    for row in indicators:
        definition = IndicatorDefinition(
            id=row.code,
            label=row.label,
            question=row.question,
            numerator=tuple(row.numerator_codes),
            denominator=tuple(row.denominator_codes),
            threshold=row.threshold,
        )
        values = [v for v in derive_indicator(definition, answers).values if v == v]
        rate = sum(values) / len(values)
        assert abs(rate - row.threshold) < 0.06, (row.code, rate, row.threshold)


def test_every_demo_interview_records_consent_as_the_doors_do(
    demo_output: str, clean_settings: Settings
) -> None:
    async def work(db: AsyncSession) -> list[tuple[str, dict[str, object]]]:
        rows = await db.execute(select(Response.disposition, Response.paradata))
        return [(disposition, paradata) for disposition, paradata in rows.tuples()]

    records = run_with_session(clean_settings, work)
    completes = [paradata["consent"] for disposition, paradata in records if disposition == "1.1"]
    assert completes
    assert all(c["given"] is True and c["by"] == "question" for c in completes)  # type: ignore[index]
    assert len({c["notice_sha256"] for c in completes}) == 1  # type: ignore[index]


def test_loading_twice_is_refused_with_a_clear_message(
    demo_output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "load"]) == 1
    assert "already holds surveys" in capsys.readouterr().err
    assert main(["demo", "load", "--if-empty"]) == 0
