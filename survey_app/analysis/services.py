"""Analysis rules with the database: weighting and estimate runs, stored, never overwritten."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis.data import OPEN_LINK, PROBABILITY, Case, WaveData, wave_data
from survey_app.analysis.estimation import (
    EstimateRow,
    EstimateSettings,
    Progress,
    estimate_indicators,
)
from survey_app.analysis.weighting import COMBINED, WeightingSettings, compute_weights
from survey_app.errors import InvalidInputError, NotFoundError
from survey_app.models import (
    AuditEvent,
    EstimateRecord,
    EstimateRun,
    Response,
    ResponseWeight,
    Survey,
    Wave,
    WeightingRun,
)


async def find_wave(
    db: AsyncSession, survey_slug: str | None = None, wave: int | None = None
) -> Wave:
    """The wave to analyse: `wave` (its number) of the survey `survey_slug` (short name or id);
    by default the newest wave of the newest survey that has responses (else the newest)."""
    answered = (
        select(Survey)
        .join(Wave, Wave.survey_id == Survey.id)
        .where(select(Response.id).where(Response.wave_id == Wave.id).exists())
        .order_by(Survey.id.desc())
        .limit(1)
    )
    query = select(Survey).order_by(Survey.id.desc()).limit(1)
    if not survey_slug and await db.scalar(answered) is not None:
        query = answered
    if survey_slug and survey_slug.isdigit():
        query = select(Survey).where(Survey.id == int(survey_slug))
    elif survey_slug:
        query = select(Survey).where(Survey.slug == survey_slug)
    survey = await db.scalar(query)
    if survey is None:
        raise NotFoundError(
            f"there is no survey {survey_slug!r}" if survey_slug else "no survey yet"
        )
    waves = select(Wave).where(Wave.survey_id == survey.id)
    if wave is not None:
        waves = waves.where(Wave.number == wave)
    found = await db.scalar(waves.order_by(Wave.number.desc()).limit(1))
    if found is None:
        raise NotFoundError(
            f"survey {survey.slug!r} has no wave {wave}" if wave else f"{survey.slug!r} has no wave"
        )
    return found


async def run_weighting(
    db: AsyncSession, wave: Wave, settings: WeightingSettings, actor_id: int | None
) -> WeightingRun:
    """Compute and store a new weighting run (earlier runs stay as they were)."""
    data = await wave_data(db, wave, settings.design_id)
    result = compute_weights(data, settings)
    stored = msgspec.to_builtins(
        msgspec.structs.replace(settings, design_id=data.design.id if data.design else None)
    )
    run = WeightingRun(
        wave_id=wave.id,
        created_by=actor_id,
        settings=stored,
        diagnostics=_finite(result.diagnostics()),
        converged=result.converged,
    )
    db.add(run)
    await db.flush()
    db.add_all(
        ResponseWeight(run_id=run.id, response_id=case.response_id, weight=float(weight))
        for group in result.groups
        for case, weight in zip(group.cases, group.weights.tolist(), strict=True)
    )
    db.add(
        AuditEvent(
            actor_id=actor_id,
            action="weighting_run",
            target=f"wave:{wave.id}",
            details={"run": run.id, "converged": result.converged},
        )
    )
    await db.commit()
    return run


async def weighting_runs(db: AsyncSession, wave: Wave) -> list[WeightingRun]:
    rows = await db.scalars(
        select(WeightingRun).where(WeightingRun.wave_id == wave.id).order_by(WeightingRun.id.desc())
    )
    return list(rows)


async def weighting_run(db: AsyncSession, run_id: int) -> WeightingRun:
    run = await db.get(WeightingRun, run_id)
    if run is None:
        raise NotFoundError(f"there is no weighting run {run_id}")
    return run


@dataclass(frozen=True, slots=True)
class WeightedCase:
    case: Case
    group: str
    weight: float
    design_weight: float | None


async def weighted_cases(
    db: AsyncSession, run: WeightingRun
) -> tuple[WaveData, list[WeightedCase]]:
    """The run's respondents with their group and weights, in response order."""
    wave = await db.get(Wave, run.wave_id)
    if wave is None:
        raise NotFoundError(f"weighting run {run.id} has no wave")
    settings = msgspec.convert(run.settings, WeightingSettings)
    data = await wave_data(db, wave, settings.design_id)
    weights = dict(
        (
            await db.execute(
                select(ResponseWeight.response_id, ResponseWeight.weight).where(
                    ResponseWeight.run_id == run.id
                )
            )
        )
        .tuples()
        .all()
    )
    completes = {
        str(k): int(v) for k, v in run.diagnostics.get("completes_by_community", {}).items()
    }
    out = []
    for case in data.cases:
        if case.response_id not in weights:
            continue
        group = COMBINED if settings.open_link == "combined" else case.sample
        design_weight = (
            data.design_weight(case, completes)
            if case.sample == PROBABILITY and case.community in completes
            else None
        )
        out.append(WeightedCase(case, group, weights[case.response_id], design_weight))
    return data, out


