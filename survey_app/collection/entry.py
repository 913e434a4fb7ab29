"""Who may start a questionnaire: invitation tokens, and rate limits on the open link.

A resident is known only by keyed hashes of the network address and of a random device cookie,
never by the address or cookie themselves (Personal Information Protection Law).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.errors import MinyiError
from survey_app.i18n import N_
from survey_app.models import Invitation, PartialResponse

DEVICE_COOKIE = "minyi_device"
DEVICE_STARTS_PER_DAY = 5
"""Open-link questionnaires one device may start in 24 hours."""
ADDRESS_STARTS_PER_HOUR = 60
"""Open-link questionnaires one network address may start in an hour (a shared Wi-Fi or a
mobile carrier's gateway stands for many residents, so this is higher than per device)."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """Keyed hashes of a resident's network address and device cookie."""

    address_hash: str
    device_hash: str
    has_device_cookie: bool = True

    @classmethod
    def of(cls, secret: str, address: str, device: str) -> Visitor:
        def keyed(text: str) -> str:
            return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()

        return cls(
            address_hash=keyed("address:" + address),
            device_hash=keyed("device:" + device) if device else keyed("no-device:" + address),
            has_device_cookie=bool(device),
        )


class ResidentNoticeError(MinyiError):
    """Something a resident is told on a page of its own, politely (not an error page).

    `title` and `message` are catalog ids, translated where shown; `values` fill the message.
    """

    def __init__(
        self,
        status_code: int,
        title: str,
        message: str,
        values: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.values = values or {}


USED = (
    N_("This invitation has already been used"),
    N_(
        "The answers for this invitation have been received. Thank you for taking part; "
        "each invitation can answer the survey only once."
    ),
)
UNKNOWN = (
    N_("This invitation link is not valid"),
    N_(
        "Please check that the whole link was copied from your invitation. If it still "
        "does not work, contact the office that invited you."
    ),
)
EXPIRED = (
    N_("This invitation has expired"),
    N_("The invitation could be used until %(date)s. Thank you for your interest."),
)
RESUME_UNKNOWN = (
    N_("This resume link is not valid"),
    N_("Please check that the whole link was copied. You can also start the survey again."),
)
NO_SURVEY = (
    N_("There is no survey at this address"),
    N_("Please check the link or scan the code on the poster again."),
)
CLOSED = (
    N_("This survey is closed"),
    N_("The survey no longer accepts answers. Thank you for your interest."),
)
BUSY = (
    N_("Please try again later"),
    N_(
        "Many questionnaires were started from this device or network a short while ago. "
        "Please try again later."
    ),
)


def notice(status_code: int, texts: tuple[str, str], **values: Any) -> ResidentNoticeError:
    title, message = texts
    return ResidentNoticeError(status_code, title, message, values)


async def check_open_link_limits(db: AsyncSession, visitor: Visitor, now: dt.datetime) -> None:
    """Refuse a new open-link questionnaire when this device or address started too many."""
    by_device = await db.scalar(
        select(func.count()).where(
            PartialResponse.device_hash == visitor.device_hash,
            PartialResponse.invitation_id.is_(None),
            PartialResponse.created_at > now - dt.timedelta(days=1),
        )
    )
    by_address = await db.scalar(
        select(func.count()).where(
            PartialResponse.address_hash == visitor.address_hash,
            PartialResponse.invitation_id.is_(None),
            PartialResponse.created_at > now - dt.timedelta(hours=1),
        )
    )
    if (by_device or 0) >= DEVICE_STARTS_PER_DAY or (by_address or 0) >= ADDRESS_STARTS_PER_HOUR:
        raise notice(429, BUSY)


async def usable_invitation(
    db: AsyncSession, wave_id: int, token: str, now: dt.datetime
) -> Invitation:
    """The invitation behind `token` for this wave; a notice when it is unknown or expired."""
    invitation = await db.scalar(
        select(Invitation).where(Invitation.token == token, Invitation.wave_id == wave_id)
    )
    if invitation is None:
        raise notice(404, UNKNOWN)
    expires = invitation.expires_at
    if expires is not None:
        expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
        if expires <= now:
            raise notice(410, EXPIRED, date=expires.date())
    return invitation
