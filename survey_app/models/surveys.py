"""Surveys, their waves, questionnaire versions and indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped


class Survey(Timestamped, Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    frame_id: Mapped[int | None] = mapped_column(ForeignKey("frames.id"))


class Wave(Timestamped, Base):
    """One round of a survey (monthly or quarterly self-assessment)."""

    __tablename__ = "waves"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[dt.date | None]
    closes_on: Mapped[dt.date | None]
    is_open: Mapped[bool] = mapped_column(default=True)


class QuestionnaireVersion(Timestamped, Base):
    """An immutable questionnaire definition (the `questionnaires` model as JSON)."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]


class Indicator(Base):
    """A rate on one question: which answer codes count above and below the line."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict[str, Any]]
    question: Mapped[str] = mapped_column(String(64))
    numerator_codes: Mapped[list[Any]]
    denominator_codes: Mapped[list[Any]]
    threshold: Mapped[float]
    direction: Mapped[str] = mapped_column(String(2), default=">=")
    domains: Mapped[list[Any]]
