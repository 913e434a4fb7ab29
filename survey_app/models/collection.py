"""Invitations, responses (each client UUID stored once) and their review history."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped, str_enum, utcnow

COMPLETE_DISPOSITIONS = ("1.1", "1.2")
"""AAPOR complete (1.1) and partial (1.2) interviews: what counts as done against a target."""


class ResponseMode(enum.StrEnum):
    WEB = "web"
    CAPI = "capi"
    OPENROSA = "openrosa"


class ReviewState(enum.StrEnum):
    RECEIVED = "received"
    APPROVED = "approved"
    REJECTED = "rejected"
    CONFLICT = "conflict"


class Invitation(Timestamped, Base):
    """A personal invitation token; contact details never live here."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    uses_left: Mapped[int] = mapped_column(default=1)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("frame_units.id"))
    expires_at: Mapped[dt.datetime | None]


class Response(Base):
    """One interview or web questionnaire, whatever its outcome (AAPOR disposition)."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode))
    is_probability_sample: Mapped[bool]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("frame_units.id"), index=True)
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    disposition: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]]
    paradata: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    review_state: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState), default=ReviewState.RECEIVED
    )
    started_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReviewEvent(Base):
    """One step in a response's history: received, approved, rejected with a comment, resent."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
