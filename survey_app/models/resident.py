"""Partly answered web questionnaires, kept server-side under a secret resume token."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped, utcnow


class PartialResponse(Timestamped, Base):
    """A resident's answers so far; becomes a `Response` (same client UUID) when finished.

    The resume token is the only key a resident holds: the resume link carries it, so the
    answers follow the resident to another device. `address_hash` and `device_hash` are keyed
    hashes (never the address or cookie itself) used by the rate limits and duplicate guard.
    """

    __tablename__ = "partial_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    resume_token: Mapped[str] = mapped_column(String(64), unique=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]]
    paradata: Mapped[dict[str, Any]]
    page: Mapped[str] = mapped_column(String(64))
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    device_hash: Mapped[str] = mapped_column(String(64), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None]
    disposition: Mapped[str | None] = mapped_column(String(8))
