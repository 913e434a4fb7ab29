"""Erase invitation contacts after fieldwork; purge original records after the retention period.

The Statistics Law asks that original records be kept at least two years, so a retention period
shorter than `MINIMUM_RETENTION_DAYS` is refused; the Personal Information Protection Law asks
that contact details be kept no longer than the purpose needs, so they go when fieldwork ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.errors import ConflictError, InvalidInputError
from survey_app.models import AuditEvent, Invitation, InvitationContact, Response, Wave
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


async def purge_expired(db: AsyncSession, *, retention_days: int, today: dt.date) -> Purged:
    """Delete the responses of closed waves that ended more than `retention_days` ago."""
    if retention_days < MINIMUM_RETENTION_DAYS:
        raise InvalidInputError(
            f"original records are kept at least {MINIMUM_RETENTION_DAYS} days (two years, "
            f"Statistics Law); {retention_days} is too short"
        )
    cutoff = today - dt.timedelta(days=retention_days)
    expired = [
        wave.id
        for wave in await db.scalars(select(Wave).where(Wave.is_open.is_(False)))
        if wave.closes_on is not None and wave.closes_on < cutoff
    ]
    count = await db.scalar(
        select(func.count()).select_from(Response).where(Response.wave_id.in_(expired))
    )
    await db.execute(delete(Response).where(Response.wave_id.in_(expired)))
    db.add(
        AuditEvent(
            action="records_purged",
            target=f"{len(expired)} waves",
            details={"waves": expired, "responses": int(count or 0), "cutoff": cutoff.isoformat()},
        )
    )
    await db.commit()
    return Purged(waves=len(expired), responses=int(count or 0))
