"""Load and fault test: tablets uploading interviews to a real `minyi serve`.

Interviews go one per request to `/api/capi/interviews` (bearer token of a demo enumerator),
as the tablet app sends them; each is retried with the same UUID on errors and timeouts, and
now and then an acknowledged one is sent again (a duplicate). `--rate N` starts N interviews a
second whatever the server's pace (open loop: the figure to hold a throughput and latency
target against); `--concurrency N` runs N tablets that each wait for their last answer.
Optionally the server is killed with SIGKILL mid-load and restarted, and `minyi backup` is
taken during the load and restored with `minyi restore`. Afterwards the database must hold
every acknowledged interview exactly once, nothing it never acknowledged half-written, and the
restored backup every interview acknowledged before the backup began, each whole, and nothing
unknown.

    python bench/load.py --database postgresql://postgres@127.0.0.1:5432/minyi_load \
        --workers 2 --seconds 60 --rate 300 [--kill-after 20] [--backup]

The database is emptied, migrated and loaded with the demo city first.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey_app.accounts.tokens import issue_token
from survey_app.collection.storage import content_hash
from survey_app.db.engine import make_engine
from survey_app.models import Assignment, Response, ResponseMode, User
from survey_app.models.accounts import Role
from survey_app.settings import Settings, normalise_database_url

ROOT = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT = 10.0
CONNECTION_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)
DUPLICATE_SHARE = 0.05
"""The share of interviews a tablet sends twice (an answer lost on the way back)."""


@dataclass(frozen=True, slots=True)
class Job:
    """One interview an enumerator may upload: a valid answer set for his assignment."""

    token: str
    assignment_id: int
    version_id: int
    answers: dict[str, Any]


@dataclass
class Tally:
    acknowledged: dict[str, float] = field(default_factory=dict)
    """Interview UUID → when it was first acknowledged (monotonic seconds)."""
    attempted: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    """When each latency ended (monotonic seconds), for the tail over time."""
    requests: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    """Failed attempts by kind (an HTTP status or the client's exception)."""
    duplicates_sent: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def minyi(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "survey_app.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


class Server:
    """`minyi serve` in its own process group, so SIGKILL takes its workers too."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.env, self.port, self.workers, self.log_path = env, port, workers, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "survey_app.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not come up; see {self.log_path}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


async def prepare(settings: Settings) -> list[Job]:
    """Tokens for the demo enumerators and, for each, the demo's completed answer sets."""
    engine = make_engine(settings)
    jobs: list[Job] = []
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        enumerators = list(await db.scalars(select(User).where(User.role == Role.ENUMERATOR)))
        for user in enumerators:
            _, token = await issue_token(db, user, "load test")
            rows = await db.execute(
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
            )
            jobs.extend(Job(token, a, v, answers) for a, v, answers in rows.all())
    await engine.dispose()
    return jobs


class Connection:
    """One tablet's keep-alive HTTP/1.1 connection, written on asyncio streams.

    The load generator shares the server's two cores, so it must cost little per request: a
    general client (httpx) spends more CPU per upload than the server's own request parsing.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post_json(self, path: str, body: bytes, token: str) -> tuple[int, bytes] | str:
        """Status and body, or what went wrong (the connection is then closed).

        A kept-alive connection the server has meanwhile closed fails before any answer; the
        request then goes again at once on a new connection, as HTTP clients do."""
        for fresh in (self.streams is None, True):
            try:
                return await asyncio.wait_for(self._exchange(path, body, token), REQUEST_TIMEOUT)
            except CONNECTION_ERRORS as error:
                self.close()
                stale = isinstance(error, asyncio.IncompleteReadError) and not error.partial
                if fresh or not stale:
                    return type(error).__name__
        raise AssertionError("unreachable: the second try is always on a fresh connection")

    async def _exchange(self, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        head = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"authorization: Bearer {token}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            self.close()
        return status, content

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def interview_body(job: Job, device: str, interview_uuid: str) -> bytes:
    return msgspec.json.encode(
        {
            "device_id": device,
            "interviews": [
                {
                    "uuid": interview_uuid,
                    "assignment_id": job.assignment_id,
                    "questionnaire_version_id": job.version_id,
                    "disposition": "1.1",
                    "answers": job.answers,
                    "paradata": {"duration_seconds": 300},
                }
            ],
        }
    )


async def upload(
    connection: Connection,
    job: Job,
    tally: Tally,
    rng: random.Random,
    *,
    device: str,
    since: float | None = None,
) -> None:
    """One new interview, now and then sent twice (a duplicate), each send retried until
    acknowledged; latency runs from `since` (its scheduled time) when given."""
    interview_uuid = str(uuid.uuid4())
    tally.attempted.add(interview_uuid)
    body = interview_body(job, device, interview_uuid)
    sends = 2 if rng.random() < DUPLICATE_SHARE else 1
    tally.duplicates_sent += sends - 1
    for send in range(sends):
        await _deliver(
            connection, job.token, body, interview_uuid, tally, since if send == 0 else None
        )


async def tablet(
    connection: Connection, jobs: list[Job], tally: Tally, until: float, rng: random.Random
) -> None:
    """A closed loop: the next interview goes when the last one is acknowledged."""
    while time.monotonic() < until:
        await upload(connection, rng.choice(jobs), tally, rng, device=f"load-{id(rng)}")
    connection.close()


async def paced(
    port: int, jobs: list[Job], tally: Tally, *, rate: float, until: float, rng: random.Random
) -> None:
    """An open loop: interviews start `rate` times a second whatever the server's pace, each
    on an idle connection or a new one, so a slow server shows as latency, not as a lower
    offered load (no coordinated omission)."""
    idle: list[Connection] = []

    async def one(job: Job, scheduled: float) -> None:
        connection = idle.pop() if idle else Connection("127.0.0.1", port)
        await upload(connection, job, tally, rng, device="paced", since=scheduled)
        idle.append(connection)

    started, count = time.monotonic(), 0
    running: set[asyncio.Task[None]] = set()
    while (scheduled := started + count / rate) < until:
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        task = asyncio.create_task(one(rng.choice(jobs), scheduled))
        running.add(task)
        task.add_done_callback(running.discard)
        count += 1
    await asyncio.gather(*running)
    for connection in idle:
        connection.close()


async def _deliver(
    connection: Connection,
    token: str,
    body: bytes,
    interview_uuid: str,
    tally: Tally,
    since: float | None,
) -> None:
    for attempt in range(40):
        started = time.monotonic() if since is None else since
        answer = await connection.post_json("/api/capi/interviews", body, token)
        tally.requests += 1
        if not isinstance(answer, str) and answer[0] == 200:
            tally.finished.append(time.monotonic())
            tally.latencies.append(tally.finished[-1] - started)
            status = msgspec.json.decode(answer[1])["results"][0]["status"]
            if status not in ("stored", "duplicate"):
                raise RuntimeError(f"interview {interview_uuid} came back {status}: {answer[1]!r}")
            tally.acknowledged.setdefault(interview_uuid, tally.finished[-1])
            return
        tally.failures[answer if isinstance(answer, str) else f"HTTP {answer[0]}"] += 1
        await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
    raise RuntimeError(f"interview {interview_uuid} was never acknowledged")


async def run_load(
    port: int, jobs: list[Job], *, seconds: float, concurrency: int, rate: float, seed: int
) -> tuple[Tally, float]:
    """`rate` interviews a second (open loop), or `concurrency` tablets (closed loop)."""
    tally = Tally()
    start = time.monotonic()
    until = start + seconds
    if rate:
        await paced(port, jobs, tally, rate=rate, until=until, rng=random.Random(seed))
    else:
        await asyncio.gather(
            *(
                tablet(Connection("127.0.0.1", port), jobs, tally, until, random.Random(seed + i))
                for i in range(concurrency)
            )
        )
    return tally, time.monotonic() - start


async def stored_interviews(settings: Settings) -> dict[str, bool]:
    """Client UUID → whether the stored row is whole (its hash matches its content)."""
    engine = make_engine(settings)
    async with AsyncSession(engine) as db:
        rows = await db.execute(
            select(
                Response.client_uuid, Response.answers, Response.disposition, Response.content_hash
            ).where(Response.paradata["duration_seconds"].as_float() == 300)
        )
        found = {str(u): content_hash(a, d) == h for u, a, d, h in rows.all()}
        duplicates = await db.scalar(
            text(
                "SELECT count(*) FROM (SELECT client_uuid FROM responses GROUP BY client_uuid "
                "HAVING count(*) > 1) AS d"
            )
        )
    await engine.dispose()
    if duplicates:
        raise AssertionError(f"{duplicates} client UUIDs are stored more than once")
    return found


def check_exactly_once(tally: Tally, stored: dict[str, bool]) -> dict[str, int]:
    """Every acknowledged interview stored once and whole; nothing stored that was never sent."""
    lost = tally.acknowledged.keys() - stored.keys()
    phantom = set(stored) - tally.attempted
    broken = [u for u, whole in stored.items() if not whole]
    if lost or phantom or broken:
        raise AssertionError(
            f"lost {len(lost)}, phantom {len(phantom)}, half-written {len(broken)}"
        )
    return {
        "acknowledged": len(tally.acknowledged),
        "stored": len(stored),
        "lost": 0,
        "duplicated": 0,
        "unacknowledged_but_stored": len(stored.keys() - tally.acknowledged.keys()),
    }


def check_backup(tally: Tally, in_copy: dict[str, bool], began: float) -> dict[str, int]:
    """The restored backup holds every interview acknowledged before the backup began (at
    `began`, monotonic seconds), each whole, and nothing that was never sent."""
    before = {u for u, at in tally.acknowledged.items() if at < began}
    missing = before - in_copy.keys()
    unknown = in_copy.keys() - tally.attempted
    broken = [u for u, whole in in_copy.items() if not whole]
    if missing or unknown or broken:
        raise AssertionError(
            f"the backup misses {len(missing)} of the {len(before)} interviews acknowledged "
            f"before it began, holds {len(unknown)} unknown and {len(broken)} half-written"
        )
    return {"backup_interviews": len(in_copy), "acknowledged_before_backup": len(before)}


def backup(settings: Settings, target: Path) -> Settings:
    """`minyi backup` of the live database while it is being written, then `minyi restore`
    of it into a fresh database; returns settings for the restored copy."""
    plain = make_url(settings.database_url).set(
        drivername="sqlite" if settings.is_sqlite else "postgresql"
    )
    archive = target.with_suffix(".backup")
    minyi("backup", "--force", str(archive), env=_environment(plain))
    if settings.is_sqlite:
        copy = plain.set(database=str(target.with_suffix(".db")))
        target.with_suffix(".db").unlink(missing_ok=True)
    else:
        copy = plain.set(database=f"{plain.database}_restored")
        _psql(copy, f"DROP DATABASE IF EXISTS {copy.database}")
        _psql(copy, f"CREATE DATABASE {copy.database}")
    minyi("restore", str(archive), env=_environment(copy))
    return Settings(database_url=normalise_database_url(copy.render_as_string(hide_password=False)))


def _environment(url: URL) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "PYTHONPATH": str(ROOT),
    }


def settle(url: URL) -> None:
    """After the bulk load, what a DBA runs before opening a database: statistics for the
    planner (fresh tables have none) and a checkpoint, so neither lands in the measured run."""
    for command in ("VACUUM ANALYZE", "CHECKPOINT"):
        _psql(url, command, database=str(url.database))


def _psql(url: URL, command: str, database: str = "postgres") -> None:
    """Run `command` on `url`'s server, in its `postgres` database unless told otherwise."""
    connection = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    subprocess.run(
        ["psql", *connection, "-U", url.username or "postgres", "-d", database, "-qc", command],
        check=True,
    )


def drop_copy(copy: Settings) -> None:
    """Remove a restored PostgreSQL copy (a SQLite copy is a file in the work directory)."""
    if not copy.is_sqlite:
        url = make_url(copy.database_url)
        _psql(url, f"DROP DATABASE IF EXISTS {url.database} WITH (FORCE)")


def cpu_seconds(*, group: int | None = None, command: str | None = None) -> float:
    """CPU time (user + system) of the processes in process `group` or named `command`, with
    that of their children that have exited (Linux).

    Taken before and after the load, the difference is what the server (or PostgreSQL) spent:
    a figure that other work on the machine does not inflate the way it inflates latency. A
    process that exits in between (a PostgreSQL backend, an autovacuum worker) moves its time
    to its parent's count of exited children, so it is neither lost nor counted twice.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if (group is not None and int(fields[2]) == group) or name == command:
            total += sum(int(count) for count in fields[11:15])  # utime stime cutime cstime
    return total / ticks


def p99_over_time(tally: Tally, seconds: float = 10) -> list[float]:
    """The 99th percentile of the latencies that ended in each `seconds` of the run."""
    if not tally.finished:
        return []
    start = min(tally.finished)
    buckets: dict[int, list[float]] = {}
    for ended, latency in zip(tally.finished, tally.latencies, strict=True):
        buckets.setdefault(int((ended - start) // seconds), []).append(latency)
    return [round(1000 * percentile(buckets[b], 0.99), 1) for b in sorted(buckets)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=normalise_database_url(args.database))
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "LOG_LEVEL": "WARNING",
        "MINYI_SECRET_KEY": secrets.token_urlsafe(48),
        "PYTHONPATH": str(ROOT),
    }
    minyi("db", "downgrade", "base", env=env)
    minyi("db", "upgrade", env=env)
    minyi("demo", "load", env=env)
    if not settings.is_sqlite:
        settle(make_url(args.database))
    jobs = asyncio.run(prepare(settings))
    server = Server(env, free_port(), args.workers, workdir / "server.log")
    server.start()
    events: list[str] = []

    async def take_backup() -> tuple[Settings, float]:
        await asyncio.sleep(args.seconds / 2)
        began = time.monotonic()
        copy = await asyncio.to_thread(backup, settings, workdir / "backup")
        events.append(f"backup taken during load at {args.seconds / 2:.0f} s")
        return copy, began

    async def kill_and_restart() -> None:
        await asyncio.sleep(args.kill_after)
        await asyncio.to_thread(server.kill)
        events.append(f"server killed (SIGKILL) at {args.kill_after:.0f} s")
        await asyncio.to_thread(server.start)
        events.append("server restarted")

    async def scenario() -> tuple[Tally, float, tuple[Settings, float] | None]:
        load = asyncio.create_task(
            run_load(
                server.port,
                jobs,
                seconds=args.seconds,
                concurrency=args.concurrency,
                rate=args.rate,
                seed=args.seed,
            )
        )
        copying = asyncio.create_task(take_backup()) if args.backup else None
        killing = asyncio.create_task(kill_and_restart()) if args.kill_after else None
        tally, elapsed = await load
        if killing is not None:
            await killing
        return tally, elapsed, (await copying if copying is not None else None)

    warm, _ = asyncio.run(
        run_load(
            server.port,
            jobs,
            seconds=args.warmup,
            concurrency=args.concurrency,
            rate=args.rate,
            seed=args.seed + 1000,
        )
    )
    gc.collect()
    gc.freeze()
    gc.disable()  # the generator's own collections would show up as server latency
    assert server.process is not None
    server_cpu = cpu_seconds(group=server.process.pid)
    database_cpu = cpu_seconds(command="postgres")
    client_cpu = time.process_time()
    try:
        tally, elapsed, copied = asyncio.run(scenario())
        assert server.process is not None
        server_cpu = cpu_seconds(group=server.process.pid) - server_cpu
        database_cpu = cpu_seconds(command="postgres") - database_cpu
        client_cpu = time.process_time() - client_cpu
    finally:
        gc.enable()
        server.stop()
    uploads = max(1, len(tally.acknowledged))
    everything = Tally(
        acknowledged=tally.acknowledged | warm.acknowledged,
        attempted=tally.attempted | warm.attempted,
    )
    result: dict[str, Any] = {
        "database": settings.redacted_database_url().split("://")[0],
        "workers": args.workers,
        "concurrency": args.concurrency if not args.rate else None,
        "offered_per_second": args.rate or None,
        "seconds": round(elapsed, 1),
        "acknowledged_per_second": round(len(tally.acknowledged) / elapsed, 1),
        "requests": tally.requests,
        "failed_attempts": dict(tally.failures),
        "duplicates_sent": tally.duplicates_sent,
        "latency_p50_ms": round(1000 * statistics.median(tally.latencies), 1),
        "latency_p99_ms": round(1000 * percentile(tally.latencies, 0.99), 1),
        "latency_p99_ms_each_10_s": p99_over_time(tally),
        "server_cpu_ms_per_upload": (
            None if args.kill_after else round(1000 * server_cpu / uploads, 2)
        ),  # a killed server's processes take their CPU count with them
        "postgres_cpu_ms_per_upload": round(1000 * database_cpu / uploads, 2),
        "load_generator_cpu_ms_per_upload": round(1000 * client_cpu / uploads, 2),
        "events": events,
        "warmup_interviews": len(warm.acknowledged),
        "check": check_exactly_once(everything, asyncio.run(stored_interviews(settings))),
    }
    if copied is not None:
        copy, began = copied
        result.update(check_backup(everything, asyncio.run(stored_interviews(copy)), began))
        drop_copy(copy)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a database to empty")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=48, help="tablets (closed loop)")
    parser.add_argument("--rate", type=float, default=0, help="interviews a second (open loop)")
    parser.add_argument("--kill-after", type=float, default=0, help="SIGKILL the server after N s")
    parser.add_argument("--backup", action="store_true", help="take a backup during the load")
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="seconds of the same load first, not measured (connection pools, caches and "
        "compiled statements fill up); its interviews count in the exactly-once check",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default="var/load")
    print(json.dumps(run(parser.parse_args()), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
