"""The sampling frame: districts → streets → communities with population and census margins."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped, str_enum


class UnitLevel(enum.StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


class Frame(Timestamped, Base):
    __tablename__ = "frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class FrameUnit(Base):
    """A district, street (街道) or community (社区); `code` is unique within its frame."""

    __tablename__ = "frame_units"
    __table_args__ = (UniqueConstraint("frame_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("frames.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("frame_units.id"), index=True)
    level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int]


class CensusMargin(Base):
    """Census population of one age group × sex cell in one frame unit."""

    __tablename__ = "census_margins"
    __table_args__ = (UniqueConstraint("unit_id", "age_group", "sex"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("frame_units.id", ondelete="CASCADE"))
    age_group: Mapped[str] = mapped_column(String(32))
    sex: Mapped[str] = mapped_column(String(16))
    population: Mapped[int]
