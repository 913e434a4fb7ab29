"""What every `minyi` verb shares: registering sub-commands and reaching the database."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey_app.db.engine import check_connection, make_engine
from survey_app.db.migrate import pending_revision
from survey_app.errors import DatabaseUnavailableError
from survey_app.settings import Settings

Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The `minyi` sub-command table a capability adds its verbs to (`register(verbs)`)."""


def with_database(
    settings: Settings, work: Callable[[AsyncSession], Coroutine[Any, Any, int]]
) -> int:
    """Run `work(session)` once the database answers and its schema is current."""

    async def run() -> int:
        engine = make_engine(settings)
        try:
            await check_connection(engine, settings)
            if await pending_revision(engine) is not None:
                raise DatabaseUnavailableError(
                    "the database schema is not up to date; run `minyi db upgrade` first"
                )
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def check_reachable(settings: Settings) -> None:
    """Raise `DatabaseUnavailableError` with one clear line unless the database answers."""

    async def check() -> None:
        engine = make_engine(settings)
        try:
            await check_connection(engine, settings)
        finally:
            await engine.dispose()

    asyncio.run(check())
