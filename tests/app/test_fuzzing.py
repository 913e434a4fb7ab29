"""Schemathesis against the app's own OpenAPI document: every API operation, called by a user
whose role may call it, answers without a server error, without a stack trace, and as the
document says (status codes, media types, headers, bodies); a request it refuses (4xx) leaves
the database as it was."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from litestar import Litestar
from schemathesis import Case
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.app import create_app
from survey_app.models import Base, Role, User
from survey_app.settings import Settings, normalise_database_url
from tests.app.snapshots import Snapshots
from tests.app.test_capi import PASSWORD, make_fieldwork
from tests.app.test_hostile_inputs import assert_no_stack_trace
from tests.conftest import empty_all_tables, run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 8
"""Generated requests per operation in the fuzzing phase, on top of the schema's examples and
boundary cases; derandomized on top of the profile loaded in tests/conftest.py, so every run
sends the same requests (about 20 s for the module on two cores)."""
NOT_CHECKED = [positive_data_acceptance]
"""Rules the document cannot state (a template that exists, a slug not yet taken, a readable
XLSForm or XForm instance) refuse some schema-valid requests with a documented 4xx, so whether
schema-valid data is accepted is not checked; every other check is."""

WRITTEN_WHEN_REFUSED = {"rate_limit_counters"}
"""Tables a refused request may write to: the rate limiter counts every OpenRosa request,
refused or not. Every other table of the app is watched."""
IGNORED_COLUMNS = ["api_tokens.last_used_at"]
"""Written by authentication, before the request is judged (at most once a minute per token)."""

_DOCUMENT_ONLY = Settings(
    database_url=normalise_database_url(
        f"sqlite:///{Path(tempfile.gettempdir()) / 'minyi-openapi-never-opened.db'}"
    )
)
"""The OpenAPI document does not depend on the database; this app never opens one. The schema
is loaded at import (one test per operation) because `schemathesis.pytest.from_fixture` does
not run on pytest 9 (it sets the node's `_nodeid`, which pytest no longer has)."""
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(_DOCUMENT_ONLY))


@dataclass(frozen=True)
class Caller:
    """The app on the test database, per path prefix who calls it, and snapshots of the
    tables it writes to."""

    app: Litestar
    authorization: dict[str, str]
    snapshots: Snapshots

    def headers_for(self, path: str) -> dict[str, str]:
        for prefix, value in self.authorization.items():
            if path.startswith(prefix):
                return {"authorization": value}
        return {}


@pytest.fixture(scope="module")
def caller(settings: Settings) -> Iterator[Caller]:
    """Survey builders call `/api/surveys`, enumerator "ena" (with assignments) the tablet API
    and OpenRosa; one database for the module, emptied before and after."""
    empty_all_tables(settings)
    make_fieldwork(settings)

    async def tokens(db: AsyncSession) -> tuple[str, str]:
        admin = await create_user(db, username="fuzz-admin", password=PASSWORD, role=Role.ADMIN)
        await db.commit()
        enumerator = await db.scalar(select(User).where(User.username == "ena"))
        assert enumerator is not None
        return (await issue_token(db, admin, "fuzz"))[1], (
            await issue_token(db, enumerator, "fuzz")
        )[1]

    builder, enumerator = run_with_session(settings, tokens)
    basic = base64.b64encode(f"ena:{PASSWORD}".encode()).decode()
    watched = [t.name for t in Base.metadata.sorted_tables if t.name not in WRITTEN_WHEN_REFUSED]
    with Snapshots(settings, watched, ignored=IGNORED_COLUMNS) as snapshots:
        yield Caller(
            create_app(settings),
            {
                "/api/surveys": f"Bearer {builder}",
                "/api/capi/": f"Bearer {enumerator}",
                "/openrosa/": f"Basic {basic}",
            },
            snapshots,
        )
    empty_all_tables(settings)


def call_and_check(case: Case, caller: Caller) -> None:
    headers = caller.headers_for(case.operation.path)
    before = caller.snapshots.take()
    response = case.call(headers=headers, app=caller.app)
    case.validate_response(response, headers=headers, excluded_checks=NOT_CHECKED)
    assert_no_stack_trace(response.content)
    if response.status_code >= 400:
        assert caller.snapshots.take() == before, f"refused with {response.status_code}"


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True)
def test_every_api_operation(case: Case, caller: Caller) -> None:
    call_and_check(case, caller)


@schema.include(path_regex=r"\{slug\}").parametrize()
@hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True)
def test_every_operation_on_a_survey_that_exists(case: Case, caller: Caller) -> None:
    """The same with the survey of the fieldwork (`s1`): bodies and parameters reach the
    services instead of stopping at "there is no survey"."""
    case.path_parameters = {**(case.path_parameters or {}), "slug": "s1"}
    call_and_check(case, caller)
