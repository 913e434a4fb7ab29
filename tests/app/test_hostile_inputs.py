"""Hostile inputs at every door: the resident's web form, the tablet sync API and OpenRosa
(submission and form list), fed from the corpus in `tests/data/hostile/`.

Every case answers without a stack trace. A refused request gets a 4xx and leaves every table
a response can reach exactly as it was. Injection strings are valid answers: they are stored
as the literal text and the pages that show them escape them.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.templates import load_template
from questionnaires.xform_submission import write_submission
from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token, revoke_token
from survey_app.app import MAX_REQUEST_BYTES, create_app
from survey_app.collection.controllers import MAX_PAGE_BYTES
from survey_app.http_errors import EXCEPTION_HANDLERS
from survey_app.models import PartialResponse, QuestionnaireVersion, Response, Role, Survey, User
from survey_app.openrosa.services import INSTANCE_NAMESPACE
from survey_app.settings import Settings
from tests.app.snapshots import Snapshots
from tests.app.test_capi import PASSWORD, Fieldwork, complete_answers, make_fieldwork
from tests.app.test_resident_pages import SLUG, Resident, add_survey, hidden
from tests.conftest import empty_all_tables, run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"
INJECTIONS = [
    line for line in (CORPUS / "injections.txt").read_text(encoding="utf-8").splitlines() if line
]
ENTITY_PROLOGS = sorted((CORPUS / "xml").glob("*.xml"))
BROKEN_XML = sorted((CORPUS / "broken_xml").glob("*.xml"))
DEPTH = 100_000
OVERSIZED = MAX_REQUEST_BYTES + 1024
FORM = load_template("civilized_city_resident").questionnaire
INVITATION = "hostile-door"
WATCHED_TABLES = (
    "responses",
    "response_conflicts",
    "response_revisions",
    "review_events",
    "partial_responses",
    "invitations",
)
"""Every table a submission, an interview or a resident's page can write to."""
STACK_TRACE = re.compile(r"Traceback|File \"|\b[A-Z][A-Za-z]*(?:Error|Exception)\b")
"""What a stack trace leaves in a body: its header, its frames, exception class names."""


def assert_no_stack_trace(body: bytes) -> None:
    found = STACK_TRACE.search(body.decode("utf-8", "replace"))
    assert found is None, f"stack trace text {found.group()!r} in {body[:300]!r}"


