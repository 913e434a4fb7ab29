"""No export or report carries a direct identifier by default; location stays coarse.

The demo city gets a questionnaire version that asks for every identifier the model can hold:
the respondent's name and phone (text questions `name` and `phone`), the community typed as an
address (a text question `community`), and free text holding a phone number. Interviews with
distinctive values arrive the ways a live survey receives them: two personal web invitations
whose contact details (SMS number, e-mail) are on file, the open link (with a telling browser
signature), the tablet app (GPS at full precision, a device serial) and ODK Collect (a device
IMEI). The analyst then weights with the page's defaults (and once with every domain, so
communities are ranked), downloads every report and export the app offers, reads the analysis
pages, and runs the `report` and `export` verbs. None of it may hold a distinctive value.

The rules proved here:

- Exports and reports hold no name, phone number, e-mail, address, device id, IP or browser
  signature (nor their keyed hashes); text questions are left out unless asked for.
- Free text (where a resident may write a phone number) is dropped from every default export;
  only an administrator may ask for it (`?text=true`): an analyst is refused with a 403, and
  both the refusal and the administrator's export are written to the audit log.
- Location: no coordinates in any export or report; a place is at most a frame community, and a
  place typed as text never becomes one. GPS is opt-in on the tablet and stored to two decimals
  (0.01°, about 1 km).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Group, Question, Questionnaire
from questionnaires.xform_submission import write_submission
from questionnaires.xlsform_export import write_xlsform
from questionnaires.xlsform_import import read_xlsform
from survey_app.analysis.estimation import DOMAIN_VARIABLES
from survey_app.app import create_app
from survey_app.cli import main
from survey_app.demo.loader import load_demo
from survey_app.demo.responses import DEMO_SURVEY_SLUG
from survey_app.models import (
    AuditEvent,
    FrameUnit,
    Invitation,
    InvitationContact,
    PartialResponse,
    Response,
    ResponseMode,
    UnitLevel,
    User,
)
from survey_app.reports.microdata import MAX_NAME
from survey_app.settings import Settings
from tests.app.test_analysis_support import DEMO_SEED
from tests.app.test_resident_pages import Resident
from tests.app.web import api_token, csrf_token, sign_in
from tests.conftest import empty_all_tables, run_with_session

pytestmark = [pytest.mark.db, pytest.mark.slow]

NAME = "张三丰测试"
PHONE = "13912345678"
TEXT_PHONE = "13812349876"
"""A mainland mobile number a resident writes into a free-text answer."""
EMAIL = "zhangsanfeng.test@example.com"
ADDRESS = "幸福里小区3栋502室"
LATITUDE, LONGITUDE = 31.234567, 121.476543
TABLET = "tablet-SN-7788123"
IMEI = "imei:356938035643809"
BROWSER = "Mozilla/5.0 (Linux; Android 13; ZSF-Probe-4471) Mobile"
IDENTIFIERS = (
    NAME,
    PHONE,
    TEXT_PHONE,
    EMAIL,
    ADDRESS,
    "31.234567",
    "121.476543",
    TABLET,
    IMEI,
    "ZSF-Probe-4471",
)
COORDINATE = re.compile(r"(?<![\d.])(?:31\.23|121\.4[78])")
"""The tablet's latitude or longitude, at full precision or rounded to 0.01°."""
ENUMERATOR = ("enum01", "minyi-enumerator")
HTML = {"accept": "text/html"}
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
BASE_VARIABLES = {
    "case_id",
    "sample",
    "mode",
    "district",
    "street",
    "community",
    "stratum",
    "psu",
    "design_weight",
    "weight",
}


