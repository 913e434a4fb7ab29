"""The resident's open-link survey: validate a posted form and store it once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from questionnaires.validation import validate_answers
from survey_app.collection.forms import questionnaire_of
from survey_app.collection.storage import Stored, Submission, store_response
from survey_app.errors import InvalidInputError
from survey_app.i18n import N_, translations_for_language
from survey_app.models import ResponseMode, Survey
from survey_app.surveys.services import current_wave, latest_questionnaire, survey_by_slug


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
