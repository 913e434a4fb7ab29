"""Settings from the environment, with clear errors for bad values."""

import pytest

from survey_app.errors import ConfigurationError
from survey_app.settings import Settings, normalise_database_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///var/minyi.db", "sqlite+aiosqlite:///var/minyi.db"),
        ("postgresql://u@127.0.0.1:5432/minyi", "postgresql+asyncpg://u@127.0.0.1:5432/minyi"),
        ("postgres://u:pw@db/minyi", "postgresql+asyncpg://u:pw@db/minyi"),
        ("postgresql+asyncpg://u@h/m", "postgresql+asyncpg://u@h/m"),
    ],
)
def test_database_urls_get_the_async_driver(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@h/db", "supports sqlite and postgresql"),
        ("postgresql://u@h", "must name a database"),
        ("sqlite://", "must name a file"),
    ],
)
def test_malformed_database_url_is_a_clear_error(raw: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        normalise_database_url(raw)


def test_defaults_to_embedded_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.is_sqlite
    assert settings.database_url.endswith("/var/minyi.db")
    assert settings.port == 8000


def test_bad_port_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="PORT"):
        Settings.from_env({"PORT": "eighty"})


def test_password_is_hidden_when_shown() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u:secret@h/db"})
    assert "secret" not in settings.redacted_database_url()
