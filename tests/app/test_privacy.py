"""Contacts erased after fieldwork, records purged after (never before) two years."""

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
    QuestionnaireVersion,
    Response,
    ResponseMode,
    Survey,
    Wave,
)
from survey_app.privacy.services import MINIMUM_RETENTION_DAYS, purge_expired
from survey_app.settings import Settings
from tests.conftest import run_with_session

pytestmark = pytest.mark.db
TODAY = dt.date(2029, 1, 15)


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
                )
            )
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
    assert _count(clean_settings, Response) == 2


def test_purge_refuses_less_than_two_years(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    assert main(["privacy", "purge", "--retention-days", "365"]) == 1
    assert "at least 730 days" in capsys.readouterr().err


def test_purge_removes_only_closed_waves_past_retention(clean_settings: Settings) -> None:
    _survey_with_two_waves(clean_settings)

    async def work(db: AsyncSession) -> tuple[int, int]:
        purged = await purge_expired(db, retention_days=MINIMUM_RETENTION_DAYS, today=TODAY)
        audit = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "records_purged")
        )
        return purged.responses, int(audit or 0)

    assert run_with_session(clean_settings, work) == (1, 1)
    assert _count(clean_settings, Response) == 1
