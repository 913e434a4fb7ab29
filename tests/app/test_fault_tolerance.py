"""Killing the server mid-load loses and doubles nothing (bench/load.py, short run).

Tablets upload with retries and duplicate UUIDs to a real `minyi serve`; the server is killed
with SIGKILL and restarted during the load, and a backup is taken while it runs. Every
acknowledged interview must be stored exactly once and whole in the database, and every one
acknowledged before the backup began must be in the restored backup, whole.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import make_url

from survey_app.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("minyi_load", ROOT / "bench" / "load.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_kill_and_restart_mid_load_keeps_every_acknowledged_interview_once(
    settings: Settings, tmp_path: Path
) -> None:
    if not settings.is_sqlite and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is needed for the backup during load")
    harness = _load_harness()
    url = make_url(settings.database_url)
    plain_url = url.set(drivername="sqlite" if settings.is_sqlite else "postgresql")
    result = harness.run(
        argparse.Namespace(
            database=plain_url.render_as_string(hide_password=False),
            workers=1,
            seconds=8.0,
            concurrency=8,
            rate=0,
            warmup=1.0,
            kill_after=3.0,
            backup=True,
            seed=11,
            workdir=str(tmp_path),
        )
    )
    killed, restarted = "server killed (SIGKILL) at 3 s", "server restarted"
    assert set(result["events"]) == {killed, restarted, "backup taken during load at 4 s"}
    assert result["events"].index(killed) < result["events"].index(restarted)
    assert result["check"]["lost"] == 0
    assert result["check"]["duplicated"] == 0
    assert result["check"]["acknowledged"] > 0
    assert sum(result["failed_attempts"].values()) > 0, "the kill should have interrupted uploads"
    assert 0 < result["acknowledged_before_backup"] <= result["backup_interviews"]
    assert result["backup_interviews"] <= result["check"]["stored"]
