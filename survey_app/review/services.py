"""Review rules: whose interviews a supervisor sees, their flags, approving and rejecting."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from survey_app.accounts.schemas import CurrentUser
from survey_app.errors import ConflictError, InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import (
    COMPLETE_DISPOSITIONS,
    FrameUnit,
    QuestionnaireVersion,
    Response,
    ResponseConflict,
    ResponseMode,
    ResponseRevision,
    ReviewEvent,
    ReviewState,
    Role,
    User,
)
from survey_app.review.flags import Flag, Interview, quality_flags
from survey_app.review.schemas import (
    AnswerLine,
    HistoryStep,
    OtherVersion,
    ReviewDetail,
    ReviewList,
    ReviewRow,
)
from survey_app.surveys.parsed import questionnaire_of

PAGE_SIZE = 50
DEVICE_MODES = (ResponseMode.CAPI, ResponseMode.OPENROSA)
STATE_FILTERS = ("to_review", "all", *(state.value for state in ReviewState))


async def _team(db: AsyncSession, reviewer: CurrentUser) -> list[int] | None:
    """Ids of the enumerators a supervisor reviews; None for an administrator (everyone)."""
    if reviewer.role == Role.ADMIN:
        return None
    return list(await db.scalars(select(User.id).where(User.supervisor_id == reviewer.id)))


async def _team_responses(db: AsyncSession, team: list[int] | None) -> list[Response]:
    query = select(Response).where(Response.mode.in_(DEVICE_MODES))
    if team is not None:
        query = query.where(Response.enumerator_id.in_(team))
    return list(await db.scalars(query.order_by(Response.submitted_at.desc(), Response.id.desc())))


async def _questionnaires(db: AsyncSession, version_ids: set[int]) -> dict[int, Questionnaire]:
    versions = await db.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(version_ids))
    )
    return {v.id: questionnaire_of(v) for v in versions}


def _scales(questionnaires: Sequence[Questionnaire]) -> dict[str, str]:
    return {
        question.name: question.list_name
        for questionnaire in questionnaires
        for question in questionnaire.questions()
        if question.type == "select_one"
    }


def _device(response: Response) -> str:
    device = response.paradata.get("device_id")
    return str(device) if device else f"enumerator-{response.enumerator_id}"


def _duration(response: Response) -> float | None:
    value = response.paradata.get("duration_seconds")
    return float(value) if isinstance(value, int | float) else None


async def _flags(db: AsyncSession, wave_ids: set[int]) -> dict[int, list[Flag]]:
    """Flags of every complete device interview in the waves (medians and twins wave-wide)."""
    completes = list(
        await db.scalars(
            select(Response).where(
                Response.wave_id.in_(wave_ids),
                Response.mode.in_(DEVICE_MODES),
                Response.disposition.in_(COMPLETE_DISPOSITIONS),
            )
        )
    )
    forms = await _questionnaires(db, {r.questionnaire_version_id for r in completes})
    return quality_flags(
        [
            Interview(
                id=r.id,
                unit_id=r.unit_id,
                device=_device(r),
                started_at=r.started_at,
                duration_seconds=_duration(r),
                answers=r.answers,
            )
            for r in completes
        ],
        _scales(list(forms.values())),
    )


async def _names(db: AsyncSession, responses: Sequence[Response]) -> tuple[dict[int, str], ...]:
    user_ids = {r.enumerator_id for r in responses if r.enumerator_id is not None}
    unit_ids = {r.unit_id for r in responses if r.unit_id is not None}
    users = await db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    units = await db.execute(select(FrameUnit.id, FrameUnit.name).where(FrameUnit.id.in_(unit_ids)))
    return dict(users.tuples().all()), dict(units.tuples().all())


async def review_list(
    db: AsyncSession, reviewer: CurrentUser, state: str, flagged_only: bool, page: int
) -> ReviewList:
    """The team's interviews in `state` (to_review = received or conflict), newest first."""
    if state not in STATE_FILTERS:
        raise InvalidInputError(N_("unknown review state"))
    responses = await _team_responses(db, await _team(db, reviewer))
    counts = {s.value: 0 for s in ReviewState}
    for response in responses:
        counts[response.review_state.value] += 1
    flags = await _flags(db, {r.wave_id for r in responses})
    wanted = {
        "to_review": {ReviewState.RECEIVED, ReviewState.CONFLICT},
        "all": set(ReviewState),
    }.get(state, {ReviewState(state)} if state in counts else set())
    chosen = [
        r for r in responses if r.review_state in wanted and (not flagged_only or flags.get(r.id))
    ]
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    users, units = await _names(db, shown)
    return ReviewList(
        rows=[
            ReviewRow(
                id=r.id,
                submitted_at=r.submitted_at,
                enumerator=users.get(r.enumerator_id or 0, ""),
                community=units.get(r.unit_id or 0, ""),
                disposition=r.disposition,
                duration_seconds=_duration(r),
                state=r.review_state.value,
                flags=[flag.value for flag in flags.get(r.id, [])],
            )
            for r in shown
        ],
        total=len(chosen),
        page=page,
        pages=pages,
        counts=counts,
    )