@dataclass
class World:
    settings: Settings
    client: TestClient[Litestar]
    snapshots: Snapshots
    """Of `WATCHED_TABLES`."""
    fieldwork: Fieldwork
    tokens: dict[str, str]
    """Bearer tokens: "ena" and "enb" (enumerators), "sup" (their supervisor), "admin",
    "revoked" (ena's, revoked)."""
    secret_text: Path
    secret_dtd: Path
    other_version_id: int
    """A questionnaire version of the residents' survey, in which ena has no assignment."""

    def bearer(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module")
def world(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Fieldwork (survey "s1", enumerators "ena", "enb", "enc", supervisor "sup"), the
    residents' survey "city" with an invitation good for many questionnaires, and tokens."""
    empty_all_tables(settings)
    fieldwork = make_fieldwork(settings)
    add_survey(settings, tokens={INVITATION: (10_000, None)})

    async def tokens(db: AsyncSession) -> tuple[dict[str, str], int]:
        await create_user(db, username="admin", password=PASSWORD, role=Role.ADMIN)
        await db.commit()
        made = {}
        for name in ("ena", "enb", "sup", "admin"):
            user = await db.scalar(select(User).where(User.username == name))
            assert user is not None
            made[name] = (await issue_token(db, user, "hostile inputs"))[1]
        ena = await db.scalar(select(User).where(User.username == "ena"))
        assert ena is not None
        revoked, made["revoked"] = await issue_token(db, ena, "revoked")
        await revoke_token(db, ena, revoked.id)
        other = await db.scalar(
            select(QuestionnaireVersion.id)
            .join(Survey, Survey.id == QuestionnaireVersion.survey_id)
            .where(Survey.slug == SLUG)
        )
        assert other is not None
        return made, other

    made, other_version = run_with_session(settings, tokens)
    folder = tmp_path_factory.mktemp("hostile")
    secret_text = folder / "secret.txt"
    secret_text.write_text("SECRET-FILE-CONTENT", encoding="utf-8")
    secret_dtd = folder / "secret.dtd"
    secret_dtd.write_text('<!ENTITY payload "SECRET-DTD-CONTENT">', encoding="utf-8")
    with (
        TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client,
        Snapshots(settings, WATCHED_TABLES) as snapshots,
    ):
        yield World(
            settings, client, snapshots, fieldwork, made, secret_text, secret_dtd, other_version
        )
    empty_all_tables(settings)


def assert_refused(
    world: World, send: Callable[[], httpx.Response], statuses: tuple[int, ...]
) -> httpx.Response:
    """`send` is answered with one of `statuses` (all 4xx), no stack trace, nothing stored."""
    before = world.snapshots.take()
    answer = send()
    assert answer.status_code in statuses, (answer.status_code, answer.text[:300])
    assert all(400 <= status < 500 for status in statuses)
    assert_no_stack_trace(answer.content)
    assert world.snapshots.take() == before
    return answer


def stored_response(world: World, **where: Any) -> Response:
    async def work(db: AsyncSession) -> Response:
        found = await db.scalar(
            select(Response).where(*(getattr(Response, k) == v for k, v in where.items()))
        )
        assert found is not None, where
        return found

    return run_with_session(world.settings, work)


def stored_by_answer(world: World, suggestion: str) -> Response:
    async def work(db: AsyncSession) -> Response:
        rows = await db.scalars(select(Response).order_by(Response.id.desc()))
        return next(r for r in rows if r.answers.get("suggestions") == suggestion)

    return run_with_session(world.settings, work)


def shows_escaped(world: World, response_id: int, answer: str) -> None:
    """The supervisor's page for the response shows the answer as text, escaped."""
    page = world.client.get(
        f"/review/{response_id}", headers={**world.bearer("admin"), "accept": "text/html"}
    )
    assert page.status_code == 200
    assert str(escape(answer)) in page.text
    if escape(answer) != answer:
        assert answer not in page.text


# ---------------------------------------------------------------- the tablet sync API


def interview(world: World, **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "assignment_id": world.fieldwork.c1,
        "questionnaire_version_id": world.fieldwork.version_id,
        "disposition": "1.1",
        "answers": complete_answers(),
        "paradata": {"started_at": "2026-11-20T09:00:00+00:00"},
    }
    item.update(changes)
    return item


def sync(world: World, body: bytes | Any, who: str = "ena") -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return world.client.post(
        "/api/capi/interviews",
        content=content,
        headers={**world.bearer(who), "content-type": "application/json"},
    )


def nested(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


SYNC_BODIES: dict[str, Any] = json.loads((CORPUS / "sync_bodies.json").read_text("utf-8"))
"""JSON bodies of wrong types, shapes and values; `{"$interview": {...}}` stands for a valid
interview of ena's with those fields changed."""
SYNC_RAW: dict[str, Callable[[World], bytes]] = {
    "over the request limit": lambda w: b'{"device_id": "' + b"x" * OVERSIZED + b'"}',
    "array nested 100k deep": lambda w: b"[" * DEPTH + b"]" * DEPTH,
    "answers nested 100k deep": lambda w: (
        json.dumps({"interviews": [interview(w, answers={"x": 0})]})
        .replace('{"x": 0}', nested(DEPTH))
        .encode()
    ),
    "paradata nested 100k deep": lambda w: (
        json.dumps({"interviews": [interview(w, paradata={"x": 0})]})
        .replace('{"x": 0}', nested(DEPTH))
        .encode()
    ),
    "bytes that are not UTF-8": lambda w: b'{"device_id": "tab\xff\xfelet", "interviews": []}',
    "not JSON": lambda w: b"interviews=1",
    "empty body": lambda w: b"",
    "JSON then garbage": lambda w: b'{"interviews": []} trailing',
    "a number too large for a float": lambda w: (
        json.dumps({"interviews": [interview(w)]}).replace('"age": 35', '"age": 1e999').encode()
    ),
}
"""Bodies that are not JSON, or too large or deep to keep as a file."""


def materialize(value: Any, world: World) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$interview"}:
            return interview(world, **value["$interview"])
        return {key: materialize(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [materialize(item, world) for item in value]
    return value


@pytest.mark.parametrize("case", SYNC_BODIES)
def test_the_sync_api_refuses_a_body_of_the_wrong_shape(world: World, case: str) -> None:
    body = materialize(SYNC_BODIES[case], world)
    assert_refused(world, lambda: sync(world, body), (400,))


@pytest.mark.parametrize("case", SYNC_RAW)
def test_the_sync_api_refuses_a_body_it_cannot_read(world: World, case: str) -> None:
    assert_refused(world, lambda: sync(world, SYNC_RAW[case](world)), (400, 413))


@pytest.mark.parametrize(
    ("who", "status"),
    [("sup", 403), ("admin", 403), ("revoked", 401), ("forged", 401), ("anonymous", 401)],
)
def test_the_sync_api_refuses_tokens_that_are_not_an_enumerators(
    world: World, who: str, status: int
) -> None:
    headers = {"content-type": "application/json"}
    if who == "forged":
        headers["authorization"] = "Bearer minyi_" + "A" * 43
    elif who != "anonymous":
        headers.update(world.bearer(who))
    body = json.dumps({"interviews": [interview(world)]})
    assert_refused(
        world,
        lambda: world.client.post("/api/capi/interviews", content=body, headers=headers),
        (status,),
    )


def injected_item(field: str, value: str, world: World) -> dict[str, Any]:
    return interview(world, **{field: value})


SYNC_ITEM_REFUSED: dict[str, Callable[[World], dict[str, Any]]] = {
    "another enumerator's assignment": lambda w: interview(w, assignment_id=w.fieldwork.other),
    "an assignment that does not exist": lambda w: interview(w, assignment_id=2**31 - 1),
    "a version of another survey": lambda w: interview(
        w, questionnaire_version_id=w.other_version_id
    ),
    **{f"injection as the uuid: {s}": partial(injected_item, "uuid", s) for s in INJECTIONS},
    **{
        f"injection as the disposition: {s}": partial(injected_item, "disposition", s)
        for s in INJECTIONS[:4]
    },
}


@pytest.mark.parametrize("case", SYNC_ITEM_REFUSED)
def test_the_sync_api_refuses_an_interview_it_cannot_take(world: World, case: str) -> None:
    """The batch is answered (other interviews are not held back); this one is "invalid"."""
    item = SYNC_ITEM_REFUSED[case](world)
    before = world.snapshots.take()
    answer = sync(world, {"interviews": [item]})
    assert answer.status_code == 200
    assert_no_stack_trace(answer.content)
    assert [r["status"] for r in answer.json()["results"]] == ["invalid"]
    assert world.snapshots.take() == before


def test_a_token_of_another_enumerator_cannot_upload_for_ena(world: World) -> None:
    """enb's own token, ena's assignment: refused like any assignment not enb's."""
    before = world.snapshots.take()
    answer = sync(world, {"interviews": [interview(world)]}, who="enb")
    assert_no_stack_trace(answer.content)
    assert [r["status"] for r in answer.json()["results"]] == ["invalid"]
    assert world.snapshots.take() == before


@pytest.mark.parametrize("injection", INJECTIONS)
def test_the_sync_api_stores_an_injection_as_the_literal_answer(
    world: World, injection: str
) -> None:
    item = interview(world, answers=complete_answers(suggestions=injection))
    answer = sync(world, {"device_id": injection, "interviews": [item]})
    assert answer.status_code == 200
    assert_no_stack_trace(answer.content)
    assert [r["status"] for r in answer.json()["results"]] == ["stored"]
    response = stored_response(world, client_uuid=uuid.UUID(item["uuid"]))
    assert response.answers["suggestions"] == injection
    assert response.paradata["device_id"] == injection
    shows_escaped(world, response.id, injection)


# ---------------------------------------------------------------- OpenRosa


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    pair = f"{username}:{password}".encode()
    return {"authorization": "Basic " + base64.b64encode(pair).decode()}


ENA = basic("ena")


def instance(instance_id: str | None = None, **changes: Any) -> bytes:
    """A valid submission of the fieldwork's form, as ODK Collect would send it."""
    return write_submission(
        FORM, complete_answers(**changes), instance_id or f"uuid:{uuid.uuid4()}"
    )


def submit(world: World, xml: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return world.client.post(
        "/openrosa/submission",
        files={"xml_submission_file": ("submission.xml", xml, "text/xml")},
        headers=ENA if headers is None else headers,
    )


def with_prolog(prolog: Path, world: World) -> bytes:
    """The prolog (XML declaration and DOCTYPE) before a submission answering `&payload;`."""
    head = (
        prolog.read_text(encoding="utf-8")
        .replace("{secret_text_url}", world.secret_text.as_uri())
        .replace("{secret_dtd_url}", world.secret_dtd.as_uri())
    )
    body = instance(suggestions="PAYLOAD").decode().split("?>", 1)[1]
    return (head + body.replace("PAYLOAD", "&payload;")).encode()


def as_utf16(document: bytes) -> bytes:
    """The same document in UTF-16 with a byte-order mark, its declaration saying so."""
    return document.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def quadratic_blowup(world: World) -> bytes:
    """One 50 kB entity referenced 2,000 times: 100 MB if expanded, no nesting needed."""
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE data [<!ENTITY payload "{"x" * 50_000}">]>'
    body = instance(suggestions="PAYLOAD").decode().split("?>", 1)[1]
    return (prolog + body.replace("PAYLOAD", "&payload;" * 2_000)).encode()


def utf16_with_prolog(prolog: Path, world: World) -> bytes:
    return as_utf16(with_prolog(prolog, world))


ENTITY_CASES: dict[str, Callable[[World], bytes]] = {
    **{p.stem: partial(with_prolog, p) for p in ENTITY_PROLOGS},
    **{f"{p.stem} in UTF-16": partial(utf16_with_prolog, p) for p in ENTITY_PROLOGS},
    "quadratic blow-up": quadratic_blowup,
}


@pytest.mark.parametrize("case", ENTITY_CASES)
def test_openrosa_refuses_a_doctype_without_expanding_or_reading_anything(
    world: World, case: str
) -> None:
    document = ENTITY_CASES[case](world)
    started = time.monotonic()
    answer = assert_refused(world, lambda: submit(world, document), (400,))
    assert time.monotonic() - started < 5
    assert "DOCTYPE" in answer.text
    for secret in ("SECRET-FILE-CONTENT", "SECRET-DTD-CONTENT", "lollol", "expanded"):
        assert secret not in answer.text


def broken(path: Path) -> bytes:
    return (
        path.read_text(encoding="utf-8")
        .replace("{form_id}", FORM.id)
        .replace("{version}", FORM.version)
        .replace("{instance_id}", f"uuid:{uuid.uuid4()}")
        .encode()
    )


def submit_broken(path: Path, world: World) -> httpx.Response:
    return submit(world, broken(path))


def submit_as(username: str, world: World) -> httpx.Response:
    return submit(world, instance(), basic(username))


SUBMISSION_REFUSED: dict[str, tuple[Callable[[World], httpx.Response], tuple[int, ...]]] = {
    **{f"broken XML: {p.stem}": (partial(submit_broken, p), (400,)) for p in BROKEN_XML},
    "over the request limit": (lambda w: submit(w, b"<data>" + b"x" * OVERSIZED), (413,)),
    "elements nested 100k deep": (
        lambda w: submit(
            w,
            f'<data id="{FORM.id}" version="{FORM.version}">'.encode()
            + b"<a>" * DEPTH
            + b"</a>" * DEPTH
            + b"</data>",
        ),
        (400,),
    ),
    "bytes that are not UTF-8": (
        lambda w: submit(w, instance(suggestions="SEE").replace(b"SEE", b"\xff\xfe\xfd")),
        (400,),
    ),
    "the XML as the body, not multipart": (
        lambda w: w.client.post(
            "/openrosa/submission",
            content=instance(),
            headers={**ENA, "content-type": "text/xml"},
        ),
        (400,),
    ),
    "JSON instead of a form": (
        lambda w: w.client.post(
            "/openrosa/submission", json={"xml_submission_file": "x"}, headers=ENA
        ),
        (400,),
    ),
    "the XML as a text field": (
        lambda w: w.client.post(
            "/openrosa/submission",
            data={"xml_submission_file": instance().decode()},
            headers=ENA,
        ),
        (400,),
    ),
    "an attachment and no XML": (
        lambda w: w.client.post(
            "/openrosa/submission", files={"photo.jpg": ("photo.jpg", b"\xff\xd8")}, headers=ENA
        ),
        (400,),
    ),
    "an empty XML file": (lambda w: submit(w, b""), (400,)),
    "a multipart body without its boundary": (
        lambda w: w.client.post(
            "/openrosa/submission",
            content=b'--x\r\nContent-Disposition: form-data; name="xml_submission_file"',
            headers={**ENA, "content-type": "multipart/form-data"},
        ),
        (400,),
    ),
    "a supervisor's credentials": (lambda w: submit(w, instance(), basic("sup")), (401,)),
    "the wrong password": (lambda w: submit(w, instance(), basic("ena", "guess")), (401,)),
    "NUL in the username": (lambda w: submit(w, instance(), basic("e\x00na")), (401,)),
    "credentials that are not base64": (
        lambda w: submit(w, instance(), {"authorization": "Basic %%%"}),
        (401,),
    ),
    "credentials that are not UTF-8": (
        lambda w: submit(
            w, instance(), {"authorization": "Basic " + base64.b64encode(b"\xff:\xfe").decode()}
        ),
        (401,),
    ),
    "a bearer token instead of credentials": (
        lambda w: submit(w, instance(), w.bearer("ena")),
        (401,),
    ),
    **{f"injection as the username: {s}": (partial(submit_as, s), (401,)) for s in INJECTIONS},
}


@pytest.mark.parametrize("case", SUBMISSION_REFUSED)
def test_openrosa_refuses_a_submission(world: World, case: str) -> None:
    send, statuses = SUBMISSION_REFUSED[case]
    answer = assert_refused(world, lambda: send(world), statuses)
    assert answer.headers["x-openrosa-version"] == "1.0"
    assert "OpenRosaResponse" in answer.text


@pytest.mark.parametrize("injection", INJECTIONS)
def test_openrosa_stores_an_injection_as_the_literal_answer(world: World, injection: str) -> None:
    answer = submit(world, instance(suggestions=injection))
    assert answer.status_code == 201, answer.text
    assert_no_stack_trace(answer.content)
    found = stored_by_answer(world, injection)
    assert found.answers["suggestions"] == injection
    shows_escaped(world, found.id, injection)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_openrosa_takes_an_injection_as_the_instance_id_as_an_opaque_name(
    world: World, injection: str
) -> None:
    answer = submit(world, instance(injection))
    assert answer.status_code == 201, answer.text
    assert_no_stack_trace(answer.content)
    stored_response(world, client_uuid=uuid.uuid5(INSTANCE_NAMESPACE, injection))


FORM_LIST: dict[str, tuple[str, dict[str, str], int]] = {
    **{f"injection as formID: {s}": ("?formID=" + quote(s, safe=""), ENA, 200) for s in INJECTIONS},
    "NUL as formID": ("?formID=%00", ENA, 200),
    "bytes that are not UTF-8 as formID": ("?formID=%FF%FE", ENA, 200),
    "a huge formID": ("?formID=" + "x" * 60_000, ENA, 200),
    "no credentials": ("", {}, 401),
    "a supervisor's credentials": ("", basic("sup"), 401),
    "NUL in the username": ("", basic("e\x00na"), 401),
    "credentials that are not base64": ("", {"authorization": "Basic ===="}, 401),
    "a huge authorization header": ("", {"authorization": "Basic " + "QQ" * 50_000}, 401),
    **{f"injection as the username: {s}": ("", basic(s), 401) for s in INJECTIONS[:8]},
}


@pytest.mark.parametrize("case", FORM_LIST)
def test_the_form_list_lists_nothing_for_hostile_input(world: World, case: str) -> None:
    query, headers, status = FORM_LIST[case]
    before = world.snapshots.take()
    answer = world.client.get("/openrosa/formList" + query, headers=headers)
    assert answer.status_code == status, answer.text[:300]
    assert_no_stack_trace(answer.content)
    assert answer.headers["x-openrosa-version"] == "1.0"
    assert ("<xforms" in answer.text) == (status == 200)
    assert "<formID>" not in answer.text
    assert world.snapshots.take() == before


def test_the_form_list_lists_the_form_to_its_enumerator(world: World) -> None:
    """The control for the test above: without hostile input the form is listed."""
    assert world.client.get("/openrosa/formList", headers=ENA).text.count("<formID>") == 1


def test_the_form_list_never_reads_a_body_over_the_request_limit(world: World) -> None:
    before = world.snapshots.take()
    answer = world.client.request(
        "GET", "/openrosa/formList", content=b"x" * OVERSIZED, headers=ENA
    )
    assert answer.status_code == 200
    assert_no_stack_trace(answer.content)
    assert world.snapshots.take() == before


# ---------------------------------------------------------------- the resident's web form


@pytest.fixture
def resident(world: World) -> Resident:
    """A resident on the first page of a new questionnaire (the invitation starts one each
    time it is opened: it may answer many times)."""
    walker = Resident(world.client)
    assert walker.open(f"/s/{SLUG}/i/{INVITATION}").status_code == 200
    return walker


def form_action(resident: Resident) -> str:
    found = re.search(r'<form method="post" action="([^"]+)" class="survey"', resident.page)
    assert found
    return found.group(1)


def form_post(
    resident: Resident, content: bytes, content_type: str, path: str | None = None
) -> httpx.Response:
    return resident.client.post(
        path or form_action(resident),
        content=content,
        headers={
            "accept": "text/html",
            "content-type": content_type,
            "x-csrftoken": hidden(resident.page, "_csrf_token"),
        },
        follow_redirects=False,
    )


def urlencoded(resident: Resident, fields: str) -> bytes:
    token = hidden(resident.page, "_csrf_token")
    return f"_csrf_token={token}&action=next&{fields}".encode()


def post_to_resume_token(token: str, resident: Resident) -> httpx.Response:
    return form_post(
        resident,
        urlencoded(resident, "q.consent=agree"),
        "application/x-www-form-urlencoded",
        f"/s/{SLUG}/r/{quote(token, safe='')}/consent_page",
    )


WEB_REFUSED: dict[str, tuple[Callable[[Resident], httpx.Response], tuple[int, ...]]] = {
    "over the page limit": (
        lambda r: r.post({"q.consent": "agree", "padding": "x" * MAX_PAGE_BYTES}),
        (413,),
    ),
    "over the request limit": (
        lambda r: r.post({"q.consent": "agree", "padding": "x" * OVERSIZED}),
        (413,),
    ),
    "NUL in an answer": (lambda r: r.post({"q.consent": "agr\x00ee"}), (400,)),
    "NUL in a field name": (lambda r: r.post({"q.\x00": "agree"}), (400,)),
    "percent-encoded bytes that are not UTF-8": (
        lambda r: form_post(
            r, urlencoded(r, "q.consent=%FF%FE"), "application/x-www-form-urlencoded"
        ),
        (400,),
    ),
    "raw bytes that are not UTF-8": (
        lambda r: form_post(
            r, urlencoded(r, "q.consent=") + b"\xff\xfe", "application/x-www-form-urlencoded"
        ),
        (400,),
    ),
    "a file where text belongs": (
        lambda r: r.client.post(
            form_action(r),
            data={"_csrf_token": hidden(r.page, "_csrf_token"), "action": "next"},
            files={"q.consent": ("agree.txt", b"agree", "text/plain")},
            headers={"accept": "text/html"},
            follow_redirects=False,
        ),
        (400,),
    ),
    "JSON nested 100k deep instead of a form": (
        lambda r: form_post(r, b"[" * DEPTH + b"]" * DEPTH, "application/json"),
        (415,),
    ),
    "no CSRF token": (
        lambda r: r.client.post(
            form_action(r),
            data={"q.consent": "agree", "action": "next"},
            headers={"accept": "text/html"},
            follow_redirects=False,
        ),
        (403,),
    ),
    "NUL in the resume token": (partial(post_to_resume_token, "\x00"), (400, 404)),
    "a forged resume token": (
        lambda r: form_post(
            r,
            urlencoded(r, "q.consent=agree"),
            "application/x-www-form-urlencoded",
            f"/s/{SLUG}/r/{'A' * 32}/consent_page",
        ),
        (404,),
    ),
    "the resume token under another survey": (
        lambda r: form_post(
            r,
            urlencoded(r, "q.consent=agree"),
            "application/x-www-form-urlencoded",
            form_action(r).replace(f"/s/{SLUG}/", "/s/s1/"),
        ),
        (404,),
    ),
    **{
        f"injection as the resume token: {s}": (partial(post_to_resume_token, s), (404,))
        for s in INJECTIONS
    },
}


@pytest.mark.parametrize("case", WEB_REFUSED)
def test_the_web_form_refuses(world: World, resident: Resident, case: str) -> None:
    send, statuses = WEB_REFUSED[case]
    assert_refused(world, lambda: send(resident), statuses)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_the_web_form_keeps_an_injection_as_typed_and_shows_it_escaped(
    world: World, resident: Resident, injection: str
) -> None:
    resident.answer_all()
    saved = resident.post({"q.suggestions": injection}, action="save")
    assert saved.status_code == 200
    assert_no_stack_trace(saved.content)

    async def partial_answer(db: AsyncSession) -> Any:
        token = resident.url.split("/saved/")[1]
        row = await db.scalar(select(PartialResponse).where(PartialResponse.resume_token == token))
        assert row is not None
        return row.answers["suggestions"]

    assert run_with_session(world.settings, partial_answer) == injection
    page = resident.open(resident.url.replace("/saved/", "/r/") + "/closing")
    assert str(escape(injection)) in page.text
    if escape(injection) != injection:
        assert injection not in page.text
    done = resident.post({"q.suggestions": injection})
    assert done.status_code == 200
    assert_no_stack_trace(done.content)
    assert stored_by_answer(world, injection).mode.value == "web"


# ---------------------------------------------------------------- the last line of defence


class _DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _refusal(message: str, sqlstate: str | None, cause: Exception | None = None) -> DBAPIError:
    original = _DriverError(message, sqlstate)
    original.__cause__ = cause
    return DBAPIError("SELECT 1", {}, original)


@get("/data-exception")
async def _data_exception() -> None:
    raise _refusal('invalid byte sequence for encoding "UTF8": 0x00', "22021")


@get("/argument-out-of-range")
async def _argument_out_of_range() -> None:
    raise _refusal("value out of int32 range", None, ValueError("out of range"))


@get("/unique-violation")
async def _unique_violation() -> None:
    raise _refusal("duplicate key value violates unique constraint", "23505")


@get("/sqlite-integer")
async def _sqlite_integer() -> None:
    raise OverflowError("Python int too large to convert to SQLite INTEGER")


@get("/other-overflow")
async def _other_overflow() -> None:
    raise OverflowError("math range error")


def test_a_value_the_database_refuses_is_a_client_error_and_nothing_else_is() -> None:
    """What slips past the checks at the doors (a NUL in a path, an id out of range) and is
    refused by PostgreSQL or SQLite's driver is a 400 with a message; other errors stay 500s."""
    app = Litestar(
        [
            _data_exception,
            _argument_out_of_range,
            _unique_violation,
            _sqlite_integer,
            _other_overflow,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    with TestClient(app=app) as client:
        for path in ("/data-exception", "/argument-out-of-range", "/sqlite-integer"):
            answer = client.get(path)
            assert answer.status_code == 400
            assert "cannot be stored" in answer.json()["message"]
            assert_no_stack_trace(answer.content)
        for path in ("/unique-violation", "/other-overflow"):
            failure = client.get(path)
            assert failure.status_code == 500
            assert_no_stack_trace(failure.content)


def test_an_id_past_64_bits_in_a_path_is_a_client_error(world: World) -> None:
    """On SQLite the driver refuses it, on PostgreSQL the database does."""
    answer = world.client.get(
        f"/review/{2**63}", headers={**world.bearer("admin"), "accept": "application/json"}
    )
    assert answer.status_code == 400
    assert_no_stack_trace(answer.content)
