"""A sync during which the server dies: after a restart the retry stores every interview once."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.test_capi_app import (
    TABLET,
    queue,
    record_outcome,
    responses_of,
    stored,
    wait_idle,
)


class Server:
    """`minyi serve` on a copy of the demo database, which a test may kill and start again."""

    def __init__(self, database: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.database = database
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.database}", "LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail("the copied server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def own_server(
    live_server: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    [live] = tmp_path_factory.getbasetemp().glob("live[0-9]*/minyi.db")
    copy = tmp_path / "minyi.db"
    with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    server = Server(copy)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


def test_killing_the_server_mid_sync_loses_and_doubles_nothing(
    own_server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{own_server.base}/enumerator")
    page.fill("#username", "enum03")
    page.fill("#password", "minyi-enumerator")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{own_server.base}/enumerator")
    wait_idle(page)
    before = responses_of(own_server.database, "enum03")
    context.set_offline(True)
    for row, code in ((0, "2.20"), (1, "2.11"), (2, "2.33")):
        record_outcome(page, row, code)
    uuids = queue(page, "pending")
    assert len(uuids) == 3

    calls: list[int] = []

    def kill_after_the_first(route: Route) -> None:
        calls.append(1)
        if len(calls) == 2:
            own_server.kill()
        route.continue_()

    page.route("**/api/capi/interviews", kill_after_the_first)
    context.set_offline(False)  # the app syncs by itself when the network returns
    page.wait_for_selector("#notice:has-text('无法连接服务器')")
    wait_idle(page)
    assert len(queue(page, "sent")) == 1
    assert len(stored(own_server.database, uuids)) == 1

    own_server.start()
    page.unroute("**/api/capi/interviews")
    page.click("#sync-now")
    expect(page.locator("#queue-items li[data-status=sent]")).to_have_count(3, timeout=30_000)
    rows = stored(own_server.database, uuids)
    assert sorted(row[1] for row in rows) == ["2.11", "2.20", "2.33"]
    assert responses_of(own_server.database, "enum03") == before + 3
    context.close()