async def _reviewable(db: AsyncSession, reviewer: CurrentUser, response_id: int) -> Response:
    response = await db.get(Response, response_id)
    team = await _team(db, reviewer)
    if (
        response is None
        or response.mode not in DEVICE_MODES
        or (team is not None and response.enumerator_id not in team)
    ):
        raise NotFoundError(N_("there is no such interview in your team"))
    return response


def _answer_text(questionnaire: Questionnaire, name: str, value: Any, language: str) -> str:
    question = questionnaire.question(name)
    values = value if isinstance(value, list) else [value]
    if question is not None and question.list_name:
        choices = questionnaire.choice_list(question.list_name)
        labels = (
            {c.name: questionnaire.localize(c.label, language) for c in choices.choices}
            if choices
            else {}
        )
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return ", ".join(str(v) for v in values)


def _answer_lines(
    questionnaire: Questionnaire | None, answers: dict[str, Any], language: str
) -> list[AnswerLine]:
    if questionnaire is None:
        return [AnswerLine(name, name, str(value)) for name, value in answers.items()]
    return [
        AnswerLine(
            name=question.name,
            question=questionnaire.localize(question.label, language) or question.name,
            answer=_answer_text(questionnaire, question.name, answers[question.name], language),
        )
        for question in questionnaire.questions()
        if question.name in answers
    ]


def _differs(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    return sorted(name for name in set(left) | set(right) if left.get(name) != right.get(name))


async def review_detail(
    db: AsyncSession, reviewer: CurrentUser, response_id: int, language: str
) -> ReviewDetail:
    response = await _reviewable(db, reviewer, response_id)
    forms = await _questionnaires(db, {response.questionnaire_version_id})
    users, units = await _names(db, [response])
    events = list(
        await db.scalars(
            select(ReviewEvent)
            .where(ReviewEvent.response_id == response.id)
            .order_by(ReviewEvent.created_at, ReviewEvent.id)
        )
    )
    actors = dict(
        (
            await db.execute(
                select(User.id, User.display_name).where(
                    User.id.in_({e.actor_id for e in events if e.actor_id is not None})
                )
            )
        )
        .tuples()
        .all()
    )
    conflicts = await db.scalars(
        select(ResponseConflict)
        .where(ResponseConflict.response_id == response.id)
        .order_by(ResponseConflict.id)
    )
    revisions = await db.scalars(
        select(ResponseRevision)
        .where(ResponseRevision.response_id == response.id)
        .order_by(ResponseRevision.id)
    )
    flags = await _flags(db, {response.wave_id})
    return ReviewDetail(
        id=response.id,
        client_uuid=str(response.client_uuid),
        mode=response.mode.value,
        state=response.review_state.value,
        disposition=response.disposition,
        enumerator=users.get(response.enumerator_id or 0, ""),
        community=units.get(response.unit_id or 0, ""),
        submitted_at=response.submitted_at,
        answers=_answer_lines(
            forms.get(response.questionnaire_version_id), response.answers, language
        ),
        paradata=response.paradata,
        flags=[flag.value for flag in flags.get(response.id, [])],
        history=[
            HistoryStep(
                at=e.created_at,
                action=e.action,
                actor=actors.get(e.actor_id or 0, ""),
                comment=e.comment,
            )
            for e in events
        ],
        conflicts=[
            OtherVersion(c.received_at, c.disposition, _differs(c.answers, response.answers))
            for c in conflicts
        ],
        revisions=[
            OtherVersion(r.replaced_at, r.disposition, _differs(r.answers, response.answers))
            for r in revisions
        ],
    )


async def decide(
    db: AsyncSession, reviewer: CurrentUser, response_id: int, approve: bool, comment: str
) -> None:
    """Approve, or reject with a comment that goes back to the enumerator's device."""
    response = await _reviewable(db, reviewer, response_id)
    comment = comment.strip()[:2000]
    target = ReviewState.APPROVED if approve else ReviewState.REJECTED
    if not approve and not comment:
        raise InvalidInputError(N_("write a comment so the enumerator knows what to correct"))
    if response.review_state == target:
        raise ConflictError(N_("the interview is already in that state"))
    response.review_state = target
    db.add(
        ReviewEvent(
            response_id=response.id,
            actor_id=reviewer.id,
            action=target.value,
            comment=comment,
        )
    )
    await db.commit()
