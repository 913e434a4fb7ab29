"""Weighting runs with per-response weights, and estimate runs with their estimates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base, Timestamped


class WeightingRun(Timestamped, Base):
    """A stored, reproducible weighting: settings in, diagnostics and convergence out."""

    __tablename__ = "weighting_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settings: Mapped[dict[str, Any]]
    diagnostics: Mapped[dict[str, Any]]
    converged: Mapped[bool]


class ResponseWeight(Base):
    __tablename__ = "response_weights"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_runs.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    weight: Mapped[float]


class EstimateRun(Timestamped, Base):
    __tablename__ = "estimate_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    weighting_run_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_runs.id", ondelete="CASCADE"), index=True
    )
    settings: Mapped[dict[str, Any]]


class EstimateRecord(Base):
    """One indicator in one domain (or overall, domain_variable = '')."""

    __tablename__ = "estimates"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("estimate_runs.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    domain_variable: Mapped[str] = mapped_column(String(64), default="")
    domain_value: Mapped[str] = mapped_column(String(200), default="")
    estimate: Mapped[float]
    se: Mapped[float]
    ci_low: Mapped[float]
    ci_high: Mapped[float]
    df: Mapped[float]
    deff: Mapped[float | None]
    n: Mapped[int]
    n_eff: Mapped[float]
    verdict: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[Any]]
