"""How Minyi opens the embedded SQLite database: shared by workers and the CLI, durable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from survey_app.db.engine import make_engine
from survey_app.settings import Settings, normalise_database_url

FULL = 2
"""`PRAGMA synchronous` answers 2 for FULL."""


def test_sqlite_commits_are_on_disk_before_they_are_acknowledged(tmp_path: Path) -> None:
    settings = Settings(database_url=normalise_database_url(f"sqlite:///{tmp_path / 'm.db'}"))

    async def pragmas() -> tuple[str, int, int, int]:
        engine = make_engine(settings)
        async with engine.connect() as connection:
            values = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
        await engine.dispose()
        return values[0], values[1], values[2], values[3]

    assert asyncio.run(pragmas()) == ("wal", FULL, 1, 30000)
