"""A survey's own places in its questionnaire: the district, street and community options.

The shipped templates carry placeholder places (d1, d1_s1, d1_s1_c1, …). Taking a sampling
frame's units as the options makes answers name the frame's units by their codes, so responses,
assignments and weights meet on the same codes. The result is a new questionnaire version; the
versions before it stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import Choice, ChoiceList, DefinitionError, validate_questionnaire
from survey_app.errors import InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import Frame, FrameUnit
from survey_app.surveys.parsed import questionnaire_of
from survey_app.surveys.schemas import QuestionnaireVersionInfo
from survey_app.surveys.services import latest_questionnaire, survey_by_slug
from survey_app.surveys.versions import store_version

PLACE_LISTS = ("district", "street", "community")
_FRAME_SUFFIX = re.compile(r"-frame\d+$")


def place_lists(units: Sequence[FrameUnit]) -> dict[str, tuple[Choice, ...]]:
    """The frame's units as the `district`, `street` and `community` choice lists, each unit
    filtered by the units above it (as the templates' `choice_filter`s expect)."""
    by_id = {unit.id: unit for unit in units}
    lists: dict[str, list[Choice]] = {name: [] for name in PLACE_LISTS}
    for unit in units:
        filters: dict[str, str] = {}
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        while parent is not None:
            filters[parent.level.value] = parent.code
            parent = by_id.get(parent.parent_id) if parent.parent_id is not None else None
        label = {"zh": unit.name, "en": unit.name}
        lists[unit.level.value].append(Choice(name=unit.code, label=label, filters=filters))
    return {name: tuple(choices) for name, choices in lists.items() if choices}


async def use_frame(db: AsyncSession, slug: str, frame_id: int | None) -> QuestionnaireVersionInfo:
    """A new version whose place options are the units of `frame_id` (default: the survey's
    frame); the survey keeps that frame when it had none."""
    survey = await survey_by_slug(db, slug)
    frame_id = frame_id or survey.frame_id
    if frame_id is None:
        raise InvalidInputError(
            N_("choose the sampling frame whose places the questionnaire should offer"),
            details=[{"field": "frame_id", "message": "the survey has no frame yet"}],
        )
    if await db.get(Frame, frame_id) is None:
        raise NotFoundError(N_("there is no such sampling frame"))
    current = questionnaire_of(await latest_questionnaire(db, survey))
    units = list(
        await db.scalars(
            select(FrameUnit).where(FrameUnit.frame_id == frame_id).order_by(FrameUnit.id)
        )
    )
    places = place_lists(units)
    if not any(lst.name in places for lst in current.choice_lists):
        raise InvalidInputError(
            N_("the questionnaire has no district, street or community options from this frame"),
            details=[{"field": "choices", "message": ", ".join(PLACE_LISTS)}],
        )
    try:
        questionnaire = validate_questionnaire(
            msgspec.structs.replace(
                current,
                version=f"{_FRAME_SUFFIX.sub('', current.version)}-frame{frame_id}",
                choice_lists=tuple(
                    ChoiceList(lst.name, places[lst.name]) if lst.name in places else lst
                    for lst in current.choice_lists
                ),
            )
        )
    except DefinitionError as error:
        raise InvalidInputError(
            N_("the frame's codes cannot be used as answer codes"),
            details=[
                {"field": problem.choice_list, "message": str(problem)}
                for problem in error.problems
            ],
        ) from None
    if survey.frame_id is None:
        survey.frame_id = frame_id
    return await store_version(db, survey, questionnaire)


async def frames(db: AsyncSession) -> list[Frame]:
    return list(await db.scalars(select(Frame).order_by(Frame.id)))
