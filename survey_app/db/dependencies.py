"""Handler parameter types for the database objects the SQLAlchemy plugin provides."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

DbSession: TypeAlias = NamedDependency[AsyncSession]
DbEngine: TypeAlias = NamedDependency[AsyncEngine]
