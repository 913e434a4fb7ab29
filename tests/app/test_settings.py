"""Settings from the environment, with clear errors for bad values."""

import stat
from pathlib import Path

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


def test_a_short_secret_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        Settings.from_env({"MINYI_SECRET_KEY": "secret"})


def test_the_secret_key_from_the_environment_is_used_as_given() -> None:
    key = "k" * 40
    settings = Settings.from_env({"MINYI_SECRET_KEY": key, "DATABASE_URL": "postgresql://u@h/m"})
    assert settings.with_secret_key().secret_key == key


def test_embedded_database_keeps_its_own_private_key_beside_it(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'minyi.db'}"})
    assert settings.secret_key == ""
    first = settings.with_secret_key().secret_key
    key_file = tmp_path / "minyi.db.key"
    assert len(first) >= 32
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.with_secret_key().secret_key == first, "made once, then read"
    assert [p.name for p in tmp_path.iterdir()] == ["minyi.db.key"], "no draft left behind"
    other = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"})
    assert other.with_secret_key().secret_key != first


def test_a_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "minyi.db.key").write_text("\n")
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'minyi.db'}"})
    with pytest.raises(ConfigurationError, match="damaged"):
        settings.with_secret_key()


def test_postgresql_needs_a_secret_key_shared_by_every_app_server() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@127.0.0.1:5432/minyi"})
    with pytest.raises(ConfigurationError, match="set MINYI_SECRET_KEY"):
        settings.with_secret_key()
