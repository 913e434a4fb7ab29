"""Back up and restore the embedded SQLite database with SQLite's online backup API.

The backup copies every page in one step inside one read transaction: with WAL journaling the
server keeps writing meanwhile, and the copy is the database as it was when the step began.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from survey_app.backups.archives import BackupError, written_whole

_WAIT_SECONDS = 30.0


def _open(path: Path, mode: str) -> sqlite3.Connection:
    """A connection that never creates a file (`mode` is "ro" or "rw")."""
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=_WAIT_SECONDS
    )


def backup(database: Path, target: Path) -> None:
    """Copy the live `database` to `target`, a self-contained SQLite file (no -wal beside it)."""
    if not database.is_file():
        raise BackupError(f"no database at {database}; check DATABASE_URL")
    if target.resolve() == database.resolve():
        raise BackupError("the backup file cannot be the database itself")
    try:
        with (
            written_whole(target) as temporary,
            closing(_open(database, "rw")) as source,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_whole(copy, database)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {database}: {error}") from None


def revision(archive: Path) -> str | None:
    """The schema revision recorded in a SQLite backup, None when it has none."""
    try:
        with closing(_open(archive, "ro")) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise BackupError(f"cannot read {archive}: {error}") from None
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {archive}: {error}") from None
    return None if row is None else str(row[0])


def restore(archive: Path, database: Path) -> None:
    """Replace `database` with the backup: copied to a temporary file, then renamed over it.

    The server must be stopped: a database still open elsewhere is refused.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with written_whole(database) as temporary:
            with (
                closing(_open(archive, "ro")) as source,
                closing(sqlite3.connect(temporary)) as copy,
            ):
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                _check_whole(copy, archive)
            if database.exists():
                _settle(database)
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore into {database}: {error}") from None


def _settle(database: Path) -> None:
    """Fold the old database's WAL into it and make sure nobody else has it open, so that no
    stale -wal file is ever read against the restored one."""
    with closing(_open(database, "rw")) as connection:
        busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy or Path(f"{database}-wal").exists():
        raise BackupError(
            f"the database {database} is in use; stop `minyi serve` and other minyi commands "
            "before restoring"
        )
    Path(f"{database}-shm").unlink(missing_ok=True)


def _check_whole(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")
