"""The rate limits as a litestar plugin: a middleware counting requests, a 429 with Retry-After.

Counts live in Redis when `REDIS_URL` is set, else in the database, never in the process, so
every worker and every app server behind the proxy shares them. A limited request costs one
round trip to the store; when the store cannot be reached the request is served and the
failure logged (a broken counter must not take the survey down).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.config.app import AppConfig
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.plugins import InitPluginProtocol
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from survey_app.errors import TooManyRequestsError
from survey_app.ratelimits.counters import (
    WINDOW_SECONDS,
    Counter,
    DatabaseCounter,
    RedisCounter,
)
from survey_app.ratelimits.rules import counter_key, kind_of
from survey_app.settings import RateLimits, Settings

logger = logging.getLogger("survey_app.ratelimits")
WARN_EVERY_SECONDS = 60.0
clock: Callable[[], float] = time.time
"""Wall-clock seconds; windows are aligned to it so that every server agrees on them."""


class RateLimitedError(TooManyRequestsError):
    """A request over its limit; `retry_after` is the number of seconds to the next window."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Limiter:
    """Counts each limited request and refuses those over the limit of their kind."""

    def __init__(self, limits: RateLimits, counter: Counter, secret: str) -> None:
        self.limits, self.counter, self.secret = limits, counter, secret
        self.quiet_until = 0.0

    async def check(self, scope: HTTPScope) -> None:
        kind = kind_of(scope["method"], scope["path"])
        limit: int = getattr(self.limits, kind.name) if kind else 0
        if kind is None or limit <= 0:
            return
        now = clock()
        window = int(now) - int(now) % WINDOW_SECONDS
        try:
            hits, window = await self.counter.hit(counter_key(self.secret, kind, scope), window)
        except (SQLAlchemyError, RedisError, OSError) as error:
            self._store_unavailable(error)
            return
        if hits <= limit:
            return
        if hits == limit + 1:
            logger.warning("rate limit reached", extra={"kind": kind.name, "limit": limit})
        raise RateLimitedError(kind.message, max(1, math.ceil(window + WINDOW_SECONDS - now)))

    def _store_unavailable(self, error: Exception) -> None:
        if time.monotonic() >= self.quiet_until:
            self.quiet_until = time.monotonic() + WARN_EVERY_SECONDS
            logger.error(
                "rate-limit counters unavailable; requests are served unlimited",
                extra={"error": f"{type(error).__name__}: {error}".splitlines()[0]},
            )


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            await self.limiter.check(scope)
        await self.app(scope, receive, send)


def respond_rate_limited(request: Request[Any, Any, Any], error: RateLimitedError) -> Response[Any]:
    """The response the route gives any `TooManyRequestsError` (JSON, page or OpenRosa XML),
    with `Retry-After`."""
    handlers = request.route_handler.resolve_exception_handlers()
    respond = next(handlers[cls] for cls in type(error).__mro__[1:] if cls in handlers)
    response: Response[Any] = respond(request, error)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


class RateLimitPlugin(InitPluginProtocol):
    """`plugins=[RateLimitPlugin(settings, engine)]`: the engine holds the counters unless
    `settings.redis_url` is set."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings, self.engine = settings, engine

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        counter: Counter = (
            RedisCounter(self.settings.redis_url)
            if self.settings.redis_url
            else DatabaseCounter(self.engine)
        )
        limiter = Limiter(self.settings.rate_limits, counter, self.settings.secret_key)
        app_config.middleware = [
            *app_config.middleware,
            DefineMiddleware(RateLimitMiddleware, limiter=limiter),
        ]
        app_config.exception_handlers = {
            **app_config.exception_handlers,
            RateLimitedError: respond_rate_limited,
        }
        app_config.on_shutdown = [*app_config.on_shutdown, counter.close]
        return app_config
