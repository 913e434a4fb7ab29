"""What tablets and ODK Collect send besides the stored response: conflicts and revisions.

A conflicting version (same client UUID, different content, the stored one not rejected) is
kept here for the supervisor and never overwrites the response. A rejected interview that its
enumerator corrected and resent replaces the response's content; the replaced content is kept
as a revision, so the history shows what each step looked like.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, utcnow


class ResponseConflict(Base):
    """A version of a response that arrived with the response's UUID but other content."""

    __tablename__ = "response_conflicts"
    __table_args__ = (UniqueConstraint("response_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    disposition: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]]
    paradata: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ResponseRevision(Base):
    """The content a response had before its enumerator's correction replaced it."""

    __tablename__ = "response_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    disposition: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]]
    paradata: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
