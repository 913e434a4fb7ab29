"""Settings read from the environment, shared by the web app and the `minyi` CLI."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from survey_app.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"
SECRET_KEY_MIN_LENGTH = 32
KEY_RECIPE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))' makes one"

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
    secret_key: str = ""
    """Signs session cookies and CSRF tokens and keys hashes of client addresses; when empty,
    `with_secret_key` finds one to serve with."""
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
            secret_key=_secret_key(env),
            host=env.get("HOST", "127.0.0.1"),
            port=int(port_text),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            redis_url=check_redis_url(env.get("REDIS_URL", "")),
            rate_limits=RateLimits(**{kind: _per_minute(env, kind) for kind in _RATE_LIMIT_ENV}),
        )

    def with_secret_key(self) -> Settings:
        """These settings with a secret key to serve with.

        `MINYI_SECRET_KEY` when set. Otherwise an embedded SQLite database keeps a random key
        in a file beside it (`<database>.key`, made on first use, readable by its owner only),
        so that a fresh installation never signs with a key anyone else knows. A PostgreSQL
        database is shared by app servers, which must agree on one key: there it must be set.
        """
        if self.secret_key:
            return self
        database = make_url(self.database_url).database if self.is_sqlite else None
        if not database or database == ":memory:":
            raise ConfigurationError(
                "set MINYI_SECRET_KEY to serve this database: every app server must sign "
                f"with the same secret key ({KEY_RECIPE})"
            )
        key = _key_beside(Path(f"{database}.key"))
        return msgspec.structs.replace(self, secret_key=key)

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


def _secret_key(env: Mapping[str, str]) -> str:
    key = env.get("MINYI_SECRET_KEY", "").strip()
    if key and len(key) < SECRET_KEY_MIN_LENGTH:
        raise ConfigurationError(
            f"MINYI_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long, "
            f"got {len(key)} ({KEY_RECIPE})"
        )
    return key


def _key_beside(path: Path) -> str:
    """The key kept in `path`, written there first if the file does not exist yet.

    The key is written to a private temporary file that is then linked to `path`, so that two
    workers starting at once agree on one key and neither reads a half-written file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    key = path.read_text().strip()
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ConfigurationError(
            f"the secret key file {path} is damaged; delete it (everyone signs in again) "
            "or set MINYI_SECRET_KEY"
        )
    return key


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
