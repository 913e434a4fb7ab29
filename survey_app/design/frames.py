"""Frames in the database: import a frame CSV whole or not at all, export one, list districts."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from survey_app.design.frame_csv import Cell, ParsedFrame, parse_frame, write_frame
from survey_app.design.schemas import FrameSummary, Stratum
from survey_app.errors import InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import CensusMargin, Frame, FrameUnit, UnitLevel

NAME_LENGTH = 200


async def import_frame(db: AsyncSession, content: bytes, name: str) -> FrameSummary:
    """Check the whole file first; store the frame only when every row is good."""
    parsed = parse_frame(content)
    name = name.strip()[:NAME_LENGTH]
    if not name:
        raise InvalidInputError(
            N_("please give the frame a name"),
            details=[{"field": "name", "message": "missing"}],
        )
    frame = Frame(name=name)
    db.add(frame)
    await db.flush()
    await _store(db, frame, parsed)
    await db.commit()
    return await frame_summary(db, frame.id)


async def _store(db: AsyncSession, frame: Frame, parsed: ParsedFrame) -> None:
    street_population: dict[str, int] = defaultdict(int)
    for community in parsed.communities:
        street_population[community.street] += community.population
    district_population: dict[str, int] = defaultdict(int)
    for street, (_, district) in parsed.streets.items():
        district_population[district] += street_population[street]
    districts = {
        code: FrameUnit(
            frame_id=frame.id,
            level=UnitLevel.DISTRICT,
            code=code,
            name=name,
            population=district_population[code],
        )
        for code, name in parsed.districts.items()
    }
    db.add_all(districts.values())
    await db.flush()
    streets = {
        code: FrameUnit(
            frame_id=frame.id,
            parent_id=districts[district].id,
            level=UnitLevel.STREET,
            code=code,
            name=name,
            population=street_population[code],
        )
        for code, (name, district) in parsed.streets.items()
    }
    db.add_all(streets.values())
    await db.flush()
    communities = [
        FrameUnit(
            frame_id=frame.id,
            parent_id=streets[row.street].id,
            level=UnitLevel.COMMUNITY,
            code=row.code,
            name=row.name,
            population=row.population,
        )
        for row in parsed.communities
    ]
    db.add_all(communities)
    await db.flush()
    db.add_all(
        CensusMargin(unit_id=unit.id, age_group=age, sex=sex, population=count)
        for unit, row in zip(communities, parsed.communities, strict=True)
        for (age, sex), count in row.margins.items()
    )
    await db.flush()


async def get_frame(db: AsyncSession, frame_id: int) -> Frame:
    frame = await db.get(Frame, frame_id)
    if frame is None:
        raise NotFoundError(N_("there is no such frame"))
    return frame


async def frame_summary(db: AsyncSession, frame_id: int) -> FrameSummary:
    frame = await get_frame(db, frame_id)
    counts = dict(
        (
            await db.execute(
                select(FrameUnit.level, func.count())
                .where(FrameUnit.frame_id == frame_id)
                .group_by(FrameUnit.level)
            )
        )
        .tuples()
        .all()
    )
    population = await db.scalar(
        select(func.coalesce(func.sum(FrameUnit.population), 0)).where(
            FrameUnit.frame_id == frame_id, FrameUnit.level == UnitLevel.DISTRICT
        )
    )
    margins = await db.scalar(
        select(func.count())
        .select_from(CensusMargin)
        .join(FrameUnit, FrameUnit.id == CensusMargin.unit_id)
        .where(FrameUnit.frame_id == frame_id)
    )
    return FrameSummary(
        id=frame.id,
        name=frame.name,
        districts=counts.get(UnitLevel.DISTRICT, 0),
        streets=counts.get(UnitLevel.STREET, 0),
        communities=counts.get(UnitLevel.COMMUNITY, 0),
        population=int(population or 0),
        has_margins=bool(margins),
    )


async def list_frames(db: AsyncSession) -> list[FrameSummary]:
    ids = await db.scalars(select(Frame.id).order_by(Frame.id.desc()))
    return [await frame_summary(db, frame_id) for frame_id in ids.all()]


async def latest_frame_id(db: AsyncSession) -> int:
    frame_id = await db.scalar(select(func.max(Frame.id)))
    if frame_id is None:
        raise NotFoundError(N_("there is no frame yet; import one first"))
    return int(frame_id)


Placed = tuple[FrameUnit, FrameUnit, FrameUnit]
"""A community with its district and street: (district, street, community)."""


async def communities(db: AsyncSession, frame_id: int) -> list[Placed]:
    """(district, street, community) of every community, in district, street, community order."""
    street = aliased(FrameUnit)
    district = aliased(FrameUnit)
    rows = await db.execute(
        select(district, street, FrameUnit)
        .join(street, street.id == FrameUnit.parent_id)
        .join(district, district.id == street.parent_id)
        .where(FrameUnit.frame_id == frame_id, FrameUnit.level == UnitLevel.COMMUNITY)
        .order_by(district.code, street.code, FrameUnit.code)
    )
    return [(d, s, c) for d, s, c in rows.tuples().all()]


async def margins(db: AsyncSession, unit_ids: list[int]) -> dict[int, dict[Cell, int]]:
    """Census cells of the given units, each in the order they were stored."""
    found: dict[int, dict[Cell, int]] = defaultdict(dict)
    if not unit_ids:
        return found
    rows = await db.scalars(
        select(CensusMargin).where(CensusMargin.unit_id.in_(unit_ids)).order_by(CensusMargin.id)
    )
    for margin in rows.all():
        found[margin.unit_id][(margin.age_group, margin.sex)] = margin.population
    return found


async def export_frame(db: AsyncSession, frame_id: int) -> str:
    """The frame in the frame CSV format, ready to import again."""
    await get_frame(db, frame_id)
    units = await communities(db, frame_id)
    cells_by_unit = await margins(db, [community.id for _, _, community in units])
    cells: dict[Cell, None] = {}
    for unit_cells in cells_by_unit.values():
        cells.update(dict.fromkeys(unit_cells))
    return write_frame(
        (
            [
                district.code,
                district.name,
                street.code,
                street.name,
                community.code,
                community.name,
                community.population,
                *(cells_by_unit[community.id].get(cell, 0) for cell in cells),
            ]
            for district, street, community in units
        ),
        list(cells),
    )


async def strata(db: AsyncSession, frame_id: int) -> list[Stratum]:
    """The frame's districts with their population and number of communities."""
    await get_frame(db, frame_id)
    totals: dict[int, tuple[FrameUnit, int, int]] = {}
    for district, _, community in await communities(db, frame_id):
        _, population, count = totals.get(district.id, (district, 0, 0))
        totals[district.id] = (district, population + community.population, count + 1)
    return [
        Stratum(
            unit_id=district.id,
            code=district.code,
            name=district.name,
            population=population,
            communities=count,
        )
        for district, population, count in totals.values()
    ]
