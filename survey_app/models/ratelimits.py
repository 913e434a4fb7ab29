"""Rate-limit counters when no Redis is configured (`survey_app.ratelimits`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db.base import Base


class RateLimitCounter(Base):
    """Requests of one kind from one client in the current one-minute window.

    `key` is the kind and a keyed hash of the client (address or enumerator), never the address
    itself; rows whose window ended long ago are swept by the app.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)
    """Unix time (seconds) at which the counted window began."""
    hits: Mapped[int]
