"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when CI asks for it)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import hypothesis
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey_app.app import create_app
from survey_app.db.engine import make_engine
from survey_app.db.migrate import upgrade
from survey_app.models import Base
from survey_app.settings import Settings, normalise_database_url

TEST_DATABASE_ENV = "MINYI_TEST_DATABASE_URL"

hypothesis.settings.register_profile("dev", deadline=None)
hypothesis.settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis.settings.load_profile("ci" if os.environ.get("CI") else "dev")
"""No per-example deadline (a shared 2-core machine makes timings noisy); CI replays the same
examples every run, so a red run is reproducible and never a coin toss."""
T = TypeVar("T")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for a throw-away database, migrated to the newest schema."""
    url = os.environ.get(TEST_DATABASE_ENV)
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'minyi-test.db'}"
    settings = Settings(database_url=normalise_database_url(url), secret_key="test-secret-key")
    upgrade(settings)
    return settings


def empty_all_tables(settings: Settings) -> None:
    async def run() -> None:
        engine = make_engine(settings)
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(text(f"DELETE FROM {table.name}"))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def clean_settings(settings: Settings) -> Settings:
    """The session database emptied before the test."""
    empty_all_tables(settings)
    return settings


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def run_with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` against the test database and return its result."""

    async def run() -> T:
        engine = make_engine(settings)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def client(clean_settings: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(clean_settings), base_url="http://127.0.0.1") as test_client:
        yield test_client
