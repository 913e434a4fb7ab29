"""Settings read from the environment, shared by the web app and the `minyi` CLI."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from survey_app.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"
DEV_SECRET_KEY = "minyi-development-secret-change-me"  # noqa: S105 - documented dev default

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
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def redacted_database_url(self) -> str:
        return make_url(self.database_url).render_as_string(hide_password=True)


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
