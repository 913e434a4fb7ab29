"""The tablet app's rules: what a device downloads, how an upload is checked and stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from questionnaires.validation import validate_answers
from survey_app.capi import dispositions
from survey_app.capi.receiving import Outcome, parse_client_uuid, receive
from survey_app.capi.schemas import (
    MAX_BATCH,
    Bootstrap,
    DispositionView,
    InterviewUpload,
    ItemResult,
    QuestionnaireView,
    ReturnedInterview,
    ReviewStates,
    SyncRequest,
    SyncResult,
)
from survey_app.collection.consent import device_consent, with_consent
from survey_app.collection.storage import Submission
from survey_app.errors import InvalidInputError
from survey_app.fieldwork.services import QUOTA_FIELDS, assignments_for
from survey_app.i18n import N_, translations
from survey_app.models import (
    Assignment,
    QuestionnaireVersion,
    Response,
    ResponseMode,
    ReviewEvent,
    ReviewState,
    Survey,
    Wave,
)
from survey_app.surveys.parsed import questionnaire_of, submitted_questionnaire

GPS_DECIMALS = 2
"""Coordinates are kept to 0.01° (about 1 km): location is sensitive personal information."""
GPS_CONSENT = "gps_consent"
"""The paradata flag the tablet app sets when the respondent agrees to a coarse location."""


@dataclass(frozen=True, slots=True)
class Work:
    """Where an assignment's interviews belong (plain values: they outlive any rollback)."""

    wave_id: int
    unit_id: int
    versions: dict[int, dt.datetime]
    """Creation times of the survey's questionnaire versions the batch names, by id."""


async def bootstrap(
    db: AsyncSession, user_id: int, username: str, name: str, locale: str
) -> Bootstrap:
    """The enumerator's assignments with quotas, the questionnaires they use, the codes."""
    assignments = await assignments_for(db, user_id)
    forms: dict[str, QuestionnaireView] = {}
    for wave_id in sorted({a.wave_id for a in assignments}):
        forms[str(wave_id)] = await _questionnaire_for_wave(db, wave_id)
    gettext = translations(locale).gettext
    return Bootstrap(
        username=username,
        display_name=name,
        assignments=assignments,
        questionnaires=forms,
        dispositions=[
            DispositionView(d.code, gettext(d.label), d.recorded_without_interview)
            for d in dispositions.DISPOSITIONS
        ],
        quota_fields=list(QUOTA_FIELDS),
    )


async def _questionnaire_for_wave(db: AsyncSession, wave_id: int) -> QuestionnaireView:
    wave, survey = (
        await db.execute(
            select(Wave, Survey).join(Survey, Survey.id == Wave.survey_id).where(Wave.id == wave_id)
        )
    ).one()
    version = await db.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.survey_id == survey.id)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )
    if version is None:
        raise InvalidInputError(N_("a survey you work on has no questionnaire yet"))
    questionnaire = questionnaire_of(version)
    return QuestionnaireView(
        version_id=version.id,
        survey_slug=survey.slug,
        survey_title=survey.title,
        wave_id=wave.id,
        wave_name=wave.name,
        definition=version.definition,
        outcome_rules=dispositions.outcome_rules(questionnaire),
    )


async def receive_batch(
    db: AsyncSession, user_id: int, request: SyncRequest, locale: str
) -> SyncResult:
    """Check and store each interview on its own: one bad item never holds back the rest."""
    if len(request.interviews) > MAX_BATCH:
        raise InvalidInputError(N_("send at most 50 interviews at a time"))
    gettext = translations(locale).gettext
    language = locale.split("_", maxsplit=1)[0]
    assignments = await _own_assignments(db, user_id, request.interviews)
    results = []
    for item in request.interviews:
        try:
            results.append(
                await _receive_one(
                    db,
                    user_id,
                    item=item,
                    assignment=assignments.get(item.assignment_id),
                    device_id=request.device_id[:64],
                    language=language,
                )
            )
        except InvalidInputError as error:
            results.append(
                ItemResult(
                    uuid=item.uuid,
                    status="invalid",
                    message=gettext(error.message),
                    problems={d["name"]: d["message"] for d in error.details},
                )
            )
    return SyncResult(results=results)


_OWN_ASSIGNMENTS = (
    select(
        Assignment.id,
        Assignment.wave_id,
        Assignment.unit_id,
        QuestionnaireVersion.id,
        QuestionnaireVersion.created_at,
    )
    .join(Wave, Wave.id == Assignment.wave_id)
    .outerjoin(
        QuestionnaireVersion,
        (QuestionnaireVersion.survey_id == Wave.survey_id)
        & QuestionnaireVersion.id.in_(bindparam("version_ids", expanding=True)),
    )
    .where(
        Assignment.id.in_(bindparam("ids", expanding=True)),
        Assignment.enumerator_id == bindparam("user_id"),
    )
)


async def _own_assignments(
    db: AsyncSession, user_id: int, interviews: list[InterviewUpload]
) -> dict[int, Work]:
    """The enumerator's assignments among those the interviews name, with the questionnaire
    versions of their survey among those the interviews name (one query for the batch)."""
    connection = await db.connection()
    rows = await connection.execute(
        _OWN_ASSIGNMENTS,
        {
            "ids": sorted({i.assignment_id for i in interviews}),
            "version_ids": sorted({i.questionnaire_version_id for i in interviews}),
            "user_id": user_id,
        },
    )
    found: dict[int, Work] = {}
    for assignment_id, wave_id, unit_id, version_id, created_at in rows.all():
        work = found.setdefault(assignment_id, Work(wave_id, unit_id, {}))
        if version_id is not None:
            work.versions[version_id] = created_at
    return found


