"""Shared set-up for the analysis, report and export tests: the demo city, weighted and
estimated once per test module (loading it takes seconds)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services
from survey_app.analysis.estimation import EstimateSettings
from survey_app.analysis.weighting import WeightingSettings
from survey_app.demo.loader import load_demo
from survey_app.settings import Settings
from tests.conftest import empty_all_tables, run_with_session

DEMO_SEED = 20261122


@dataclass(frozen=True)
class DemoRun:
    settings: Settings
    wave_id: int
    run_id: int


def demo_with_run(settings: Settings) -> DemoRun:
    """An emptied database holding the demo city and one weighting run with its estimates
    (raking to district and age group × sex, open-link answers apart, logit 95 %)."""
    empty_all_tables(settings)

    async def work(db: AsyncSession) -> DemoRun:
        await load_demo(db, seed=DEMO_SEED, if_empty=False)
        wave = await services.find_wave(db)
        run = await services.run_weighting_and_estimates(
            db, wave, WeightingSettings(), EstimateSettings(), None
        )
        return DemoRun(settings, wave.id, run.id)

    return run_with_session(settings, work)
