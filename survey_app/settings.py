"""Settings read from the environment, shared by the web app and the `minyi` CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from survey_app.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"
DEV_SECRET_KEY = "minyi-development-secret-change-me"  # noqa: S105 - documented dev default

REDIS_SCHEMES = ("redis", "rediss", "unix")


class RateLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Requests per minute on the public endpoints (`survey_app.ratelimits`); 0 turns one off."""

    login: int = 60
    """POST /login, per client address (the per-user lockout stays on top of it)."""
    resident: int = 600
    """POSTs of the resident questionnaire under /s/, per client address (one carrier gateway
    or office Wi-Fi stands for many residents)."""
    openrosa: int = 600
    """Requests under /openrosa/ (each checks a password), per enumerator named in the Basic
    credentials, else per client address."""


_RATE_LIMIT_ENV = {
    "login": "MINYI_RATE_LIMIT_LOGIN",
    "resident": "MINYI_RATE_LIMIT_RESIDENT",
    "openrosa": "MINYI_RATE_LIMIT_OPENROSA",
}

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the app needs to start; build it with `Settings.from_env()`."""

    database_url: str
    secret_key: str = DEV_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    default_locale: str = "zh_CN"
    redis_url: str = ""
    """Where rate-limit counters live when set; otherwise in the database."""
    rate_limits: RateLimits = RateLimits()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        default_url = f"sqlite:///{DEFAULT_DATA_DIR / 'minyi.db'}"
        port_text = env.get("PORT", "8000")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigurationError(
                f"PORT must be a number between 1 and 65535, got {port_text!r}"
            )
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL") or default_url),
            secret_key=env.get("MINYI_SECRET_KEY") or DEV_SECRET_KEY,
            host=env.get("HOST", "127.0.0.1"),
            port=int(port_text),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            redis_url=check_redis_url(env.get("REDIS_URL", "")),
            rate_limits=RateLimits(**{kind: _per_minute(env, kind) for kind in _RATE_LIMIT_ENV}),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def redacted_database_url(self) -> str:
        return make_url(self.database_url).render_as_string(hide_password=True)

    def redacted_redis_url(self) -> str:
        parts = urlsplit(self.redis_url)
        if parts.password is None:
            return self.redis_url
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def _per_minute(env: Mapping[str, str], kind: str) -> int:
    name = _RATE_LIMIT_ENV[kind]
    text = env.get(name, "").strip()
    if not text:
        return int(getattr(RateLimits(), kind))
    if not text.isdigit():
        raise ConfigurationError(
            f"{name} must be a whole number of requests per minute (0 turns the limit off), "
            f"got {text!r}"
        )
    return int(text)


def check_redis_url(raw: str) -> str:
    """An empty REDIS_URL (counters in the database) or a redis://, rediss:// or unix:// URL."""
    raw = raw.strip()
    if raw and (urlsplit(raw).scheme not in REDIS_SCHEMES or "://" not in raw):
        raise ConfigurationError(
            "REDIS_URL must look like redis://127.0.0.1:6379/0 (or rediss://, unix://); "
            f"got a {urlsplit(raw).scheme or 'schemeless'} address"
        )
    return raw


def normalise_database_url(raw: str) -> str:
    """Check a DATABASE_URL and name the async driver Minyi uses for it.

    Accepts `sqlite:///path`, `postgresql://user@host:port/db` (and the `postgres://` spelling);
    anything else is a `ConfigurationError` whose message says what is wrong.
    """
    try:
        url: URL = make_url(raw.strip())
    except ArgumentError:
        raise ConfigurationError(
            f"DATABASE_URL {raw!r} is not a database URL; expected e.g. "
            "sqlite:///var/minyi.db or postgresql://user@127.0.0.1:5432/minyi"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            f"DATABASE_URL uses {url.drivername!r}; Minyi supports sqlite and postgresql"
        )
    if driver.startswith("sqlite"):
        if not url.database or url.database == ":memory:":
            raise ConfigurationError(
                "DATABASE_URL for SQLite must name a file, e.g. sqlite:///var/minyi.db"
            )
    elif not url.database:
        raise ConfigurationError(
            "DATABASE_URL for PostgreSQL must name a database after the last '/'"
        )
    return url.set(drivername=driver).render_as_string(hide_password=False)