@dataclass
class Seeded:
    settings: Settings
    questionnaire: Questionnaire
    version_id: int
    """The stored questionnaire version asking for the identifiers."""
    runs: tuple[int, int]
    """The default weighting run, and one estimating every domain (communities ranked too)."""
    hashes: tuple[str, ...]
    """The keyed hashes of the web respondents' IP address and device cookie."""
    community_names: frozenset[str]
    users: dict[str, int]
    outputs: dict[str, str] = field(default_factory=dict)
    """Every default download, page and file, by name, as text."""
    csv_columns: dict[str, set[str]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading every format as text


def pdf_text(body: bytes, folder: Path) -> str:
    path = folder / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(body)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(text) > 1000, "the PDF has no text to search"
    return text + "\n" + info


def workbook_text(body: bytes) -> str:
    """Every sheet name, cell, comment and document property; then every part of the file."""
    book = load_workbook(io.BytesIO(body))
    parts: list[str] = list(book.sheetnames)
    properties = book.properties
    parts += [
        str(getattr(properties, key) or "")
        for key in ("title", "subject", "creator", "keywords", "description", "lastModifiedBy")
    ]
    parts += list(book.defined_names)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    parts.append(str(cell.value))
                if cell.comment is not None:
                    parts.append(cell.comment.text)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return "\n".join(parts)


def statistical_text(body: bytes, kind: str, folder: Path) -> tuple[str, set[str]]:
    """Variable names and labels, value labels, file label and notes, every value (numbers as
    Python writes them), and the raw file; with the variable names."""
    pyreadstat = pytest.importorskip("pyreadstat", reason="pyreadstat exports SPSS and Stata")
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    path.write_bytes(body)
    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), output_format="dict")
    parts = [str(meta.file_label or ""), *(meta.notes or []), str(meta.table_name or "")]
    parts += meta.column_names
    parts += [str(label or "") for label in meta.column_labels]
    for labels in meta.variable_value_labels.values():
        parts += [f"{code}={label}" for code, label in labels.items()]
    for values in frame.values():
        parts += [repr(v) for v in values]
    parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts), set(meta.column_names)


def bundle_text(body: bytes, folder: Path) -> tuple[dict[str, str], set[str]]:
    """Each file of an export bundle as text, and the columns of its data file."""
    texts: dict[str, str] = {}
    columns: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            kind = name.rsplit(".", 1)[-1]
            if kind in ("sav", "dta"):
                texts[name], found = statistical_text(data, kind, folder)
                columns |= found
            else:
                texts[name] = data.decode("utf-8-sig")
                if kind == "csv" and not name.endswith("-codebook.csv"):
                    columns |= set(next(csv.reader(io.StringIO(texts[name]))))
    assert texts, "the bundle is empty"
    return texts, columns


def leaks(outputs: dict[str, str]) -> list[tuple[str, str]]:
    """(output, value) for every distinctive identifier found, whitespace ignored (PDF text
    breaks lines inside words)."""
    found = []
    for name, text in outputs.items():
        flat = re.sub(r"\s+", "", text)
        found += [(name, value) for value in IDENTIFIERS if value in text or value in flat]
    return found


def listed(found: list[tuple[str, str]]) -> str:
    return "found in the outputs:\n" + "\n".join(f"  {name}: {value}" for name, value in found)


# ---------------------------------------------------------------- collecting the interviews


def with_identifiers(form: Questionnaire) -> Questionnaire:
    """`form` asking the community as typed text, and the respondent's name and phone."""
    typed_community = Question(
        type="text",
        name="community",
        label={
            "zh": "您住在哪个小区（请写明楼栋门牌）？",
            "en": "Where do you live (estate, flat)?",
        },
        required="true()",
    )
    contact = Group(
        name="contact_page",
        label={"zh": "联系方式", "en": "Contact"},
        children=(
            Question(type="text", name="name", label={"zh": "您的姓名", "en": "Your name"}),
            Question(type="text", name="phone", label={"zh": "联系电话", "en": "Phone number"}),
        ),
    )

    def rebuilt(items: tuple[Any, ...]) -> tuple[Any, ...]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, Question) and item.name == "community":
                out.append(typed_community)
            elif isinstance(item, Group):
                out.append(msgspec.structs.replace(item, children=rebuilt(item.children)))
                if item.name == "demographics":
                    out.append(contact)
            else:
                out.append(item)
        return tuple(out)

    return msgspec.structs.replace(
        form,
        version=f"{form.version}-id",
        items=rebuilt(form.items),
        choice_lists=tuple(c for c in form.choice_lists if c.name != "community"),
    )


