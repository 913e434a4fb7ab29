"""Finishing a resident's questionnaire: validated once more, stored exactly once.

The response is committed before the thank-you page is shown. An invitation's use is taken in
the same transaction as the response, so an invitation never answers more often than allowed;
an open-link device sending exactly the same answers twice is stored once (duplicate guard).
In that same transaction the partial response gives up its answers and paradata: the response
holds them now, and the partial keeps only what a repeated post or resume link needs to show
the thank-you page again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import CONSENT_QUESTION
from questionnaires.validation import validate_answers
from survey_app.collection.consent import (
    CONSENT_REQUIRED,
    NOTICE_LANGUAGE,
    PARADATA_KEY,
    consent_of,
    lacks_consent,
    with_consent,
)
from survey_app.collection.entry import USED, notice
from survey_app.collection.forms import page_questions
from survey_app.collection.navigation import Route, today
from survey_app.collection.schemas import Problems, SurveyTarget
from survey_app.collection.storage import Submission, content_hash, store_response
from survey_app.i18n import translations_for_language
from survey_app.models import (
    FrameUnit,
    Invitation,
    PartialResponse,
    Response,
    ResponseMode,
    UnitLevel,
)


async def finish(
    db: AsyncSession, target: SurveyTarget, partial: PartialResponse, language: str
) -> Problems | None:
    """Store the finished questionnaire exactly once; problems send the resident back.

    Committed before the thank-you page is shown. An invitation's use is taken in the same
    transaction as the response, so an invitation can never answer more often than allowed.
    """
    if partial.finished_at is not None:
        return None
    route = Route.of(target.questionnaire, partial.answers, today())
    result = validate_answers(
        target.questionnaire, partial.answers, language=language, today=today()
    )
    if result.problems:
        names = {p.name for p in result.problems}
        first = next(
            (
                page
                for page in route.pages
                if route.is_shown(page) and names & {q.name for q in page_questions(page)}
            ),
            None,
        )
        page_name = first.name if first is not None else partial.page
        return Problems(page_name, {p.name: p.message for p in result.problems})
    last = route.pages[route.index(partial.page) or 0]
    disposition = route.disposition(last)
    consent = consent_of(
        target.questionnaire,
        result.answers,
        language=partial.paradata.get(NOTICE_LANGUAGE, language),
        box_ticked=partial.paradata.get(PARADATA_KEY) is True,
    )
    if lacks_consent(consent, disposition):
        asked = next(
            (p for p in route.pages if CONSENT_QUESTION in {q.name for q in page_questions(p)}),
            route.first(),
        )
        message = translations_for_language(language).gettext(CONSENT_REQUIRED)
        return Problems(asked.name, {CONSENT_QUESTION: message})
    ending = [note.name for note in route.closing_notes(last)]
    now = dt.datetime.now(dt.UTC)
    started = dt.datetime.fromisoformat(partial.paradata["started_at"])
    paradata = with_consent(
        {
            **partial.paradata,
            "submitted_at": now.isoformat(),
            "duration_seconds": round((now - started).total_seconds(), 1),
        },
        consent,
    )
    if await _is_duplicate(db, target, partial, result.answers, disposition):
        _close(partial, now, disposition, ending, duplicate=True)
        await db.commit()
        return None
    client_uuid = partial.client_uuid
    invitation = await db.get(Invitation, partial.invitation_id) if partial.invitation_id else None
    if invitation is not None:
        taken = await db.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.uses_left > 0)
            .values(uses_left=Invitation.uses_left - 1)
        )
        if cast("CursorResult[Any]", taken).rowcount == 0:
            await db.rollback()
            stored = await db.scalar(select(Response.id).where(Response.client_uuid == client_uuid))
            if stored is None:
                raise notice(410, USED)
            return None
    _close(partial, now, disposition, ending)
    await store_response(
        db,
        Submission(
            client_uuid=partial.client_uuid,
            wave_id=target.wave.id,
            questionnaire_version_id=partial.questionnaire_version_id,
            mode=ResponseMode.WEB,
            is_probability_sample=invitation is not None,
            answers=result.answers,
            paradata=paradata,
            disposition=disposition,
            unit_id=invitation.unit_id
            if invitation is not None
            else await _community_unit(db, target, result.answers),
            invitation_id=invitation.id if invitation is not None else None,
            started_at=started,
        ),
    )
    return None


def _close(
    partial: PartialResponse,
    now: dt.datetime,
    disposition: str,
    ending_notes: list[str],
    *,
    duplicate: bool = False,
) -> None:
    """Mark `partial` finished, keeping no answers and no paradata.

    What stays: the resume token and client UUID (a repeated post or resume link finds the
    thank-you page), the keyed hashes the rate limits and duplicate guard count, how the
    questionnaire ended and the names of the ending notes that page shows. The caller's commit
    writes this together with the response, so neither happens without the other.
    """
    partial.finished_at, partial.disposition = now, disposition
    partial.answers = {}
    partial.paradata = {"ending_notes": ending_notes, **({"duplicate": True} if duplicate else {})}


async def _is_duplicate(
    db: AsyncSession,
    target: SurveyTarget,
    partial: PartialResponse,
    answers: dict[str, Any],
    disposition: str,
) -> bool:
    """Whether this device already sent exactly these open-link answers in this wave."""
    if partial.invitation_id is not None:
        return False
    found = await db.scalar(
        select(func.count())
        .select_from(Response)
        .join(PartialResponse, PartialResponse.client_uuid == Response.client_uuid)
        .where(
            Response.wave_id == target.wave.id,
            Response.content_hash == content_hash(answers, disposition),
            PartialResponse.device_hash == partial.device_hash,
            PartialResponse.id != partial.id,
        )
    )
    return bool(found)


async def _community_unit(
    db: AsyncSession, target: SurveyTarget, answers: Mapping[str, Any]
) -> int | None:
    """The frame's community that an open-link resident named, for domain estimates."""
    code = answers.get(UnitLevel.COMMUNITY.value)
    if target.survey.frame_id is None or not isinstance(code, str):
        return None
    unit_id: int | None = await db.scalar(
        select(FrameUnit.id).where(
            FrameUnit.frame_id == target.survey.frame_id,
            FrameUnit.level == UnitLevel.COMMUNITY,
            FrameUnit.code == code,
        )
    )
    return unit_id
