"""The analysis file of one wave: completed responses with their places, design and answers.

Places come from the frame (the response's community and its street and district), falling back
to the answers for a response without a community, but only to a single-choice answer (an option
code): a place typed as text may be an address, a direct identifier that never reaches analysis
data, reports or exports. A response is in the probability sample when
it was collected as one (enumerator visit or personal invitation) in a community the wave's
sample design drew; every other complete (open-link web answers) is kept apart as ``open_link``.

The design weight of a probability respondent in community c of district h is

    d = 1 / (π_c · m_c / N_c) = N_c / (π_c · m_c)

with π_c the community's inclusion probability (PPS systematic within the district), m_c the
completes in c and N_c its population aged 14+: the community's chance of selection times the
share of its residents interviewed. Strata are the districts, PSUs the communities; the first
stage is treated as drawn with replacement (no fpc), R ``survey``'s usual approximation for PPS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from survey_app.errors import InvalidInputError, NotFoundError
from survey_app.models import (
    COMPLETE_DISPOSITIONS,
    CensusMargin,
    FrameUnit,
    Indicator,
    QuestionnaireVersion,
    Response,
    ReviewState,
    SampleDesign,
    SelectedUnit,
    Survey,
    UnitLevel,
    Wave,
)

PROBABILITY = "probability"
OPEN_LINK = "open_link"
PLACE_LEVELS = ("district", "street", "community")


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str
    level: str
    population: int
    parent: str | None


@dataclass(frozen=True, slots=True)
class Case:
    """One complete response as analysis sees it."""

    response_id: int
    sample: str
    mode: str
    district: str | None
    street: str | None
    community: str | None
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WaveData:
    """Everything weighting, estimation and reports read about one wave."""

    survey: Survey
    wave: Wave
    questionnaire: Questionnaire
    indicators: tuple[Indicator, ...]
    places: dict[str, Place]
    cases: tuple[Case, ...]
    design: SampleDesign | None
    inclusion: dict[str, float] = field(default_factory=dict)
    """Community code → inclusion probability in the wave's sample design."""
    census: dict[tuple[str, str, str], float] = field(default_factory=dict)
    """(district code, age group, sex) → census population."""

    def place_name(self, code: str | None) -> str:
        place = self.places.get(code or "")
        return place.name if place else (code or "")

    def completes_by_community(self) -> dict[str, int]:
        """m_c: probability completes per sampled community."""
        return dict(
            Counter(c.community for c in self.cases if c.sample == PROBABILITY and c.community)
        )

    def design_weight(self, case: Case, completes: dict[str, int]) -> float:
        """N_c / (π_c · m_c) for a probability respondent (see the module docstring)."""
        community = case.community or ""
        return self.places[community].population / (
            self.inclusion[community] * completes[community]
        )


async def wave_data(db: AsyncSession, wave: Wave, design_id: int | None = None) -> WaveData:
    """The wave's completes, frame, sample design (its newest drawn one unless `design_id`)."""
    survey = await db.get(Survey, wave.survey_id)
    if survey is None:
        raise NotFoundError(f"wave {wave.id} has no survey")
    version = await db.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.survey_id == survey.id)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )
    if version is None:
        raise NotFoundError(f"survey {survey.slug!r} has no questionnaire yet")
    questionnaire = msgspec.convert(version.definition, Questionnaire)
    indicators = tuple(
        await db.scalars(
            select(Indicator).where(Indicator.survey_id == survey.id).order_by(Indicator.id)
        )
    )
    places, by_id = await _places(db, survey)
    design = await _design(db, wave, design_id)
    inclusion: dict[str, float] = {}
    if design is not None:
        rows = await db.execute(
            select(SelectedUnit.unit_id, SelectedUnit.inclusion_probability).where(
                SelectedUnit.design_id == design.id, SelectedUnit.is_reserve.is_(False)
            )
        )
        inclusion = {by_id[unit_id]: p for unit_id, p in rows.all() if unit_id in by_id}
    responses = await db.scalars(
        select(Response)
        .where(
            Response.wave_id == wave.id,
            Response.disposition.in_(COMPLETE_DISPOSITIONS),
            Response.review_state != ReviewState.REJECTED,
        )
        .order_by(Response.id)
    )
    coded = frozenset(
        level
        for level in PLACE_LEVELS
        if (question := questionnaire.question(level)) is not None and question.type == "select_one"
    )
    cases = tuple(_case(r, by_id, places, inclusion, coded) for r in responses)
    return WaveData(
        survey=survey,
        wave=wave,
        questionnaire=questionnaire,
        indicators=indicators,
        places=places,
        cases=cases,
        design=design,
        inclusion=inclusion,
        census=await _census(db, by_id, places),
    )


