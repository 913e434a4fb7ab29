"""Erase invitation contacts after fieldwork; purge original records after the retention period.

The Statistics Law asks that original records be kept at least two years, so a retention period
shorter than `MINIMUM_RETENTION_DAYS` is refused (counted from the end of a wave's fieldwork,
`fieldwork_ended`); the Personal Information Protection Law asks that contact details be kept
no longer than the purpose needs, so they go when fieldwork ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.errors import ConflictError, InvalidInputError
from survey_app.models import (
    AuditEvent,
    Invitation,
    InvitationContact,
    PartialResponse,
    Response,
    Wave,
)
from survey_app.surveys.services import survey_by_slug

MINIMUM_RETENTION_DAYS = 730


@dataclass(frozen=True, slots=True)
class Erased:
    waves: int
    contacts: int


async def erase_contacts(db: AsyncSession, slug: str) -> Erased:
    """Delete every invitation contact of the survey's closed waves; open waves are refused."""
    survey = await survey_by_slug(db, slug)
    waves = list(await db.scalars(select(Wave).where(Wave.survey_id == survey.id)))
    still_open = [w.name for w in waves if w.is_open]
    if still_open:
        raise ConflictError(
            f"fieldwork is still open in {', '.join(still_open)}; close the wave first, "
            "then erase the contacts"
        )
    invitations = select(Invitation.id).where(Invitation.wave_id.in_([w.id for w in waves]))
    erased = await db.execute(
        delete(InvitationContact).where(InvitationContact.invitation_id.in_(invitations))
    )
    count = int(getattr(erased, "rowcount", 0) or 0)
    db.add(AuditEvent(action="contacts_erased", target=slug, details={"contacts": count}))
    await db.commit()
    return Erased(waves=len(waves), contacts=count)


@dataclass(frozen=True, slots=True)
class Purged:
    waves: int
    responses: int
    partial_responses: int


async def fieldwork_ended(db: AsyncSession, waves: list[Wave]) -> dict[int, dt.date]:
    """The day each wave's fieldwork ended, for the waves that have one.

    That is the later of the wave's closing date and the day (UTC) of its last record: the last
    response stored, or the last web questionnaire saved. A wave closed without a closing date
    thus ends with its last record, and a tablet syncing after the closing date moves the end
    to that day, so no original record is deleted less than the retention period after it was
    made. A wave with neither a closing date nor any record has nothing to purge.
    """
    ended = {wave.id: wave.closes_on for wave in waves if wave.closes_on is not None}
    ids = [wave.id for wave in waves]
    for wave_id, made_at in (
        (Response.wave_id, Response.submitted_at),
        (PartialResponse.wave_id, PartialResponse.updated_at),
    ):
        rows = await db.execute(
            select(wave_id, func.max(made_at)).where(wave_id.in_(ids)).group_by(wave_id)
        )
        for wave, last in rows.tuples():
            if last is not None:
                day = last.astimezone(dt.UTC).date()
                ended[wave] = max(ended.get(wave, day), day)
    return ended


async def purge_expired(db: AsyncSession, *, retention_days: int, today: dt.date) -> Purged:
    """Delete the records of closed waves whose fieldwork ended more than `retention_days` ago.

    Records are the responses, with what the database deletes along with each (review history,
    replaced revisions, conflicting versions, weights), and the resident's web questionnaires,
    finished or abandoned. `fieldwork_ended` says when a wave's fieldwork ended.
    """
    if retention_days < MINIMUM_RETENTION_DAYS:
        raise InvalidInputError(
            f"original records are kept at least {MINIMUM_RETENTION_DAYS} days (two years, "
            f"Statistics Law); {retention_days} is too short"
        )
    cutoff = today - dt.timedelta(days=retention_days)
    closed = list(await db.scalars(select(Wave).where(Wave.is_open.is_(False))))
    expired = sorted(
        wave for wave, ended in (await fieldwork_ended(db, closed)).items() if ended < cutoff
    )
    responses = await db.execute(delete(Response).where(Response.wave_id.in_(expired)))
    partials = await db.execute(delete(PartialResponse).where(PartialResponse.wave_id.in_(expired)))
    purged = Purged(
        waves=len(expired),
        responses=int(getattr(responses, "rowcount", 0) or 0),
        partial_responses=int(getattr(partials, "rowcount", 0) or 0),
    )
    db.add(
        AuditEvent(
            action="records_purged",
            target=f"{purged.waves} waves",
            details={
                "waves": expired,
                "responses": purged.responses,
                "partial_responses": purged.partial_responses,
                "cutoff": cutoff.isoformat(),
            },
        )
    )
    await db.commit()
    return purged
