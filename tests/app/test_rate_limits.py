"""Rate limits on the public endpoints: 429 with Retry-After, counts shared through the store."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.app import create_app
from survey_app.db.engine import make_engine
from survey_app.errors import ConfigurationError
from survey_app.i18n import translations
from survey_app.models import RateLimitCounter, Role
from survey_app.ratelimits import plugin
from survey_app.ratelimits.counters import KEEP_SECONDS, DatabaseCounter
from survey_app.ratelimits.rules import LOGIN, OPENROSA, RESIDENT, counter_key, kind_of
from survey_app.settings import RateLimits, Settings
from tests.conftest import run_with_session

REDIS_TEST_URL = os.environ.get("MINYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NOW = 1_800_000_015.0
"""15 s into a one-minute window: a refusal says to retry after 45 s."""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugin, "clock", lambda: NOW)


def limited(settings: Settings, **limits: int) -> Settings:
    return msgspec.structs.replace(
        settings, rate_limits=RateLimits(**limits), secret_key=f"test-{uuid.uuid4()}"
    )


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: {error}")
    yield REDIS_TEST_URL
    client.close()


def failed_login(client: TestClient[Litestar], html: bool = False) -> int:
    answer = client.post(
        "/login",
        data={"username": "nobody", "password": "wrong"},
        headers={"accept": "text/html"} if html else {},
    )
    return answer.status_code


def counter_rows(settings: Settings) -> int:
    async def count(db: AsyncSession) -> int:
        return int(await db.scalar(select(func.count()).select_from(RateLimitCounter)) or 0)

    return run_with_session(settings, count)


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/login", LOGIN),
        ("POST", "/login/", LOGIN),
        ("GET", "/login", None),
        ("POST", "/logout", None),
        ("POST", "/s/city-2026", RESIDENT),
        ("POST", "/s/city-2026/r/token/page2", RESIDENT),
        ("GET", "/s/city-2026", None),
        ("POST", "/openrosa/submission", OPENROSA),
        ("HEAD", "/openrosa/submission", OPENROSA),
        ("GET", "/openrosa/formList", OPENROSA),
        ("POST", "/api/capi/interviews", None),
        ("POST", "/admin/surveys", None),
    ],
)
def test_which_requests_are_limited(method: str, path: str, kind: object) -> None:
    assert kind_of(method, path) is kind


def scope(address: str, authorization: bytes = b"") -> Any:
    """The parts of an ASGI scope a counter key is made from."""
    return {"client": (address, 5000), "headers": [(b"authorization", authorization)]}


def test_counter_keys_hash_the_address_and_separate_kinds_and_enumerators() -> None:
    key = counter_key("secret", LOGIN, scope("203.0.113.9"))
    assert key.startswith("login:")
    assert "203.0.113.9" not in key
    assert len(key) <= 64
    assert key == counter_key("secret", LOGIN, scope("203.0.113.9"))
    assert key != counter_key("secret", LOGIN, scope("203.0.113.10"))
    assert key != counter_key("secret", RESIDENT, scope("203.0.113.9"))
    assert key != counter_key("other secret", LOGIN, scope("203.0.113.9"))
    by_address = counter_key("s", OPENROSA, scope("203.0.113.9"))
    enum01 = counter_key("s", OPENROSA, scope("203.0.113.9", b"Basic ZW51bTAxOng="))
    enum02 = counter_key("s", OPENROSA, scope("203.0.113.9", b"Basic ZW51bTAyOng="))
    assert len({by_address, enum01, enum02}) == 3
    assert counter_key("s", OPENROSA, scope("203.0.113.9", b"Basic %%%")) == by_address


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"MINYI_RATE_LIMIT_LOGIN": "many"}, "MINYI_RATE_LIMIT_LOGIN must be a whole number"),
        ({"MINYI_RATE_LIMIT_RESIDENT": "-5"}, "MINYI_RATE_LIMIT_RESIDENT must be a whole"),
        ({"REDIS_URL": "http://user:pw@cache:6379"}, "REDIS_URL must look like redis://"),
    ],
)
def test_bad_limit_settings_are_clear_errors(environ: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says) as error:
        Settings.from_env(environ)
    assert "pw" not in error.value.message


def test_limit_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "MINYI_RATE_LIMIT_LOGIN": "5",
            "MINYI_RATE_LIMIT_OPENROSA": "0",
            "REDIS_URL": "redis://:s3cret@cache:6379/2",
        }
    )
    assert settings.rate_limits == RateLimits(login=5, resident=600, openrosa=0)
    assert settings.redacted_redis_url() == "redis://:***@cache:6379/2"
    assert Settings.from_env({}).rate_limits == RateLimits()
    assert Settings.from_env({}).redis_url == ""


@pytest.mark.db
def test_a_login_burst_over_the_limit_gets_429_with_retry_after(
    clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = limited(clean_settings, login=3)
    with TestClient(app=create_app(settings)) as client:
        assert [failed_login(client) for _ in range(3)] == [403, 403, 403]  # no CSRF token
        refused = client.post("/login", data={}, headers={"accept": "application/json"})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"
        assert refused.json()["message"] == LOGIN.message
        page = client.post("/login", data={}, headers={"accept": "text/html"})
        assert page.status_code == 429
        assert page.headers["retry-after"] == "45"
        assert translations("zh_CN").gettext(LOGIN.message) in page.text
        assert "<html" in page.text
        monkeypatch.setattr(plugin, "clock", lambda: NOW + 60)
        assert failed_login(client) == 403, "a new minute starts a new count"
    assert counter_rows(settings) == 1


@pytest.mark.db
def test_resident_posts_are_limited_per_address(clean_settings: Settings) -> None:
    settings = limited(clean_settings, resident=2)
    with TestClient(app=create_app(settings)) as client:
        statuses = [client.post("/s/no-such-survey", data={}).status_code for _ in range(3)]
        assert statuses[:2] != [429, 429]
        assert statuses[2] == 429
        assert client.get("/s/no-such-survey").status_code != 429, "GETs are not limited"


@pytest.mark.db
def test_openrosa_is_limited_per_enumerator(clean_settings: Settings) -> None:
    async def enumerators(db: AsyncSession) -> None:
        for name in ("ena", "enb"):
            await create_user(db, username=name, password="field-pass-2026", role=Role.ENUMERATOR)
        await db.commit()

    run_with_session(clean_settings, enumerators)
    settings = limited(clean_settings, openrosa=2)
    with TestClient(app=create_app(settings)) as client:
        ena = ("ena", "field-pass-2026")
        assert [client.head("/openrosa/submission", auth=ena).status_code for _ in range(2)] == [
            204,
            204,
        ]
        refused = client.post("/openrosa/submission", auth=ena)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"
        assert refused.headers["x-openrosa-version"] == "1.0"
        assert "<OpenRosaResponse" in refused.text
        other = client.head("/openrosa/submission", auth=("enb", "field-pass-2026"))
        assert other.status_code == 204, "another enumerator on the same network is not refused"


@pytest.mark.db
def test_zero_turns_a_limit_off_and_the_tablet_sync_is_never_counted(
    clean_settings: Settings,
) -> None:
    settings = limited(clean_settings, login=0, resident=1, openrosa=1)
    with TestClient(app=create_app(settings)) as client:
        assert 429 not in [failed_login(client) for _ in range(5)]
        for _ in range(5):
            assert client.post("/api/capi/interviews", json={}).status_code != 429
    assert counter_rows(settings) == 0, "unlimited requests write no counter"


@pytest.mark.db
def test_two_app_servers_sharing_the_database_share_the_count(clean_settings: Settings) -> None:
    settings = limited(clean_settings, login=4)
    with (
        TestClient(app=create_app(settings)) as first,
        TestClient(app=create_app(settings)) as second,
    ):
        statuses = [failed_login(client) for client in (first, second, first, second)]
        assert 429 not in statuses
        assert failed_login(first) == 429
        assert failed_login(second) == 429


def test_two_app_servers_sharing_redis_share_the_count(
    clean_settings: Settings, redis_url: str
) -> None:
    settings = msgspec.structs.replace(limited(clean_settings, login=4), redis_url=redis_url)
    with (
        TestClient(app=create_app(settings)) as first,
        TestClient(app=create_app(settings)) as second,
    ):
        statuses = [failed_login(client) for client in (first, second, first, second)]
        assert 429 not in statuses
        refused = first.post("/login", data={})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"
        assert failed_login(second) == 429
    assert counter_rows(settings) == 0, "with Redis nothing is counted in the database"
    with redis.Redis.from_url(redis_url) as store:
        keys = store.keys("minyi:ratelimit:login:*")
    assert keys
    assert all(b"testclient" not in key for key in keys)


def test_an_unreachable_redis_serves_requests_unlimited(
    clean_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = msgspec.structs.replace(
        limited(clean_settings, login=1), redis_url="redis://127.0.0.1:1/0"
    )
    with TestClient(app=create_app(settings)) as client:
        assert [failed_login(client) for _ in range(3)] == [403, 403, 403]
    assert capsys.readouterr().err.count("rate-limit counters unavailable") == 1


@pytest.mark.db
def test_database_counter_counts_per_window_and_sweeps_old_rows(clean_settings: Settings) -> None:
    window = int(NOW) - int(NOW) % 60

    async def run() -> tuple[list[tuple[int, int]], list[str]]:
        engine = make_engine(clean_settings)
        counter = DatabaseCounter(engine)
        try:
            await counter.hit("login:old", window - KEEP_SECONDS - 60)
            hits = [
                await counter.hit("login:now", window),
                await counter.hit("login:now", window),
                await counter.hit("login:now", window - 60),
                await counter.hit("login:now", window + 60),
            ]
            counter.next_sweep = 0
            hits.append(await counter.hit("login:now", window + 60))
            async with AsyncSession(engine) as db:
                keys = list(await db.scalars(select(RateLimitCounter.key)))
            return hits, keys
        finally:
            await engine.dispose()

    hits, keys = asyncio.run(run())
    assert hits == [
        (1, window),
        (2, window),
        (3, window),  # a late request of the previous minute counts in the current one
        (1, window + 60),
        (2, window + 60),
    ]
    assert keys == ["login:now"], "the sweep deleted the counter of an hour ago"
