"""Back up and restore PostgreSQL with `pg_dump --format=custom` and `pg_restore`.

The client tools are found on PATH and must be at least the server's major version. The
password (if the URL has one) reaches them through a private password file, never the command
line, and never appears in a message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from survey_app.backups.archives import BackupError, written_whole
from survey_app.settings import Settings

_TIMEOUT_SECONDS = 6 * 3600


def dump(settings: Settings, target: Path) -> None:
    """A consistent snapshot of the live database (pg_dump runs in one repeatable-read
    transaction), written whole or not at all."""
    with _connection(settings) as (options, environment), written_whole(target) as temporary:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                f"--file={temporary}",
                *options,
                _database(settings),
            ],
            environment,
            settings,
        )


def revision(archive: Path, settings: Settings) -> str | None:
    """The schema revision recorded in a pg_dump archive (its `alembic_version` row)."""
    script = _run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(archive)],
        dict(os.environ),
        settings,
    )
    lines = script.splitlines()
    for number, line in enumerate(lines[:-1]):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def restore(settings: Settings, archive: Path) -> None:
    """Replace the database's tables with the archive's, in one transaction: on any error
    the database is left as it was."""
    with _connection(settings) as (options, environment):
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *options,
                f"--dbname={_database(settings)}",
                str(archive),
            ],
            environment,
            settings,
        )


def _database(settings: Settings) -> str:
    return str(make_url(settings.database_url).database)


@contextmanager
def _connection(settings: Settings) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Command-line options naming host, port and user, and an environment whose PGPASSFILE
    holds the password for the duration of the command."""
    url = make_url(settings.database_url)
    options = ["--no-password"]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            options.append(f"{flag}={value}")
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if ssl:
        environment["PGSSLMODE"] = str(ssl)
    if not url.password:
        yield options, environment
        return
    escaped = str(url.password).replace("\\", "\\\\").replace(":", "\\:")
    with tempfile.NamedTemporaryFile("w", prefix="minyi-pgpass-", encoding="utf-8") as passfile:
        os.chmod(passfile.name, 0o600)
        passfile.write(f"*:*:*:*:{escaped}\n")
        passfile.flush()
        yield options, {**environment, "PGPASSFILE": passfile.name}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools "
            "(the server's major version or newer)"
        )
    return path


def _run(command: list[str], environment: dict[str, str], settings: Settings) -> str:
    """Run a client tool; its first error line becomes the message (password removed)."""
    try:
        finished = subprocess.run(  # noqa: S603 - a tool from PATH, arguments from settings
            command,
            env=environment,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(command[0]).name} took longer than six hours") from None
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        reason = next(
            (line for line in lines if "error" in line.lower()), lines[0] if lines else ""
        )
        password = make_url(settings.database_url).password
        if password:
            reason = reason.replace(str(password), "***")
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {finished.returncode}): {reason.strip()}"
        )
    return finished.stdout