async def run_estimates(
    db: AsyncSession,
    run: WeightingRun,
    settings: EstimateSettings,
    actor_id: int | None,
    progress: Progress | None = None,
) -> list[EstimateRun]:
    """Estimate every indicator for each group of the weighting run; one estimate run per group."""
    settings.check()
    data, cases = await weighted_cases(db, run)
    runs = []
    for group in (PROBABILITY, COMBINED, OPEN_LINK):
        members = [c for c in cases if c.group == group]
        if not members:
            continue
        rows = estimate_indicators(
            [c.case for c in members],
            [c.weight for c in members],
            data.indicators,
            settings,
            clustered=group != OPEN_LINK,
            progress=_labelled(progress, group),
        )
        estimate_run = EstimateRun(
            weighting_run_id=run.id,
            settings={**msgspec.to_builtins(settings), "sample": group},
        )
        db.add(estimate_run)
        await db.flush()
        ids = {indicator.code: indicator.id for indicator in data.indicators}
        db.add_all(_record(estimate_run.id, ids[row.indicator], row) for row in rows)
        runs.append(estimate_run)
    if not runs:
        raise InvalidInputError(f"weighting run {run.id} weights no respondent")
    db.add(
        AuditEvent(
            actor_id=actor_id,
            action="estimate_run",
            target=f"weighting_run:{run.id}",
            details={"runs": [r.id for r in runs], **msgspec.to_builtins(settings)},
        )
    )
    await db.commit()
    return runs


def _labelled(progress: Progress | None, group: str) -> Progress | None:
    """`progress` with each step prefixed by the sample group."""
    if progress is None:
        return None
    listener = progress

    def step(name: str, done: int, total: int) -> None:
        listener(f"{group} {name}", done, total)

    return step


def _record(run_id: int, indicator_id: int, row: EstimateRow) -> EstimateRecord:
    e = row.estimate
    return EstimateRecord(
        run_id=run_id,
        indicator_id=indicator_id,
        domain_variable=row.domain_variable,
        domain_value=row.domain_value,
        estimate=e.estimate,
        se=e.se,
        ci_low=e.ci_low if math.isfinite(e.ci_low) else 0.0,
        ci_high=e.ci_high if math.isfinite(e.ci_high) else 1.0,
        df=e.df if math.isfinite(e.df) else 1e9,
        deff=e.deff if math.isfinite(e.deff) else None,
        n=e.n,
        n_eff=e.n_eff if math.isfinite(e.n_eff) else 0.0,
        verdict=row.verdict,
        flags=list(e.flags),
    )


async def estimate_runs_of(db: AsyncSession, run: WeightingRun) -> list[EstimateRun]:
    rows = await db.scalars(
        select(EstimateRun).where(EstimateRun.weighting_run_id == run.id).order_by(EstimateRun.id)
    )
    return list(rows)


async def latest_estimated_run(db: AsyncSession, wave: Wave) -> WeightingRun | None:
    """The newest weighting run of `wave` that has estimates."""
    run: WeightingRun | None = await db.scalar(
        select(WeightingRun)
        .join(EstimateRun, EstimateRun.weighting_run_id == WeightingRun.id)
        .where(WeightingRun.wave_id == wave.id)
        .order_by(EstimateRun.id.desc())
        .limit(1)
    )
    return run


async def estimate_records(db: AsyncSession, estimate_run: EstimateRun) -> list[EstimateRecord]:
    rows = await db.scalars(
        select(EstimateRecord)
        .where(EstimateRecord.run_id == estimate_run.id)
        .order_by(EstimateRecord.id)
    )
    return list(rows)


def _finite(value: Any) -> Any:
    """JSON-safe diagnostics: non-finite floats become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


async def run_weighting_and_estimates(
    db: AsyncSession,
    wave: Wave,
    weighting: WeightingSettings,
    estimates: EstimateSettings,
    actor_id: int | None,
) -> WeightingRun:
    """A new weighting run and its estimates, as the analyst's one click asks for."""
    run = await run_weighting(db, wave, weighting, actor_id)
    await run_estimates(db, run, estimates, actor_id)
    return run
