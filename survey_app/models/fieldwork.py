"""Sample designs, allocations, selected units and enumerator assignments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped


class SampleDesign(Timestamped, Base):
    """The plan of one wave: precision target, allocation method, selection method, seed."""

    __tablename__ = "sample_designs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    settings: Mapped[dict[str, Any]]
    is_drawn: Mapped[bool] = mapped_column(default=False)


class Allocation(Base):
    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("design_id", "stratum_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("sample_designs.id", ondelete="CASCADE"))
    stratum_unit_id: Mapped[int] = mapped_column(ForeignKey("frame_units.id"))
    clusters: Mapped[int]
    interviews: Mapped[int]


class SelectedUnit(Base):
    """A community drawn into the sample (or held in reserve), with its inclusion probability."""

    __tablename__ = "selected_units"
    __table_args__ = (UniqueConstraint("design_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("sample_designs.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("frame_units.id"))
    inclusion_probability: Mapped[float]
    selection_order: Mapped[int]
    is_certainty: Mapped[bool] = mapped_column(default=False)
    is_reserve: Mapped[bool] = mapped_column(default=False)


class Assignment(Timestamped, Base):
    """Work for one enumerator in one community: a target and quota cells (age × sex)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("wave_id", "unit_id", "enumerator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("frame_units.id"))
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_count: Mapped[int]
    quota_cells: Mapped[dict[str, Any]]