async def _places(db: AsyncSession, survey: Survey) -> tuple[dict[str, Place], dict[int, str]]:
    if survey.frame_id is None:
        return {}, {}
    units = list(await db.scalars(select(FrameUnit).where(FrameUnit.frame_id == survey.frame_id)))
    by_id = {unit.id: unit.code for unit in units}
    places = {
        unit.code: Place(
            code=unit.code,
            name=unit.name,
            level=unit.level.value,
            population=unit.population,
            parent=by_id.get(unit.parent_id) if unit.parent_id else None,
        )
        for unit in units
    }
    return places, by_id


async def wave_places(db: AsyncSession, wave: Wave) -> tuple[dict[str, Place], dict[int, str]]:
    """The frame of the wave's survey: places by code, and codes by unit id."""
    survey = await db.get(Survey, wave.survey_id)
    if survey is None:
        raise NotFoundError(f"wave {wave.id} has no survey")
    return await _places(db, survey)


async def _design(db: AsyncSession, wave: Wave, design_id: int | None) -> SampleDesign | None:
    if design_id is not None:
        design = await db.get(SampleDesign, design_id)
        if design is None or design.wave_id != wave.id:
            raise InvalidInputError(f"sample design {design_id} does not belong to this wave")
        if not design.is_drawn:
            raise InvalidInputError(f"sample design {design_id} has not been drawn yet")
        return design
    newest: SampleDesign | None = await db.scalar(
        select(SampleDesign)
        .where(SampleDesign.wave_id == wave.id, SampleDesign.is_drawn.is_(True))
        .order_by(SampleDesign.id.desc())
        .limit(1)
    )
    return newest


async def _census(
    db: AsyncSession, by_id: dict[int, str], places: dict[str, Place]
) -> dict[tuple[str, str, str], float]:
    if not by_id:
        return {}
    rows = await db.execute(
        select(
            CensusMargin.unit_id, CensusMargin.age_group, CensusMargin.sex, CensusMargin.population
        ).where(CensusMargin.unit_id.in_(list(by_id)))
    )
    totals: dict[tuple[str, str, str], float] = {}
    for unit_id, age_group, sex, population in rows.all():
        district = ancestor(places, by_id[unit_id], UnitLevel.DISTRICT.value)
        if district is not None:
            key = (district, age_group, sex)
            totals[key] = totals.get(key, 0.0) + float(population)
    return totals


def ancestor(places: dict[str, Place], code: str | None, level: str) -> str | None:
    """The code of the `level` unit containing `code` (itself when it is at that level)."""
    while code is not None and code in places:
        place = places[code]
        if place.level == level:
            return code
        code = place.parent
    return None


def _case(
    response: Response,
    by_id: dict[int, str],
    places: dict[str, Place],
    inclusion: dict[str, float],
    coded: frozenset[str],
) -> Case:
    """`coded`: the place levels the questionnaire asks as single choices (option codes)."""
    answers = response.answers or {}

    def answered(level: str) -> str | None:
        return _text(answers.get(level)) if level in coded else None

    community = by_id.get(response.unit_id) if response.unit_id is not None else None
    if community is None:
        community = answered("community")
    in_sample = response.is_probability_sample and community in inclusion
    return Case(
        response_id=response.id,
        sample=PROBABILITY if in_sample else OPEN_LINK,
        mode=response.mode.value,
        district=ancestor(places, community, "district") or answered("district"),
        street=ancestor(places, community, "street") or answered("street"),
        community=community,
        answers=answers,
    )


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