def opinions(district: str, street: str) -> dict[str, Any]:
    """A complete, eligible interview holding every identifier (as the form's answers)."""
    return {
        "consent": "agree",
        "resident_6m": "yes",
        "age": 35,
        "sex": "female",
        "district": district,
        "street": street,
        "community": ADDRESS,
        "name": NAME,
        "phone": PHONE,
        "aware": "know",
        "aware_channels": ["tv"],
        "support": "support",
        "participated": "participated",
        "volunteer_support": "support",
        "satisfaction": "dissatisfied",
        "dissatisfaction_reason": f"物业不管，有事打我电话{TEXT_PHONE}",
        "living_environment": "satisfied",
        "security": "safe",
        "education_satisfaction": "satisfied",
        "government_services_satisfaction": "neutral",
        "suggestions": f"请{NAME}的家人回电 {TEXT_PHONE}，邮箱 {EMAIL}",
    }


def answer_on_the_web(client: TestClient[Litestar], start: str, answers: dict[str, Any]) -> None:
    """A resident's browser from `start` to the thank-you page, answering what each page asks."""
    resident = Resident(client)
    assert resident.open(start).status_code == 200
    for _ in range(30):
        if 'class="survey"' not in resident.page:
            break
        names = re.findall(r'(?:name="q\.|data-q=")([a-z_0-9]+)"', resident.page)
        fields = {f"q.{n}": answers[n] for n in names if n in answers}
        fields = {k: v if isinstance(v, list) else str(v) for k, v in fields.items()}
        assert resident.post(fields).status_code == 200, resident.url
    assert 'class="survey"' not in resident.page, "the questionnaire did not finish"


