"""`minyi backup` and `minyi restore`: the restore drill, and clear refusals that change nothing.

The drill backs up the demo city while tablets keep uploading, restores the file into a fresh
database, and checks that every interview acknowledged before the backup began is there once
and whole, and that the restored database agrees with the migrations (`minyi db check`). It
runs on SQLite, and on PostgreSQL when the test database is PostgreSQL (`db` marker).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from survey_app.accounts.tokens import issue_token
from survey_app.app import create_app
from survey_app.backups import postgres
from survey_app.backups.archives import BackupError
from survey_app.cli import main
from survey_app.collection.storage import content_hash
from survey_app.db.migrate import upgrade
from survey_app.demo.loader import load_demo
from survey_app.models import Assignment, Response, ResponseMode, Role, User
from survey_app.settings import Settings, normalise_database_url
from tests.conftest import run_with_session

DEMO_SEED = 20261122


@dataclass(frozen=True)
class Upload:
    """One enumerator's token and a valid completed interview of his assignment."""

    token: str
    assignment_id: int
    version_id: int
    answers: dict[str, Any]


class Tablet:
    """Uploads interviews one by one in a thread until stopped, noting when each was
    acknowledged."""

    def __init__(self, settings: Settings, upload: Upload) -> None:
        self.settings, self.upload = settings, upload
        self.acknowledged: list[tuple[float, str]] = []
        self.attempted: set[str] = set()
        self.stop = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with TestClient(app=create_app(self.settings)) as client:
                while not self.stop.is_set():
                    self._send(client)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.failure = error

    def _send(self, client: TestClient[Any]) -> None:
        interview = str(uuid.uuid4())
        self.attempted.add(interview)
        body = {
            "device_id": "backup-drill",
            "interviews": [
                {
                    "uuid": interview,
                    "assignment_id": self.upload.assignment_id,
                    "questionnaire_version_id": self.upload.version_id,
                    "disposition": "1.1",
                    "answers": self.upload.answers,
                    "paradata": {"duration_seconds": 300},
                }
            ],
        }
        answer = client.post(
            "/api/capi/interviews",
            json=body,
            headers={"authorization": f"Bearer {self.upload.token}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] == "stored", answer.text
        self.acknowledged.append((time.monotonic(), interview))

    def acknowledged_before(self, moment: float) -> set[str]:
        return {interview for at, interview in self.acknowledged if at < moment}


def demo_upload(settings: Settings) -> Upload:
    async def work(db: AsyncSession) -> Upload:
        await load_demo(db, seed=DEMO_SEED, if_empty=False)
        user = await db.scalar(select(User).where(User.role == Role.ENUMERATOR).limit(1))
        assert user is not None
        _, token = await issue_token(db, user, "backup drill")
        row = (
            await db.execute(
                select(Assignment.id, Response.questionnaire_version_id, Response.answers)
                .join(
                    Response,
                    (Response.unit_id == Assignment.unit_id)
                    & (Response.enumerator_id == Assignment.enumerator_id),
                )
                .where(
                    Assignment.enumerator_id == user.id,
                    Response.disposition == "1.1",
                    Response.mode == ResponseMode.CAPI,
                )
                .limit(1)
            )
        ).one()
        await db.commit()
        return Upload(token, row[0], row[1], row[2])

    return run_with_session(settings, work)


@dataclass(frozen=True)
class Stored:
    interviews: dict[str, int]
    """Client UUID → rows holding it."""
    broken: int
    """Rows whose content hash does not match their answers: half-written."""


def stored(settings: Settings) -> Stored:
    async def work(db: AsyncSession) -> Stored:
        rows = (
            await db.execute(
                select(
                    Response.client_uuid,
                    Response.answers,
                    Response.disposition,
                    Response.content_hash,
                )
            )
        ).all()
        interviews: dict[str, int] = {}
        for client_uuid, *_ in rows:
            interviews[str(client_uuid)] = interviews.get(str(client_uuid), 0) + 1
        broken = sum(1 for _, a, d, h in rows if content_hash(a, d) != h)
        return Stored(interviews, broken)

    return run_with_session(settings, work)


def minyi(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return main(list(args))


async def _admin(settings: Settings, statement: str) -> None:
    url = make_url(settings.database_url).set(database="postgres")
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A new, empty database of the same kind as the test database."""
    if settings.is_sqlite:
        url = normalise_database_url(f"sqlite:///{tmp_path / 'restored' / 'minyi.db'}")
        yield msgspec.structs.replace(settings, database_url=url)
        return
    url = make_url(settings.database_url)
    name = f"{url.database}_restored_{secrets.token_hex(3)}"
    asyncio.run(_admin(settings, f'CREATE DATABASE "{name}"'))
    try:
        yield msgspec.structs.replace(
            settings, database_url=url.set(database=name).render_as_string(hide_password=False)
        )
    finally:
        asyncio.run(_admin(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.db
@pytest.mark.slow
def test_restore_drill_backup_while_tablets_upload(
    clean_settings: Settings,
    fresh: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not clean_settings.is_sqlite and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump and pg_restore are needed to back up PostgreSQL")
    upload = demo_upload(clean_settings)
    demo = set(stored(clean_settings).interviews)
    tablet = Tablet(clean_settings, upload)
    tablet.thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(tablet.acknowledged) < 5 and tablet.failure is None:
            assert time.monotonic() < deadline, "the tablet never got an upload through"
            time.sleep(0.05)
        started = time.monotonic()
        assert minyi(monkeypatch, clean_settings, "backup", str(tmp_path / "drill.backup")) == 0
        finished = time.monotonic()
        while not tablet.acknowledged_before(time.monotonic()) - tablet.acknowledged_before(
            finished
        ):
            assert tablet.failure is None
            time.sleep(0.05)
    finally:
        tablet.stop.set()
        tablet.thread.join(timeout=60)
    assert tablet.failure is None, tablet.failure
    assert "backed up" in capsys.readouterr().out

    assert minyi(monkeypatch, fresh, "restore", str(tmp_path / "drill.backup")) == 0
    assert "the newest" in capsys.readouterr().out
    restored = stored(fresh)
    before = tablet.acknowledged_before(started)
    assert len(before) >= 5
    assert before <= set(restored.interviews), "an acknowledged interview is missing"
    assert set(restored.interviews) - demo <= tablet.attempted, "an interview nobody sent"
    assert demo <= set(restored.interviews)
    assert max(restored.interviews.values()) == 1, "an interview is stored twice"
    assert restored.broken == 0
    assert set(restored.interviews) - demo - tablet.acknowledged_before(finished) == set(), (
        "the backup holds an interview acknowledged only after it finished"
    )
    assert minyi(monkeypatch, fresh, "db", "check") == 0


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("minyi: ")
    assert err.strip().count("\n") == 0, err
    assert "Traceback" not in err
    return err


INSERT_USER = (
    "INSERT INTO users (username, display_name, password_hash, role, is_active, created_at) "
    "VALUES ('{name}', '{name}', 'x', 'admin', 1, '2026-01-01')"
)


def execute(database: Path, statement: str) -> list[tuple[Any, ...]]:
    """Run one statement in its own connection, committed and closed."""
    with closing(sqlite3.connect(database)) as connection, connection:
        return connection.execute(statement).fetchall()


def sqlite_file(settings: Settings) -> Path:
    return Path(str(make_url(settings.database_url).database))


@pytest.fixture
def sqlite_pair(tmp_path: Path) -> tuple[Settings, Settings]:
    """A migrated SQLite database with one user, and settings for a second database."""
    source = Settings(database_url=normalise_database_url(f"sqlite:///{tmp_path / 'live.db'}"))
    upgrade(source)
    execute(sqlite_file(source), INSERT_USER.format(name="keep"))
    target = Settings(database_url=normalise_database_url(f"sqlite:///{tmp_path / 'other.db'}"))
    return source, target


def users(settings: Settings) -> list[str]:
    return [name for (name,) in execute(sqlite_file(settings), "SELECT username FROM users")]


def test_restore_refuses_a_database_with_data_unless_forced(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = sqlite_pair
    backup = tmp_path / "live.backup"
    assert minyi(monkeypatch, source, "backup", str(backup)) == 0
    upgrade(target)
    execute(sqlite_file(target), INSERT_USER.format(name="other"))
    capsys.readouterr()
    assert minyi(monkeypatch, target, "restore", str(backup)) == 1
    assert "already holds data; add --force" in one_line_error(capsys)
    assert users(target) == ["other"]
    assert minyi(monkeypatch, target, "restore", "--force", str(backup)) == 0
    assert users(target) == ["keep"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_backups_and_restores_are_noted_in_the_audit_log(
    sqlite_pair: tuple[Settings, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = sqlite_pair
    backup = tmp_path / "live.backup"
    assert minyi(monkeypatch, source, "backup", str(backup)) == 0
    assert minyi(monkeypatch, target, "restore", str(backup)) == 0
    audit = "SELECT action, target FROM audit_events ORDER BY id"
    assert execute(sqlite_file(source), audit) == [("backup_taken", str(backup))]
    assert execute(sqlite_file(target), audit) == [("backup_restored", str(backup))]


def test_backup_never_replaces_a_file_unless_forced_nor_the_database_itself(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, _ = sqlite_pair
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    assert minyi(monkeypatch, source, "backup", str(existing)) == 1
    assert "already exists; add --force" in one_line_error(capsys)
    assert existing.read_text() == "keep me"
    assert minyi(monkeypatch, source, "backup", "--force", str(sqlite_file(source))) == 1
    assert "cannot be the database itself" in one_line_error(capsys)
    assert minyi(monkeypatch, source, "backup", str(tmp_path / "missing" / "x.backup")) == 1
    assert "does not exist" in one_line_error(capsys)
    assert minyi(monkeypatch, source, "backup", "--force", str(existing)) == 0
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")


def test_restore_names_a_missing_or_foreign_file(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, target = sqlite_pair
    assert minyi(monkeypatch, target, "restore", str(tmp_path / "nothing.backup")) == 1
    assert "no backup file at" in one_line_error(capsys)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    assert minyi(monkeypatch, target, "restore", str(notes)) == 1
    assert "is not a Minyi backup" in one_line_error(capsys)
    dump = tmp_path / "postgres.backup"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
    assert minyi(monkeypatch, target, "restore", str(dump)) == 1
    assert "is a pg_dump archive, but DATABASE_URL names a SQLite database" in one_line_error(
        capsys
    )
    plain = tmp_path / "plain.db"
    execute(plain, "CREATE TABLE notes (body TEXT)")
    assert minyi(monkeypatch, target, "restore", str(plain)) == 1
    assert "holds no Minyi database" in one_line_error(capsys)
    assert not sqlite_file(target).exists(), "nothing was written"


def test_restore_of_a_newer_or_older_schema(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = sqlite_pair
    backup = tmp_path / "live.backup"
    assert minyi(monkeypatch, source, "backup", str(backup)) == 0
    newer = tmp_path / "newer.backup"
    shutil.copy(backup, newer)
    execute(newer, "UPDATE alembic_version SET version_num = 'from2099'")
    assert minyi(monkeypatch, target, "restore", str(newer)) == 1
    assert "comes from a newer Minyi" in one_line_error(capsys)
    assert not sqlite_file(target).exists()

    older = Settings(database_url=normalise_database_url(f"sqlite:///{tmp_path / 'old.db'}"))
    upgrade(older, "0002")
    assert minyi(monkeypatch, older, "backup", str(tmp_path / "old.backup")) == 0
    assert "not noted in the audit log" in capsys.readouterr().err
    assert minyi(monkeypatch, target, "restore", str(tmp_path / "old.backup")) == 1
    assert "run `minyi db upgrade`" in one_line_error(capsys)
    assert minyi(monkeypatch, target, "db", "upgrade") == 0


def test_restore_refuses_a_database_in_use_and_leaves_it_whole(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = sqlite_pair
    backup = tmp_path / "live.backup"
    assert minyi(monkeypatch, source, "backup", str(backup)) == 0
    upgrade(target)
    server = sqlite3.connect(sqlite_file(target))
    try:
        server.execute("PRAGMA journal_mode=WAL")
        server.execute("SELECT count(*) FROM users").fetchone()
        capsys.readouterr()
        assert minyi(monkeypatch, target, "restore", "--force", str(backup)) == 1
        assert "is in use; stop `minyi serve`" in one_line_error(capsys)
        assert server.execute("SELECT count(*) FROM users").fetchone() == (0,)
    finally:
        server.close()
    assert users(target) == []
    assert [p.name for p in sqlite_file(target).parent.iterdir() if ".part" in p.name] == []


def test_a_damaged_backup_is_refused_and_nothing_is_written(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = sqlite_pair
    backup = tmp_path / "live.backup"
    assert minyi(monkeypatch, source, "backup", str(backup)) == 0
    whole = backup.read_bytes()
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(whole[:4096] + bytes(len(whole) - 4096))
    capsys.readouterr()
    assert minyi(monkeypatch, target, "restore", str(damaged)) == 1
    one_line_error(capsys)
    assert not sqlite_file(target).exists()
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_postgres_tools_missing_or_failing_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        database_url=normalise_database_url("postgresql://minyi:s3cret:pw@127.0.0.1:1/minyi")
    )
    target = tmp_path / "pg.backup"
    if shutil.which("pg_dump") is not None:
        with pytest.raises(BackupError, match="pg_dump failed") as failed:
            postgres.dump(settings, target)
        assert "s3cret" not in failed.value.message
        assert "\n" not in failed.value.message
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        postgres.dump(settings, target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.db
def test_unreachable_postgres_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:hidden@127.0.0.1:1/minyi")
    assert main(["backup", str(tmp_path / "x.backup")]) == 1
    error = one_line_error(capsys)
    assert "cannot reach the database" in error
    assert "hidden" not in error
    assert list(tmp_path.iterdir()) == []


def test_backup_file_is_whole_while_the_database_is_written(
    sqlite_pair: tuple[Settings, Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many backups while a writer commits rows in big transactions: each copy passes
    `PRAGMA integrity_check` and holds whole transactions only."""
    source, _ = sqlite_pair
    database = sqlite_file(source)
    stop = threading.Event()

    def writer() -> None:
        with closing(sqlite3.connect(database, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS drill (batch INTEGER, n INTEGER)")
            batch = 0
            while not stop.is_set():
                batch += 1
                connection.executemany(
                    "INSERT INTO drill VALUES (?, ?)", [(batch, n) for n in range(500)]
                )
                connection.commit()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        time.sleep(0.2)
        for number in range(5):
            target = tmp_path / f"copy{number}.backup"
            assert minyi(monkeypatch, source, "backup", str(target)) == 0
            assert execute(target, "PRAGMA integrity_check") == [("ok",)]
            sizes = execute(target, "SELECT count(*) FROM drill GROUP BY batch")
            assert {size for (size,) in sizes} <= {500}, "a half-copied transaction"
            assert not Path(f"{target}-wal").exists()
    finally:
        stop.set()
        thread.join(timeout=30)
