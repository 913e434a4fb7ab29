"""Assignments of drawn communities to enumerators, with quota cells, and the printable sheet."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling.planning import quotas
from survey_app.design import frames
from survey_app.design.planning import field_problem
from survey_app.design.schemas import DesignView, EnumeratorChoice, SheetSection
from survey_app.design.services import design_view, load_design
from survey_app.errors import ConflictError, InvalidInputError
from survey_app.i18n import N_
from survey_app.models import Allocation, Assignment, Response, Role, SelectedUnit, User


def split_runs(targets: list[int], people: int) -> list[int]:
    """Cut communities (in frame order) into `people` runs of about equal work.

    Community i goes to enumerator ⌊people·(T_<i + t_i/2)/T⌋, the one whose share of the total T
    holds the middle of its interviews, so runs are contiguous (neighbouring communities stay
    together) and no enumerator gets more than T/people plus one community's target.
    """
    total = sum(targets)
    runs = []
    done = 0
    for target in targets:
        middle = (2 * done + target) * people // (2 * total) if total else 0
        runs.append(min(middle, people - 1))
        done += target
    return runs


async def enumerators(db: AsyncSession) -> list[EnumeratorChoice]:
    users = await db.scalars(
        select(User).where(User.role == Role.ENUMERATOR, User.is_active).order_by(User.username)
    )
    return [EnumeratorChoice(u.id, u.username, u.display_name) for u in users.all()]


async def assign(db: AsyncSession, design_id: int, usernames: list[str]) -> DesignView:
    """Split the drawn communities over the enumerators in frame order, with quota cells.

    Each enumerator gets a run of neighbouring communities (district, street order) with about
    the same number of interviews; each community's target is split over its census age × sex
    cells by `sampling.planning.quotas`. Assignments already made for the wave are replaced,
    as long as no interview has been recorded in it.
    """
    design, wave, _ = await load_design(db, design_id)
    if not design.is_drawn:
        raise ConflictError(N_("draw the sample before making assignments"))
    wanted = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    people = {e.username: e for e in await enumerators(db)}
    unknown = [name for name in wanted if name not in people]
    if not wanted or unknown:
        raise InvalidInputError(
            N_("choose one or more enumerators by their user name"),
            details=[field_problem("enumerators", N_("unknown: {names}"), names=", ".join(unknown))]
            if unknown
            else [field_problem("enumerators", N_("missing"))],
        )
    if await db.scalar(select(func.count()).where(Response.wave_id == wave.id)):
        raise ConflictError(N_("interviews have been recorded in this wave; assignments stay"))
    await db.execute(delete(Assignment).where(Assignment.wave_id == wave.id))
    targets = {
        stratum: interviews // clusters
        for stratum, interviews, clusters in (
            await db.execute(
                select(
                    Allocation.stratum_unit_id, Allocation.interviews, Allocation.clusters
                ).where(Allocation.design_id == design.id, Allocation.clusters > 0)
            )
        ).tuples()
    }
    units = [
        (district, community)
        for district, _, community in await frames.communities(db, int(design.settings["frame_id"]))
    ]
    drawn = set(
        (
            await db.scalars(
                select(SelectedUnit.unit_id).where(
                    SelectedUnit.design_id == design.id, ~SelectedUnit.is_reserve
                )
            )
        ).all()
    )
    work = [(c, targets[district.id]) for district, c in units if c.id in drawn]
    census = await frames.margins(db, [community.id for community, _ in work])
    runs = split_runs([target for _, target in work], len(wanted))
    for (community, target), run in zip(work, runs, strict=True):
        enumerator = people[wanted[run]]
        cells = census.get(community.id)
        db.add(
            Assignment(
                wave_id=wave.id,
                unit_id=community.id,
                enumerator_id=enumerator.id,
                target_count=target,
                quota_cells={f"{age}|{sex}": n for (age, sex), n in quotas(target, cells).items()}
                if cells
                else {},
            )
        )
    await db.commit()
    return await design_view(db, design_id)


async def sheet(db: AsyncSession, design_id: int) -> tuple[DesignView, list[SheetSection]]:
    """The printable assignment sheet: one section per enumerator, with the reserves."""
    view = await design_view(db, design_id)
    if not view.assignments:
        raise ConflictError(N_("there are no assignments for this design yet"))
    sections = []
    for username in dict.fromkeys(row.enumerator for row in view.assignments):
        rows = [row for row in view.assignments if row.enumerator == username]
        districts = {row.district for row in rows}
        sections.append(
            SheetSection(
                enumerator=username,
                enumerator_name=rows[0].enumerator_name,
                rows=rows,
                reserves=[r for r in view.selected if r.is_reserve and r.district in districts],
            )
        )
    return view, sections
