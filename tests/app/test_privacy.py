"""Contacts erased after fieldwork, records purged after (never before) two years: responses
with everything tied to them, and the resident's web questionnaires, finished or abandoned."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.cli import main
from survey_app.models import (
    AuditEvent,
    Invitation,
    InvitationContact,
    PartialResponse,
    QuestionnaireVersion,
    Response,
    ResponseConflict,
    ResponseMode,
    ResponseRevision,
    ResponseWeight,
    ReviewEvent,
    Survey,
    Wave,
    WeightingRun,
)
from survey_app.privacy.services import MINIMUM_RETENTION_DAYS, purge_expired
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db
TODAY = dt.date(2029, 1, 15)
PER_RESPONSE = (ReviewEvent, ResponseRevision, ResponseConflict, ResponseWeight)
"""Rows tied to one response, which go with it."""


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _records(
    db: AsyncSession, wave: Wave, version: QuestionnaireVersion, day: dt.date, tag: str
) -> tuple[Response, WeightingRun]:
    """A response made on `day` with its history, weight and finished web questionnaire, and
    a web questionnaire abandoned the same day."""
    answers = {"aware": "know"}
    response = Response(
        client_uuid=uuid.uuid4(),
        wave_id=wave.id,
        questionnaire_version_id=version.id,
        mode=ResponseMode.WEB,
        is_probability_sample=False,
        disposition="1.1",
        answers=answers,
        paradata={},
        content_hash="x",
        started_at=None,
        submitted_at=_moment(day),
    )
    run = WeightingRun(wave_id=wave.id, settings={}, diagnostics={}, converged=True)
    db.add_all([response, run])
    for finished in (True, False):
        db.add(
            PartialResponse(
                resume_token=f"{tag}-{finished}",
                client_uuid=response.client_uuid if finished else uuid.uuid4(),
                wave_id=wave.id,
                questionnaire_version_id=version.id,
                answers={} if finished else answers,
                paradata={} if finished else {"started_at": _moment(day).isoformat()},
                page="closing",
                address_hash="a" * 64,
                device_hash="d" * 64,
                updated_at=_moment(day),
                finished_at=_moment(day) if finished else None,
            )
        )
    return response, run


async def _add_records(
    db: AsyncSession, wave: Wave, version: QuestionnaireVersion, day: dt.date, tag: str
) -> None:
    response, run = _records(db, wave, version, day, tag)
    await db.flush()
    copy = {"disposition": "1.1", "answers": {}, "paradata": {}, "content_hash": "y"}
    db.add_all(
        [
            ReviewEvent(response_id=response.id, action="received"),
            ResponseRevision(response_id=response.id, **copy),
            ResponseConflict(response_id=response.id, **copy),
            ResponseWeight(run_id=run.id, response_id=response.id, weight=1.0),
        ]
    )


def _survey_with_two_waves(settings: Settings) -> None:
    async def work(db: AsyncSession) -> None:
        survey = Survey(slug="round", title="轮次调查")
        db.add(survey)
        await db.flush()
        version = QuestionnaireVersion(survey_id=survey.id, version="1", definition={})
        old = Wave(
            survey_id=survey.id,
            number=1,
            name="2026年第一季度",
            opens_on=None,
            closes_on=dt.date(2026, 3, 31),
            is_open=False,
        )
        new = Wave(
            survey_id=survey.id,
            number=2,
            name="2028年第四季度",
            opens_on=None,
            closes_on=dt.date(2028, 12, 31),
            is_open=True,
        )
        db.add_all([version, old, new])
        await db.flush()
        for wave in (old, new):
            invitation = Invitation(wave_id=wave.id, token=f"t-{wave.number}", expires_at=None)
            db.add(invitation)
            await db.flush()
            db.add(
                InvitationContact(invitation_id=invitation.id, channel="sms", address="13800000000")
            )
            db.add(
                Response(
                    client_uuid=uuid.uuid4(),
                    wave_id=wave.id,
                    questionnaire_version_id=version.id,
                    mode=ResponseMode.WEB,
                    is_probability_sample=True,
                    disposition="1.1",
                    answers={"aware": "know"},
                    paradata={},
                    content_hash="x",
                    started_at=None,
                    invitation_id=invitation.id,
                    submitted_at=_moment(wave.closes_on or TODAY),
                )
            )
            await _add_records(db, wave, version, wave.closes_on or TODAY, f"w{wave.number}")
        await db.commit()

    run_with_session(settings, work)


def _count(settings: Settings, model: type) -> int:
    async def work(db: AsyncSession) -> int:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    return run_with_session(settings, work)


def test_contacts_stay_while_fieldwork_is_open_and_go_when_it_closes(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _survey_with_two_waves(clean_settings)
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["privacy", "erase-contacts", "round"]) == 1
    assert "still open in 2028年第四季度" in capsys.readouterr().err
    assert _count(clean_settings, InvitationContact) == 2

    async def close(db: AsyncSession) -> None:
        for wave in await db.scalars(select(Wave)):
            wave.is_open = False
        await db.commit()

    run_with_session(clean_settings, close)
    assert main(["privacy", "erase-contacts", "round"]) == 0
    assert "erased 2 contacts" in capsys.readouterr().out
    assert _count(clean_settings, InvitationContact) == 0
    assert _count(clean_settings, Response) == 4


def test_purge_refuses_less_than_two_years(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["privacy", "purge", "--retention-days", "365"]) == 1
    assert "at least 730 days" in capsys.readouterr().err


def test_purge_removes_only_closed_waves_past_retention(clean_settings: Settings) -> None:
    _survey_with_two_waves(clean_settings)

    async def work(db: AsyncSession) -> tuple[int, int, int]:
        purged = await purge_expired(db, retention_days=MINIMUM_RETENTION_DAYS, today=TODAY)
        audit = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "records_purged")
        )
        return purged.responses, purged.partial_responses, int(audit or 0)

    assert run_with_session(clean_settings, work) == (2, 2, 1)
    assert _count(clean_settings, Response) == 2
    assert _count(clean_settings, PartialResponse) == 2
    for model in PER_RESPONSE:
        assert _count(clean_settings, model) == 1, model.__name__


def _undated_wave(settings: Settings, *, closes_on: dt.date | None, last: dt.date) -> None:
    """A closed wave whose last records were made on `last`."""

    async def work(db: AsyncSession) -> None:
        survey = Survey(slug="undated", title="无结束日期的调查")
        db.add(survey)
        await db.flush()
        version = QuestionnaireVersion(survey_id=survey.id, version="1", definition={})
        wave = Wave(
            survey_id=survey.id,
            number=1,
            name="第一轮",
            opens_on=None,
            closes_on=closes_on,
            is_open=False,
        )
        db.add_all([version, wave])
        await db.flush()
        await _add_records(db, wave, version, last - dt.timedelta(days=20), "early")
        await _add_records(db, wave, version, last, "last")
        await db.commit()

    run_with_session(settings, work)


def _purge_on(settings: Settings, today: dt.date) -> int:
    async def work(db: AsyncSession) -> int:
        purged = await purge_expired(db, retention_days=MINIMUM_RETENTION_DAYS, today=today)
        return purged.waves

    return run_with_session(settings, work)


@pytest.mark.parametrize(
    "closes_on",
    [None, dt.date(2026, 3, 31)],
    ids=["closed without a closing date", "records made after the closing date"],
)
def test_a_wave_is_kept_two_years_after_its_last_record(
    clean_settings: Settings, closes_on: dt.date | None
) -> None:
    last = dt.date(2026, 5, 1)
    _undated_wave(clean_settings, closes_on=closes_on, last=last)
    two_years = last + dt.timedelta(days=MINIMUM_RETENTION_DAYS)
    assert _purge_on(clean_settings, two_years) == 0
    assert _count(clean_settings, Response) == 2
    assert _count(clean_settings, PartialResponse) == 4
    assert _purge_on(clean_settings, two_years + dt.timedelta(days=1)) == 1
    assert _count(clean_settings, Response) == 0
    assert _count(clean_settings, PartialResponse) == 0
    for model in PER_RESPONSE:
        assert _count(clean_settings, model) == 0, model.__name__


def test_the_purge_command_says_what_it_deleted_and_how_fieldwork_ends(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _undated_wave(clean_settings, closes_on=None, last=dt.date(2020, 6, 1))
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["privacy", "purge"]) == 0
    assert "purged 2 responses and 4 web questionnaires of 1 waves" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["privacy", "purge", "--help"])
    described = " ".join(capsys.readouterr().out.split())
    assert "a wave closed without a closing date ends with its last record" in described
