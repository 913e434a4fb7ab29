"""Invitation contact details, kept apart from answers so they can be erased after fieldwork."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped


class InvitationContact(Timestamped, Base):
    """Where an invitation was sent (phone, e-mail…); never joined to answers in exports."""

    __tablename__ = "invitation_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
