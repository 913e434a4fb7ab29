"""Storing a response exactly once, whatever door it came through.

The client's UUID is unique in the database, so two concurrent submissions of one interview
cannot both be stored; the loser of that race reads the winner back. The same UUID with the
same content is a success again (idempotent retry); with different content it is a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from questionnaires.validation import validate_answers
from survey_app.collection.forms import questionnaire_of
from survey_app.errors import ConflictError, InvalidInputError
from survey_app.i18n import N_, translations_for_language
from survey_app.models import Response, ResponseMode, ReviewEvent, Survey
from survey_app.surveys.services import current_wave, latest_questionnaire, survey_by_slug

_CANONICAL = msgspec.json.Encoder(order="sorted")


def content_hash(answers: dict[str, Any], disposition: str) -> str:
    """SHA-256 of the answers and disposition in a canonical JSON form."""
    return hashlib.sha256(
        _CANONICAL.encode({"answers": answers, "disposition": disposition})
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Submission:
    client_uuid: uuid.UUID
    wave_id: int
    questionnaire_version_id: int
    mode: ResponseMode
    is_probability_sample: bool
    answers: dict[str, Any]
    paradata: dict[str, Any]
    disposition: str = "1.1"
    unit_id: int | None = None
    enumerator_id: int | None = None
    invitation_id: int | None = None
    started_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    response_id: int
    created: bool


async def store_response(db: AsyncSession, submission: Submission) -> Stored:
    """Commit `submission` once; a retry of the same content returns the stored row."""
    digest = content_hash(submission.answers, submission.disposition)
    response = Response(
        client_uuid=submission.client_uuid,
        wave_id=submission.wave_id,
        questionnaire_version_id=submission.questionnaire_version_id,
        mode=submission.mode,
        is_probability_sample=submission.is_probability_sample,
        unit_id=submission.unit_id,
        enumerator_id=submission.enumerator_id,
        invitation_id=submission.invitation_id,
        disposition=submission.disposition,
        answers=submission.answers,
        paradata=submission.paradata,
        content_hash=digest,
        started_at=submission.started_at,
    )
    db.add(response)
    try:
        await db.flush()
        db.add(
            ReviewEvent(
                response_id=response.id, actor_id=submission.enumerator_id, action="received"
            )
        )
        await db.commit()
    except IntegrityError:
        await db.rollback()
        existing = await db.scalar(
            select(Response).where(Response.client_uuid == submission.client_uuid)
        )
        if existing is None:
            raise
        if existing.content_hash != digest:
            raise ConflictError(
                f"response {submission.client_uuid} was already received with different answers"
            ) from None
        return Stored(response_id=existing.id, created=False)
    return Stored(response_id=response.id, created=True)


@dataclass(frozen=True, slots=True)
class WebForm:
    """What the resident's browser sent, already split into fields."""

    response_uuid: str
    started_at: str
    consent: bool
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OpenLinkSurvey:
    """What the resident's page needs: the survey, its open wave and current questionnaire."""

    survey: Survey
    wave_id: int
    version_id: int
    questionnaire: Questionnaire


async def open_link_survey(db: AsyncSession, slug: str) -> OpenLinkSurvey:
    survey = await survey_by_slug(db, slug)
    wave = await current_wave(db, survey)
    version = await latest_questionnaire(db, survey)
    return OpenLinkSurvey(
        survey=survey,
        wave_id=wave.id,
        version_id=version.id,
        questionnaire=questionnaire_of(version.id, version.definition),
    )


async def submit_open_link(
    db: AsyncSession, target: OpenLinkSurvey, form: WebForm, language: str
) -> tuple[Stored | None, dict[str, str]]:
    """Validate and store an open-link web response (a non-probability sample).

    Returns the stored row, or None with the problems (question name → message in `language`)
    to show next to the questions; the consent box is the question named "consent".
    """
    try:
        client_uuid = uuid.UUID(form.response_uuid)
    except ValueError:
        raise InvalidInputError(N_("the form is damaged; reload the page and try again")) from None
    result = validate_answers(target.questionnaire, form.answers, language=language)
    problems = {problem.name: problem.message for problem in result.problems}
    if not form.consent:
        problems["consent"] = translations_for_language(language).gettext(
            N_("please read the privacy notice and agree before answering")
        )
    if problems:
        return None, problems
    started = _parse_time(form.started_at)
    now = dt.datetime.now(dt.UTC)
    stored = await store_response(
        db,
        Submission(
            client_uuid=client_uuid,
            wave_id=target.wave_id,
            questionnaire_version_id=target.version_id,
            mode=ResponseMode.WEB,
            is_probability_sample=False,
            answers=result.answers,
            paradata={
                "started_at": started.isoformat() if started else None,
                "submitted_at": now.isoformat(),
                "duration_seconds": (now - started).total_seconds() if started else None,
                "consent": True,
            },
            started_at=started,
        ),
    )
    return stored, {}


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
