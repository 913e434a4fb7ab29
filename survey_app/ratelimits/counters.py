"""Fixed-window request counters shared by every worker: the database, or Redis.

A counter answers one question in one round trip: "count this request under `key` in the
one-minute window starting at `window_start`; how many so far?" The increment is atomic on both
back-ends (an upsert on one row; Redis INCR), so app servers sharing the store share the count.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as aioredis
from sqlalchemy import Delete, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from survey_app.models import RateLimitCounter

WINDOW_SECONDS = 60
SWEEP_SECONDS = 600
"""How often (per process) rows of windows long gone are deleted from the database table."""
KEEP_SECONDS = 3600
"""Counter rows untouched this long are swept."""
REDIS_TIMEOUT_SECONDS = 1.0


class Counter(Protocol):
    async def hit(self, key: str, window_start: int) -> tuple[int, int]:
        """Count one request; return (requests counted, start of the window they fall in)."""
        ...

    async def close(self) -> None: ...


class DatabaseCounter:
    """Counters in `rate_limit_counters`: one upsert per request.

    On PostgreSQL the upsert runs in autocommit mode: one round trip, no BEGIN and COMMIT. A
    local SQLite file has no round trips; a plain transaction costs it fewer thread hops.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.next_sweep = time.monotonic() + SWEEP_SECONDS

    async def hit(self, key: str, window_start: int) -> tuple[int, int]:
        dialect = self.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(RateLimitCounter).values(key=key, window_start=window_start, hits=1)
        newer = statement.excluded.window_start > RateLimitCounter.window_start
        upsert = statement.on_conflict_do_update(
            index_elements=[RateLimitCounter.key],
            set_={
                "hits": case((newer, 1), else_=RateLimitCounter.hits + 1),
                "window_start": case(
                    (newer, statement.excluded.window_start), else_=RateLimitCounter.window_start
                ),
            },
        ).returning(RateLimitCounter.hits, RateLimitCounter.window_start)
        async with self.engine.begin() as connection:
            row = (await connection.execute(upsert)).one()
            if time.monotonic() >= self.next_sweep:
                self.next_sweep = time.monotonic() + SWEEP_SECONDS
                await connection.execute(self.sweep(window_start - KEEP_SECONDS))
        return int(row.hits), int(row.window_start)

    @staticmethod
    def sweep(before: int) -> Delete:
        """The statement deleting counters whose window started before `before`."""
        return delete(RateLimitCounter).where(RateLimitCounter.window_start < before)

    async def close(self) -> None:
        """The engine belongs to the app, which disposes of it."""


class RedisCounter:
    """Counters in Redis: INCR and EXPIRE pipelined, one key per client and window."""

    def __init__(self, url: str) -> None:
        self.client = aioredis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )

    async def hit(self, key: str, window_start: int) -> tuple[int, int]:
        window_key = f"minyi:ratelimit:{key}:{window_start}"
        async with self.client.pipeline(transaction=False) as pipeline:
            pipeline.incr(window_key)
            pipeline.expire(window_key, 2 * WINDOW_SECONDS)
            hits, _ = await pipeline.execute()
        return int(hits), window_start

    async def close(self) -> None:
        await self.client.aclose()
