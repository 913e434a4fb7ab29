"""`minyi backup PATH` and `minyi restore PATH` for the database named by DATABASE_URL.

SQLite is copied with its online backup API (safe while `minyi serve` writes); PostgreSQL with
`pg_dump --format=custom` and `pg_restore`. A backup file appears whole or not at all; a
restore replaces the database in one step, refuses one that holds data unless `--force`, and
ends by checking that the schema is the one this Minyi expects.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.backups import postgres, sqlite
from survey_app.backups.archives import (
    PG_DUMP,
    SQLITE,
    BackupError,
    check_revision,
    check_source,
    check_target,
    holds_data,
    kind_of_file,
)
from survey_app.commands import Verbs, check_reachable
from survey_app.db.engine import make_engine
from survey_app.db.migrate import pending_revision
from survey_app.models import AuditEvent
from survey_app.settings import Settings


def register(verbs: Verbs) -> None:
    backup = verbs.add_parser("backup", help="copy the database to a file (safe while serving)")
    backup.add_argument("path", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file at PATH")
    backup.set_defaults(run=_backup)
    restore = verbs.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("path", type=Path, help="a file written by `minyi backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.set_defaults(run=_restore)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.path
    check_target(target, force=args.force)
    if settings.is_sqlite:
        sqlite.backup(_sqlite_file(settings), target)
        revision = sqlite.revision(target)
    else:
        check_reachable(settings)
        postgres.dump(settings, target)
        revision = postgres.revision(target, settings)
    size = target.stat().st_size
    print(
        f"backed up {settings.redacted_database_url()} to {target} "
        f"({size:,} bytes, schema revision {revision or 'none'})"
    )
    _note(settings, "backup_taken", target, {"bytes": size, "revision": revision or ""})
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    archive: Path = args.path
    check_source(archive)
    _check_kind(archive, settings)
    if settings.is_sqlite:
        revision = check_revision(sqlite.revision(archive), archive)
        database = _sqlite_file(settings)
        if database.exists():
            _refuse_data(settings, archive, force=args.force)
        sqlite.restore(archive, database)
    else:
        revision = check_revision(postgres.revision(archive, settings), archive)
        check_reachable(settings)
        _refuse_data(settings, archive, force=args.force)
        postgres.restore(settings, archive)
    newest = asyncio.run(_pending(settings))
    if newest is not None:
        print(
            f"minyi: restored {archive}, but its schema revision {revision} is older than "
            f"{newest}; run `minyi db upgrade` before serving",
            file=sys.stderr,
        )
        return 1
    print(
        f"restored {archive} into {settings.redacted_database_url()} "
        f"(schema revision {revision}, the newest)"
    )
    _note(settings, "backup_restored", archive, {"revision": revision})
    return 0


def _note(settings: Settings, action: str, archive: Path, details: dict[str, Any]) -> None:
    """Note a backup or restore in the database's audit log: a backup holds every answer.

    A database whose schema is older than this Minyi's (a backup taken before `minyi db
    upgrade`) is left as it is, with a line saying so."""

    async def note() -> bool:
        engine = make_engine(settings)
        try:
            if await pending_revision(engine) is not None:
                return False
            async with AsyncSession(engine) as db:
                db.add(AuditEvent(action=action, target=str(archive)[-200:], details=details))
                await db.commit()
            return True
        finally:
            await engine.dispose()

    if not asyncio.run(note()):
        print(
            "minyi: not noted in the audit log: the database schema is older than this "
            "Minyi's (`minyi db upgrade` brings it up to date)",
            file=sys.stderr,
        )


def _check_kind(archive: Path, settings: Settings) -> None:
    kind = kind_of_file(archive)
    wanted, database = (SQLITE, "SQLite") if settings.is_sqlite else (PG_DUMP, "PostgreSQL")
    if kind is None:
        raise BackupError(
            f"{archive} is not a Minyi backup (neither a SQLite database nor a pg_dump "
            "custom-format archive)"
        )
    if kind != wanted:
        raise BackupError(
            f"{archive} is a {kind}, but DATABASE_URL names a {database} database; "
            f"restore it from a {wanted}"
        )


def _refuse_data(settings: Settings, archive: Path, *, force: bool) -> None:
    if not force and asyncio.run(holds_data(settings)):
        raise BackupError(
            f"the database {settings.redacted_database_url()} already holds data; "
            f"add --force to replace it with {archive}"
        )


def _sqlite_file(settings: Settings) -> Path:
    return Path(str(make_url(settings.database_url).database))


async def _pending(settings: Settings) -> str | None:
    engine = make_engine(settings)
    try:
        return await pending_revision(engine)
    finally:
        await engine.dispose()