def frame_places(settings: Settings, invitation_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(district code, street code) of each invitation's community."""

    async def work(db: AsyncSession) -> dict[int, tuple[str, str]]:
        units = {u.id: u for u in await db.scalars(select(FrameUnit))}
        places = {}
        for invitation in await db.scalars(
            select(Invitation).where(Invitation.id.in_(invitation_ids))
        ):
            assert invitation.unit_id is not None
            street = units[units[invitation.unit_id].parent_id or 0]
            district = units[street.parent_id or 0]
            places[invitation.id] = (district.code, street.code)
        return places

    return run_with_session(settings, work)


def invitations_with_contacts(settings: Settings) -> list[tuple[int, str]]:
    """Two unused demo invitations, given an SMS number and an e-mail address."""

    async def work(db: AsyncSession) -> list[tuple[int, str]]:
        rows = list(
            await db.scalars(
                select(Invitation)
                .where(Invitation.uses_left > 0, Invitation.unit_id.is_not(None))
                .order_by(Invitation.id)
                .limit(2)
            )
        )
        assert len(rows) == 2
        db.add(InvitationContact(invitation_id=rows[0].id, channel="sms", address=PHONE))
        db.add(InvitationContact(invitation_id=rows[1].id, channel="email", address=EMAIL))
        await db.commit()
        return [(r.id, r.token) for r in rows]

    return run_with_session(settings, work)


def run_weighting(client: TestClient[Litestar], fields: dict[str, Any]) -> int:
    token = csrf_token(client, f"/analysis/weighting?survey={DEMO_SURVEY_SLUG}")
    answer = client.post(
        "/analysis/weighting",
        data={"_csrf_token": token, "survey": DEMO_SURVEY_SLUG, **fields},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text
    found = re.search(r"run=(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def download(client: TestClient[Litestar], path: str) -> httpx.Response:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.text[:300])
    return answer


def add_identifying_version(app: Litestar) -> tuple[Questionnaire, int]:
    """The analyst downloads the survey's XLSForm, adds the identifying questions, uploads it."""
    with TestClient(app=app, base_url="http://127.0.0.1") as analyst:
        sign_in(analyst, "analyst", "minyi-analyst")
        current = download(
            analyst, f"/api/surveys/{DEMO_SURVEY_SLUG}/questionnaire?format=xlsform"
        ).content
        form = with_identifiers(read_xlsform(current))
        added = analyst.post(
            f"/api/surveys/{DEMO_SURVEY_SLUG}/versions",
            files={"file": ("identifying.xlsx", write_xlsform(form), "application/octet-stream")},
            headers=api_token(analyst),
        )
        assert added.status_code in (200, 201), added.text
        return form, int(added.json()["id"])


def interview_in_the_field(app: Litestar, form: Questionnaire) -> None:
    """Enumerator enum01 sends one interview from the tablet app (GPS to six decimals) and one
    from ODK Collect (with the device's IMEI)."""
    with TestClient(app=app, base_url="http://127.0.0.1") as tablet:
        sign_in(tablet, *ENUMERATOR)
        start = download(tablet, "/api/capi/bootstrap").json()
        assignment = start["assignments"][0]
        answers = opinions(assignment["district"]["code"], assignment["street"]["code"])
        interview = {
            "uuid": str(uuid.uuid4()),
            "assignment_id": assignment["id"],
            "questionnaire_version_id": start["questionnaires"][str(assignment["wave_id"])][
                "version_id"
            ],
            "disposition": "1.1",
            "answers": answers,
            "paradata": {
                "started_at": "2026-11-20T09:00:00+00:00",
                "ended_at": "2026-11-20T09:12:00+00:00",
                "duration_seconds": 720.0,
                "gps_consent": True,
                "gps": {"latitude": LATITUDE, "longitude": LONGITUDE},
            },
        }
        sent = tablet.post(
            "/api/capi/interviews", json={"device_id": TABLET, "interviews": [interview]}
        )
        assert sent.status_code == 200, sent.text
        assert [r["status"] for r in sent.json()["results"]] == ["stored"], sent.text
        instance = write_submission(form, {**answers, "deviceid": IMEI}, f"uuid:{uuid.uuid4()}")
        collect = tablet.post(
            "/openrosa/submission",
            files={"xml_submission_file": ("submission.xml", instance, "text/xml")},
            auth=ENUMERATOR,
            headers={"X-OpenRosa-Version": "1.0"},
        )
        assert collect.status_code == 201, collect.text


def seed(settings: Settings, app: Litestar) -> Seeded:
    """The demo city, the identifying version, five interviews holding every identifier (two
    invited, one open-link, one tablet, one ODK Collect) and two weighting runs."""
    empty_all_tables(settings)

    async def demo(db: AsyncSession) -> dict[str, int]:
        await load_demo(db, seed=DEMO_SEED, if_empty=False)
        return {u.username: u.id for u in await db.scalars(select(User))}

    users = run_with_session(settings, demo)
    form, version_id = add_identifying_version(app)
    invited = invitations_with_contacts(settings)
    places = frame_places(settings, [i for i, _ in invited])
    starts = [(f"/s/{DEMO_SURVEY_SLUG}/i/{token}", places[i]) for i, token in invited]
    starts.append((f"/s/{DEMO_SURVEY_SLUG}", places[invited[0][0]]))
    for start, (district, street) in starts:
        with TestClient(app=app, base_url="http://127.0.0.1") as phone:
            phone.headers["user-agent"] = BROWSER
            answer_on_the_web(phone, start, opinions(district, street))
    interview_in_the_field(app, form)

    async def stored(db: AsyncSession) -> tuple[tuple[str, ...], frozenset[str]]:
        partials = list(await db.scalars(select(PartialResponse)))
        names = frozenset(
            await db.scalars(select(FrameUnit.name).where(FrameUnit.level == UnitLevel.COMMUNITY))
        )
        return tuple(h for p in partials for h in (p.address_hash, p.device_hash)), names

    hashes, community_names = run_with_session(settings, stored)
    with TestClient(app=app, base_url="http://127.0.0.1") as analyst:
        sign_in(analyst, "analyst", "minyi-analyst")
        runs = (
            run_weighting(analyst, {}),
            run_weighting(analyst, {"domains": list(DOMAIN_VARIABLES)}),
        )
    return Seeded(settings, form, version_id, runs, hashes, community_names, users)


@pytest.fixture(scope="module")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="module")
def seeded(settings: Settings, app: Litestar, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The seeded survey, and every default output the analyst can get, read as text."""
    if not POPPLER:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) are not installed")
    world = seed(settings, app)
    folder = tmp_path_factory.mktemp("outputs")
    outputs = world.outputs
    with TestClient(app=app, base_url="http://127.0.0.1") as analyst:
        sign_in(analyst, "analyst", "minyi-analyst")
        for run in world.runs:
            for query in ("", "?lang=en"):
                body = download(analyst, f"/analysis/runs/{run}/report/pdf{query}").content
                outputs[f"run{run} report.pdf{query}"] = pdf_text(body, folder)
            body = download(analyst, f"/analysis/runs/{run}/report/xlsx").content
            outputs[f"run{run} report.xlsx"] = workbook_text(body)
            for kind in ("csv", "sav", "dta"):
                body = download(analyst, f"/analysis/runs/{run}/export/{kind}").content
                texts, columns = bundle_text(body, folder)
                world.csv_columns[f"run{run} {kind}"] = columns
                outputs.update({f"run{run} export/{kind}: {n}": t for n, t in texts.items()})
            outputs[f"run{run} estimates page"] = download(
                analyst, f"/analysis/estimates?run={run}"
            ).text
        for page in ("/analysis/", "/analysis/weighting"):
            outputs[page] = download(analyst, f"{page}?survey={DEMO_SURVEY_SLUG}").text
    return world


@pytest.fixture(scope="module")
def cli_outputs(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The `report` and `export` verbs with their defaults, each file they write as text."""
    folder = tmp_path_factory.mktemp("cli")
    outputs: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_URL", seeded.settings.database_url)
        for kind in ("pdf", "xlsx"):
            target = folder / f"report.{kind}"
            verb = ["report", "--format", kind, "--survey", DEMO_SURVEY_SLUG, "-o", str(target)]
            assert main(verb) == 0
            body = target.read_bytes()
            outputs[target.name] = pdf_text(body, folder) if kind == "pdf" else workbook_text(body)
        for kind in ("csv", "sav", "dta"):
            target = folder / kind / f"micro.{kind}"
            target.parent.mkdir()
            verb = ["export", "--format", kind, "--survey", DEMO_SURVEY_SLUG, "-o", str(target)]
            assert main(verb) == 0
            for path in sorted(target.parent.iterdir()):
                body = path.read_bytes()
                ext = path.suffix.lstrip(".")
                outputs[f"{kind}/{path.name}"] = (
                    statistical_text(body, ext, folder)[0]
                    if ext in ("sav", "dta")
                    else body.decode("utf-8-sig")
                )
    return outputs


def audit_events(settings: Settings) -> list[AuditEvent]:
    async def work(db: AsyncSession) -> list[AuditEvent]:
        return list(await db.scalars(select(AuditEvent).order_by(AuditEvent.id)))

    return run_with_session(settings, work)


# ---------------------------------------------------------------- the tests


def test_the_survey_holds_every_kind_of_identifier(seeded: Seeded) -> None:
    """The premise: the database does hold the values the outputs must not show, and the
    tablet's GPS is kept to two decimals (0.01°, about 1 km)."""

    async def work(db: AsyncSession) -> tuple[list[Response], list[str]]:
        responses = list(
            await db.scalars(
                select(Response).where(Response.questionnaire_version_id == seeded.version_id)
            )
        )
        contacts = list(await db.scalars(select(InvitationContact.address)))
        return responses, contacts

    responses, contacts = run_with_session(seeded.settings, work)
    assert sorted(r.mode.value for r in responses) == ["capi", "openrosa", "web", "web", "web"]
    assert all(r.disposition == "1.1" for r in responses)
    for response in responses:
        assert response.answers["name"] == NAME
        assert response.answers["phone"] == PHONE
        assert response.answers["community"] == ADDRESS
        assert TEXT_PHONE in response.answers["suggestions"]
    assert sum(r.is_probability_sample for r in responses) == 4
    capi = next(r for r in responses if r.mode is ResponseMode.CAPI)
    assert capi.paradata["device_id"] == TABLET
    assert capi.paradata["gps"] == {"latitude": 31.23, "longitude": 121.48}
    openrosa = next(r for r in responses if r.mode is ResponseMode.OPENROSA)
    assert openrosa.answers["deviceid"] == IMEI
    assert sorted(contacts) == sorted([PHONE, EMAIL])
    assert len(seeded.hashes) == 6
    assert all(len(h) >= 32 for h in seeded.hashes)


def test_no_report_export_or_analysis_page_holds_an_identifier(seeded: Seeded) -> None:
    outputs = seeded.outputs
    for run in seeded.runs:
        for kind in ("csv", "sav", "dta"):
            assert f"run{run} export/{kind}: minyi-run{run}.{kind}" in outputs
        assert f"run{run} report.pdf?lang=en" in outputs
    found = leaks(outputs)
    assert not found, listed(found)
    hashes = [(name, h) for name, text in outputs.items() for h in seeded.hashes if h in text]
    assert not hashes, listed(hashes)


def test_the_commands_write_no_identifier(cli_outputs: dict[str, str]) -> None:
    assert {"report.pdf", "report.xlsx", "csv/micro.csv", "sav/micro.sav", "dta/micro.dta"} <= set(
        cli_outputs
    )
    found = leaks(cli_outputs)
    assert not found, listed(found)


def test_no_output_holds_a_coordinate(seeded: Seeded, cli_outputs: dict[str, str]) -> None:
    """Location in outputs is at most a frame community: no latitude or longitude, not even
    rounded to 0.01°."""
    found = [
        (name, match.group(0))
        for name, text in {**seeded.outputs, **cli_outputs}.items()
        for match in COORDINATE.finditer(text)
    ]
    assert not found, listed(found)


def test_microdata_hold_only_design_codes_and_single_choices(seeded: Seeded) -> None:
    """Every column is a design variable, an indicator or a coded single choice; the places are
    frame communities (the typed address is no place)."""
    form = seeded.questionnaire
    singles = {q.name[:MAX_NAME] for q in form.questions() if q.type == "select_one"}
    indicators = {
        name for name in seeded.csv_columns[f"run{seeded.runs[0]} csv"] if name.startswith("i_")
    }
    allowed = BASE_VARIABLES | singles | {"age_group"} | indicators
    assert len(indicators) == 9
    for name, columns in seeded.csv_columns.items():
        assert columns <= allowed, (name, columns - allowed)
        assert not columns & {"name", "phone", "suggestions", "dissatisfaction_reason", "deviceid"}
    codebook = seeded.outputs[
        f"run{seeded.runs[0]} export/csv: minyi-run{seeded.runs[0]}-codebook.csv"
    ]
    communities = {
        row["value_label"]
        for row in csv.DictReader(io.StringIO(codebook))
        if row["variable"] == "community" and row["code"]
    }
    assert communities
    assert communities <= seeded.community_names


def test_free_text_is_for_administrators_only_and_audited(
    seeded: Seeded, app: Litestar, tmp_path: Path
) -> None:
    run = seeded.runs[0]
    path = f"/analysis/runs/{run}/export/csv?text=true"
    with TestClient(app=app, base_url="http://127.0.0.1") as analyst:
        sign_in(analyst, "analyst", "minyi-analyst")
        page = download(analyst, f"/analysis/estimates?run={run}").text
        assert "text=true" not in page
        refused = analyst.get(path)
        assert refused.status_code == 403
        assert "administrator" in refused.json()["message"]
    for login in (("supervisor", "minyi-supervisor"), ENUMERATOR):
        with TestClient(app=app, base_url="http://127.0.0.1") as other:
            sign_in(other, *login)
            assert other.get(f"/analysis/runs/{run}/export/csv").status_code == 403
    with TestClient(app=app, base_url="http://127.0.0.1") as admin:
        sign_in(admin, "admin", "minyi-admin")
        assert "text=true" in download(admin, f"/analysis/estimates?run={run}").text
        texts, columns = bundle_text(download(admin, path).content, tmp_path)
    assert {"name", "phone", "suggestions"} <= columns
    assert {value for _, value in leaks(texts)} >= {NAME, PHONE, TEXT_PHONE}
    events = [
        (e.action, e.actor_id, e.details)
        for e in audit_events(seeded.settings)
        if e.target == f"weighting_run:{run}" and e.details.get("free_text")
    ]
    assert events == [
        ("export_csv_refused", seeded.users["analyst"], {"free_text": True}),
        ("export_csv", seeded.users["admin"], {"free_text": True}),
    ]


def test_every_default_download_is_audited_without_free_text(seeded: Seeded) -> None:
    analyst = seeded.users["analyst"]
    done = {
        (e.action, e.target)
        for e in audit_events(seeded.settings)
        if e.actor_id == analyst and not e.details.get("free_text")
    }
    for run in seeded.runs:
        for action in ("report_pdf", "report_xlsx", "export_csv", "export_sav", "export_dta"):
            assert (action, f"weighting_run:{run}") in done
