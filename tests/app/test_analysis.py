"""Weighting runs and indicator estimates on the demo city."""

from __future__ import annotations

import math
import uuid

import pytest
from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling import Estimate
from survey_app.analysis import services
from survey_app.analysis.dashboard import quality_flags
from survey_app.analysis.data import PROBABILITY, Place, wave_data
from survey_app.analysis.estimation import EstimateSettings, change, judge
from survey_app.analysis.weighting import WeightingSettings, margin_targets
from survey_app.errors import InvalidInputError
from survey_app.models import (
    EstimateRecord,
    EstimateRun,
    Indicator,
    Response,
    ResponseMode,
    ResponseWeight,
    Wave,
    WeightingRun,
)
from survey_app.reports.content import report_content
from survey_app.settings import Settings
from tests.app.test_analysis_support import DemoRun, demo_with_run
from tests.conftest import run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(settings: Settings) -> DemoRun:
    return demo_with_run(settings)


def test_the_run_is_stored_with_settings_convergence_and_diagnostics(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> tuple[WeightingRun, int, float]:
        run = await services.weighting_run(db, demo.run_id)
        count = await db.scalar(select(func.count()).where(ResponseWeight.run_id == run.id))
        total = await db.scalar(
            select(func.sum(ResponseWeight.weight)).where(ResponseWeight.run_id == run.id)
        )
        return run, int(count or 0), float(total or 0)

    run, count, total = run_with_session(demo.settings, work)
    assert run.converged
    assert run.settings["method"] == "raking"
    assert run.settings["open_link"] == "separate"
    assert run.settings["design_id"] is not None
    groups = run.diagnostics["groups"]
    assert set(groups) == {"probability", "open_link"}
    assert count == groups["probability"]["n"] + groups["open_link"]["n"]
    for diagnostics in groups.values():
        assert diagnostics["kish_deff"] >= 1
        assert diagnostics["n_effective"] <= diagnostics["n"]
        assert 0 < diagnostics["minimum"] <= diagnostics["maximum"]
        for fit in diagnostics["margins"]:
            assert fit["achieved"] == pytest.approx(fit["target"], rel=1e-6)
    population = sum(fit["target"] for fit in groups["probability"]["margins"]) / 2
    assert total == pytest.approx(2 * population, rel=1e-6)


def test_design_weights_are_population_over_probability_times_completes(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> None:
        wave = await db.get(Wave, demo.wave_id)
        assert wave is not None
        data = await wave_data(db, wave)
        completes = data.completes_by_community()
        case = next(c for c in data.cases if c.sample == PROBABILITY)
        community = data.places[case.community or ""]
        expected = community.population / (
            data.inclusion[community.code] * completes[community.code]
        )
        assert data.design_weight(case, completes) == pytest.approx(expected)
        assert set(completes) == set(data.inclusion)
        census_total = sum(margin_targets(data.census, ("district",)).values())
        assert census_total == sum(
            p.population for p in data.places.values() if p.level == "district"
        )

    run_with_session(demo.settings, work)


def test_runs_never_overwrite_each_other(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> tuple[dict[int, float], dict[int, float], int]:
        before = dict(
            (
                await db.execute(
                    select(ResponseWeight.response_id, ResponseWeight.weight).where(
                        ResponseWeight.run_id == demo.run_id
                    )
                )
            )
            .tuples()
            .all()
        )
        wave = await db.get(Wave, demo.wave_id)
        assert wave is not None
        trimmed = await services.run_weighting(
            db, wave, WeightingSettings(trim=(0.5, 1.5), open_link="combined"), None
        )
        after = dict(
            (
                await db.execute(
                    select(ResponseWeight.response_id, ResponseWeight.weight).where(
                        ResponseWeight.run_id == demo.run_id
                    )
                )
            )
            .tuples()
            .all()
        )
        assert set(trimmed.diagnostics["groups"]) == {"combined"}
        assert trimmed.diagnostics["groups"]["combined"]["trimmed"]["n_trimmed"] >= 0
        return before, after, trimmed.id

    before, after, new_id = run_with_session(demo.settings, work)
    assert new_id != demo.run_id
    assert before == after


def test_the_same_settings_give_the_same_weights(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> tuple[list[float], list[float]]:
        wave = await db.get(Wave, demo.wave_id)
        assert wave is not None
        again = await services.run_weighting(db, wave, WeightingSettings(), None)

        async def weights(run_id: int) -> list[float]:
            rows = await db.scalars(
                select(ResponseWeight.weight)
                .where(ResponseWeight.run_id == run_id)
                .order_by(ResponseWeight.response_id)
            )
            return list(rows)

        return await weights(demo.run_id), await weights(again.id)

    first, second = run_with_session(demo.settings, work)
    assert first == pytest.approx(second, rel=1e-12)


def test_every_indicator_is_estimated_overall_and_by_domain_with_a_verdict(
    demo: DemoRun,
) -> None:
    async def work(db: AsyncSession) -> tuple[list[EstimateRecord], dict[int, Indicator]]:
        run = await services.weighting_run(db, demo.run_id)
        estimate_runs = await services.estimate_runs_of(db, run)
        assert [r.settings["sample"] for r in estimate_runs] == ["probability", "open_link"]
        records = await services.estimate_records(db, estimate_runs[0])
        indicators = {i.id: i for i in await db.scalars(select(Indicator))}
        return records, indicators

    records, indicators = run_with_session(demo.settings, work)
    overall = [r for r in records if r.domain_variable == ""]
    assert len(overall) == len(indicators) == 9
    domains = {(r.indicator_id, r.domain_variable) for r in records}
    for indicator_id in indicators:
        for variable in ("district", "street", "age_group", "sex"):
            assert (indicator_id, variable) in domains
    assert sum(r.domain_variable == "district" for r in records) == 9 * 6
    for r in records:
        assert r.ci_low <= r.estimate <= r.ci_high
        threshold = indicators[r.indicator_id].threshold
        if r.verdict == "met":
            assert r.ci_low >= threshold
        elif r.verdict == "not_met":
            assert r.ci_high < threshold
        else:
            assert r.verdict == "inconclusive"
            assert r.df < 1 or r.ci_low < threshold <= r.ci_high


def test_a_domain_inside_one_psu_decides_nothing() -> None:
    single_psu = Estimate(0.73, 0.0, 0.73, 0.73, df=0.0, n=33, n_eff=33.0)
    assert judge(single_psu, 0.9, ">=") == "inconclusive"
    clear = Estimate(0.95, 0.01, 0.92, 0.97, df=24.0, n=900, n_eff=800.0)
    assert judge(clear, 0.9, ">=") == "met"
    assert judge(clear, 0.99, ">=") == "not_met"
    assert judge(clear, 0.99, "<=") == "met"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (WeightingSettings(margins=(("income",),)), "margin income"),
        (WeightingSettings(bounds=(2.0, 3.0)), "bounds"),
        (WeightingSettings(method="logit"), "logit calibration needs bounds"),
        (WeightingSettings(trim=(0.5, 0.9)), "trim"),
    ],
)
def test_bad_weighting_settings_say_what_is_wrong(
    settings: WeightingSettings, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        settings.check()


def test_bad_estimate_settings_say_what_is_wrong() -> None:
    with pytest.raises(InvalidInputError, match="method must be one of"):
        EstimateSettings(method="normal").check()
    with pytest.raises(InvalidInputError, match="confidence_level"):
        EstimateSettings(confidence_level=1.5).check()
    with pytest.raises(InvalidInputError, match="unknown domains income"):
        EstimateSettings(domains=("income",)).check()


def test_a_design_from_another_wave_is_refused(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> None:
        wave = await db.get(Wave, demo.wave_id)
        assert wave is not None
        with pytest.raises(InvalidInputError, match="does not belong to this wave"):
            await services.run_weighting(db, wave, WeightingSettings(design_id=10_000), None)

    run_with_session(demo.settings, work)


def test_standard_errors_are_finite_and_intervals_nest_with_the_level(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> tuple[list[EstimateRecord], list[EstimateRecord]]:
        run = await services.weighting_run(db, demo.run_id)
        wide = await services.run_estimates(
            db, run, EstimateSettings(confidence_level=0.99, domains=()), None
        )
        first = (await services.estimate_runs_of(db, run))[0]
        return (
            await services.estimate_records(db, first),
            await services.estimate_records(db, wide[0]),
        )

    narrow, wide = run_with_session(demo.settings, work)
    by_key = {(r.indicator_id, r.domain_variable): r for r in narrow}
    assert len(wide) == 9
    for r in wide:
        base = by_key[(r.indicator_id, "")]
        assert math.isfinite(r.se)
        assert r.estimate == pytest.approx(base.estimate)
        assert r.ci_low <= base.ci_low
        assert r.ci_high >= base.ci_high


def test_change_since_the_previous_wave_has_an_interval() -> None:
    current = Estimate(0.90, 0.012, 0.87, 0.92, df=24.0, n=900, n_eff=800.0)
    moved = change(current, 0.85, 0.016, 20.0)
    assert moved.difference == pytest.approx(0.05)
    assert moved.se == pytest.approx(0.02)
    half = stats.t.ppf(0.975, 20) * 0.02
    assert (moved.ci_low, moved.ci_high) == pytest.approx((0.05 - half, 0.05 + half))


def test_reports_compare_with_the_previous_wave(demo: DemoRun) -> None:
    async def work(db: AsyncSession) -> list[tuple[float, float]]:
        wave = await db.get(Wave, demo.wave_id)
        assert wave is not None
        earlier = Wave(survey_id=wave.survey_id, number=0, name="2026年第三季度", is_open=False)
        db.add(earlier)
        await db.flush()
        old = WeightingRun(
            wave_id=earlier.id, settings={}, diagnostics={}, converged=True, created_by=None
        )
        db.add(old)
        await db.flush()
        run = await services.weighting_run(db, demo.run_id)
        for estimate_run in await services.estimate_runs_of(db, run):
            copy = EstimateRun(weighting_run_id=old.id, settings=dict(estimate_run.settings))
            db.add(copy)
            await db.flush()
            for r in await services.estimate_records(db, estimate_run):
                db.add(
                    EstimateRecord(
                        run_id=copy.id,
                        indicator_id=r.indicator_id,
                        domain_variable=r.domain_variable,
                        domain_value=r.domain_value,
                        estimate=r.estimate - 0.02,
                        se=r.se,
                        ci_low=r.ci_low - 0.02,
                        ci_high=r.ci_high - 0.02,
                        df=r.df,
                        deff=r.deff,
                        n=r.n,
                        n_eff=r.n_eff,
                        verdict=r.verdict,
                        flags=[],
                    )
                )
        await db.commit()
        content = await report_content(db, run, "zh")
        assert content.previous_wave == "2026年第三季度"
        return [
            (x.change.difference, x.change.se)
            for x in content.samples[0].lines
            if x.change is not None and not x.domain_variable
        ]

    changes = run_with_session(demo.settings, work)
    assert len(changes) == 9
    for difference, se in changes:
        assert difference == pytest.approx(0.02)
        assert se > 0


def _response(number: int, seconds: float, answers: dict[str, object], device: str) -> Response:
    return Response(
        id=number,
        client_uuid=uuid.uuid4(),
        wave_id=1,
        questionnaire_version_id=1,
        mode=ResponseMode.WEB,
        is_probability_sample=False,
        unit_id=7,
        disposition="1.1",
        answers=answers,
        paradata={"duration_seconds": seconds, "device_id": device},
        content_hash=str(number),
    )


def test_quality_flags_speeders_duplicates_and_devices() -> None:
    place = Place("C1", "幸福社区", "community", 3000, None)
    responses = [
        _response(i, 400.0, {"aware": "know", "start": str(i), "age": 20 + i}, f"phone-{i}")
        for i in range(1, 6)
    ]
    responses.append(_response(6, 60.0, {"aware": "know", "age": 21, "start": "x"}, "phone-9"))
    responses += [_response(10 + i, 420.0, {"age": 40 + i}, "kiosk") for i in range(5)]
    flags = quality_flags(responses, {7: "C1"}, {"C1": place})
    kinds = {(f.response_id, f.kind) for f in flags}
    assert (6, "speeder") in kinds
    assert (6, "duplicate") in kinds
    assert {r for r, kind in kinds if kind == "device"} == {13, 14}
    assert all(f.place == "幸福社区" for f in flags)
