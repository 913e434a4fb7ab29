"""The `minyi` command as a person at a terminal meets it: one clear line, a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.cli import main
from survey_app.models import AuditEvent
from survey_app.settings import Settings
from tests.conftest import run_with_session


def _minyi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "survey_app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_malformed_database_url_is_one_line_and_exit_2() -> None:
    result = _minyi("db", "upgrade", env={"DATABASE_URL": "this is not a url"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_and_exit_1() -> None:
    result = _minyi("db", "upgrade", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/minyi"})
    assert result.returncode == 1
    assert result.stderr.startswith("minyi: cannot reach the database at postgresql")
    assert result.stderr.strip().count("\n") == 0


def test_a_database_that_does_not_exist_is_one_line_and_exit_1() -> None:
    """asyncpg's own "does not exist" error (unwrapped by SQLAlchemy) gets the same line; where
    no PostgreSQL listens, it is the refused connection that the line names."""
    result = _minyi(
        "db", "check", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/no_such_minyi"}
    )
    assert result.returncode == 1
    assert result.stderr.startswith("minyi: cannot reach the database at postgresql")
    assert "unexpected" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_db_check_on_an_unmigrated_database_says_to_upgrade(tmp_path: Path) -> None:
    result = _minyi("db", "check", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert result.returncode == 1
    assert "minyi db upgrade" in result.stderr
    assert "unexpected" not in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = _minyi("serve", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert result.returncode == 1
    assert "minyi db upgrade" in result.stderr


def test_unknown_verb_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.db
def test_user_create_and_duplicate(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_settings.database_url)
    monkeypatch.setenv("NEW_PASSWORD", "a-long-password")
    assert (
        main(["user", "create", "zhang", "--role", "analyst", "--password-env", "NEW_PASSWORD"])
        == 0
    )
    assert "created analyst 'zhang'" in capsys.readouterr().out
    assert (
        main(["user", "create", "zhang", "--role", "analyst", "--password-env", "NEW_PASSWORD"])
        == 1
    )
    assert "already exists" in capsys.readouterr().err

    async def audited(db: AsyncSession) -> list[tuple[str, str, dict[str, str]]]:
        rows = await db.execute(select(AuditEvent.action, AuditEvent.target, AuditEvent.details))
        return [(action, target, details) for action, target, details in rows.all()]

    assert run_with_session(clean_settings, audited) == [
        ("user_created", "zhang", {"role": "analyst", "by": "minyi user create"})
    ]


def test_serve_on_postgresql_without_a_secret_key_says_what_to_set() -> None:
    result = _minyi(
        "serve",
        env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/minyi", "MINYI_SECRET_KEY": ""},
    )
    assert result.returncode == 2
    assert "set MINYI_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
