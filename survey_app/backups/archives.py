"""What `minyi backup` and `minyi restore` share: kinds of backup file, schema revisions,
files that appear whole or not at all, and whether a database already holds data."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from survey_app.db.engine import make_engine
from survey_app.errors import MinyiError
from survey_app.settings import PROJECT_ROOT, Settings

SQLITE = "SQLite database"
PG_DUMP = "pg_dump archive"
_MAGIC = {b"SQLite format 3\x00": SQLITE, b"PGDMP": PG_DUMP}


class BackupError(MinyiError):
    """A backup or restore cannot go ahead; nothing has been changed."""


def kind_of_file(path: Path) -> str | None:
    """`SQLITE`, `PG_DUMP` (custom format), or None for anything else."""
    with path.open("rb") as file:
        head = file.read(16)
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def check_revision(revision: str | None, path: Path) -> str:
    """The backup's schema revision, when this version of Minyi knows it."""
    if revision is None:
        raise BackupError(f"{path} holds no Minyi database (it has no schema revision)")
    known = {script.revision for script in migration_scripts().walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"{path} comes from a newer Minyi (schema revision {revision} is unknown here); "
            "upgrade Minyi before restoring it"
        )
    return revision


def migration_scripts() -> ScriptDirectory:
    return ScriptDirectory(str(PROJECT_ROOT / "migrations"))


def check_target(path: Path, *, force: bool) -> None:
    """A backup may be written at `path`: its folder exists, and it replaces a file only if
    asked to."""
    if path.is_dir():
        raise BackupError(f"{path} is a directory; name the backup file, e.g. {path}/minyi.backup")
    if not path.parent.is_dir():
        raise BackupError(f"directory {path.parent} does not exist")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; add --force to replace it")


def check_source(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; once the block succeeds it becomes `path` in one
    rename (after fsync), otherwise it is removed. Readers never see half a file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        temporary.unlink(missing_ok=True)


async def holds_data(settings: Settings) -> bool:
    """Whether any table other than Alembic's has a row (a migrated, empty database does not)."""

    def tables(connection: Connection) -> list[str]:
        return [name for name in inspect(connection).get_table_names() if name != "alembic_version"]

    engine = make_engine(settings)
    try:
        async with engine.connect() as connection:
            for name in await connection.run_sync(tables):
                if await connection.scalar(select(text("1")).select_from(table(name)).limit(1)):
                    return True
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise BackupError(
            f"cannot read the database at {settings.redacted_database_url()}: {reason}"
        ) from None
    finally:
        await engine.dispose()
    return False