async def _receive_one(
    db: AsyncSession,
    user_id: int,
    *,
    item: InterviewUpload,
    assignment: Work | None,
    device_id: str,
    language: str,
) -> ItemResult:
    client_uuid = parse_client_uuid(item.uuid)
    if client_uuid is None:
        raise InvalidInputError(N_("the interview has no valid identifier"))
    if assignment is None:
        raise InvalidInputError(N_("the interview is not for one of your assignments"))
    created_at = assignment.versions.get(item.questionnaire_version_id)
    if created_at is None:
        raise InvalidInputError(N_("the interview answers a questionnaire of another survey"))
    questionnaire = await submitted_questionnaire(db, item.questionnaire_version_id, created_at)
    if item.disposition not in dispositions.CODES:
        raise InvalidInputError(N_("the interview has an unknown disposition"))
    answers = checked_answers(questionnaire, item, language)
    consent = device_consent(
        questionnaire,
        answers,
        language=shown_language(questionnaire, item.paradata, language),
        disposition=item.disposition,
    )
    paradata = with_consent(coarse_paradata(item.paradata, device_id), consent)
    received = await receive(
        db,
        Submission(
            client_uuid=client_uuid,
            wave_id=assignment.wave_id,
            questionnaire_version_id=item.questionnaire_version_id,
            mode=ResponseMode.CAPI,
            is_probability_sample=True,
            answers=answers,
            paradata=paradata,
            disposition=item.disposition,
            unit_id=assignment.unit_id,
            enumerator_id=user_id,
            started_at=parse_time(paradata.get("started_at")),
        ),
    )
    message = (
        N_("another version of this interview is already stored; your supervisor will decide")
        if received.outcome == Outcome.CONFLICT
        else ""
    )
    return ItemResult(uuid=str(client_uuid), status=received.outcome.value, message=message)


def checked_answers(questionnaire: Any, item: InterviewUpload, language: str) -> dict[str, Any]:
    """The cleaned answers; a complete must be valid, other outcomes may stop early."""
    result = validate_answers(questionnaire, item.answers, language=language)
    problems = [
        p
        for p in result.problems
        if item.disposition == dispositions.COMPLETE or p.code != "required"
    ]
    if problems:
        raise InvalidInputError(
            N_("some answers need another look"),
            details=[{"name": p.name, "message": p.message} for p in problems],
        )
    if (
        item.disposition == dispositions.COMPLETE
        and dispositions.finished_form_disposition(questionnaire, result.answers)
        != dispositions.COMPLETE
    ):
        raise InvalidInputError(N_("the answers end the interview early; it is not a complete"))
    return result.answers


def shown_language(questionnaire: Questionnaire, paradata: dict[str, Any], language: str) -> str:
    """The language the tablet showed the form in (the app records it when the interview
    starts); the upload's language when it names none of the form's languages."""
    shown = paradata.get("language")
    return shown if shown in questionnaire.language_codes() else language


def coarse_paradata(paradata: dict[str, Any], device_id: str) -> dict[str, Any]:
    """Paradata as sent, with the device named and coordinates rounded to about 1 km.

    Coordinates are kept only when the paradata record the respondent's opt-in
    (`gps_consent` true): location is sensitive personal information, and the server does not
    rely on the device having asked.
    """
    kept = {key: value for key, value in paradata.items() if key not in ("gps", "device_id")}
    gps = paradata.get("gps")
    if paradata.get(GPS_CONSENT) is True and isinstance(gps, dict):
        latitude, longitude = gps.get("latitude"), gps.get("longitude")
        if isinstance(latitude, int | float) and isinstance(longitude, int | float):
            kept["gps"] = {
                "latitude": round(float(latitude), GPS_DECIMALS),
                "longitude": round(float(longitude), GPS_DECIMALS),
            }
    kept["device_id"] = device_id
    return kept


def parse_time(text: object) -> dt.datetime | None:
    """An ISO time from paradata (UTC when it names no zone), or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def review_states(db: AsyncSession, user_id: int) -> ReviewStates:
    """Where each of the enumerator's interviews stands, and the rejected ones in full."""
    responses = list(
        await db.scalars(
            select(Response).where(
                Response.enumerator_id == user_id, Response.mode == ResponseMode.CAPI
            )
        )
    )
    rejected = [r for r in responses if r.review_state == ReviewState.REJECTED]
    comments: dict[int, str] = {}
    if rejected:
        events = await db.scalars(
            select(ReviewEvent)
            .where(
                ReviewEvent.response_id.in_([r.id for r in rejected]),
                ReviewEvent.action == "rejected",
            )
            .order_by(ReviewEvent.id)
        )
        comments = {event.response_id: event.comment for event in events}
    assignment_ids = {
        (a.wave_id, a.unit_id): a.id
        for a in await db.scalars(select(Assignment).where(Assignment.enumerator_id == user_id))
    }
    return ReviewStates(
        states={str(r.client_uuid): r.review_state.value for r in responses},
        returned=[
            ReturnedInterview(
                uuid=str(r.client_uuid),
                assignment_id=assignment_ids.get((r.wave_id, r.unit_id or 0)),
                questionnaire_version_id=r.questionnaire_version_id,
                disposition=r.disposition,
                answers=r.answers,
                paradata=r.paradata,
                comment=comments.get(r.id, ""),
            )
            for r in rejected
        ],
    )
