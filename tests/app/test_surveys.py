"""Surveys built from the questionnaires library: pages and JSON API under /admin and /api."""

from __future__ import annotations

import datetime as dt
import html
import io
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import from_json, load_template, read_xlsform, to_json
from survey_app.accounts.services import create_user
from survey_app.accounts.tokens import issue_token
from survey_app.models import (
    Frame,
    FrameUnit,
    Indicator,
    QuestionnaireVersion,
    Survey,
    UnitLevel,
    Wave,
)
from survey_app.models.accounts import Role
from survey_app.settings import Settings
from tests.app.web import api_token, csrf_token, sign_in
from tests.conftest import run_with_session

pytestmark = pytest.mark.db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SURVEY_SHEET: list[list[Any]] = [
    [
        "type",
        "name",
        "label::中文 (zh)",
        "label::English (en)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::中文 (zh)",
        "constraint_message::English (en)",
        "calculation",
        "choice_filter",
    ],
    ["start", "start"],
    ["end", "end"],
    ["begin group", "respondent", "受访者", "Respondent"],
    [
        "integer",
        "age",
        "您的年龄（周岁）",
        "Your age",
        "yes",
        None,
        ". >= 14 and . <= 110",
        "年龄须在14至110岁之间",
        "Age must be 14 to 110",
    ],
    ["select_one district", "district", "所在区", "District", "yes"],
    [
        "select_one street",
        "street",
        "所在街道",
        "Street",
        "yes",
        None,
        None,
        None,
        None,
        None,
        "district = ${district}",
    ],
    ["end group"],
    ["begin group", "views", "看法", "Views"],
    ["select_one satisfaction", "satisfaction", "您对创建工作满意吗？", "Satisfied?", "yes"],
    [
        "text",
        "why_not",
        "不满意的原因",
        "Why not?",
        None,
        "${satisfaction} = 'dissatisfied'",
    ],
    ["end group"],
    ["integer", "household_size", "家里几口人？", "Household size", "yes", None, ". >= 1"],
    ["begin repeat", "members", "家庭成员", "Household members"],
    ["integer", "member_age", "成员年龄", "Member's age", None, None, ". >= 0"],
    ["end repeat"],
    ["calculate", "is_senior", None, None, None, None, None, None, None, "${age} >= 60"],
]
CHOICES_SHEET: list[list[Any]] = [
    ["list_name", "name", "label::中文 (zh)", "label::English (en)", "district"],
    ["district", "d1", "东湖区", "Donghu"],
    ["district", "d2", "西山区", "Xishan"],
    ["street", "d1_s1", "湖滨街道", "Hubin", "d1"],
    ["street", "d2_s1", "山前街道", "Shanqian", "d2"],
    ["satisfaction", "satisfied", "满意", "Satisfied"],
    ["satisfaction", "neutral", "一般", "Neutral"],
    ["satisfaction", "dissatisfied", "不满意", "Dissatisfied"],
    ["satisfaction", "unsure", "说不清", "Cannot say"],
]


def settings_sheet(version: str = "2027.1", form_id: str = "district_survey") -> list[list[Any]]:
    return [
        [
            "form_title::中文 (zh)",
            "form_title::English (en)",
            "form_id",
            "version",
            "default_language",
            "form_number",
            "issuing_authority",
            "approval_number",
            "valid_until",
            "privacy_notice::中文 (zh)",
            "privacy_notice::English (en)",
        ],
        [
            "区县创建工作满意度调查",
            "District satisfaction survey",
            form_id,
            version,
            "zh",
            "文创调02表",
            "示范市文明办",
            "示统制〔2027〕3号",
            dt.datetime(2028, 6, 30),
            "您的回答仅用于统计，依法保密。",
            "Your answers are used for statistics only and kept confidential.",
        ],
    ]


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def district_form(**settings: str) -> bytes:
    """A realistic XLSForm made elsewhere: groups, a repeat, relevant, constraint,
    choice_filter, two languages and the legal markings."""
    return workbook(
        {"survey": SURVEY_SHEET, "choices": CHOICES_SHEET, "settings": settings_sheet(**settings)}
    )


def with_row(extra: list[Any], at: int | None = None) -> list[list[Any]]:
    rows = [list(row) for row in SURVEY_SHEET]
    rows.insert(len(rows) if at is None else at, extra)
    return rows


MALFORMED = {
    "missing survey sheet": (
        {"choices": CHOICES_SHEET, "settings": settings_sheet()},
        ("survey", None, None, "no 'survey' sheet"),
    ),
    "unknown type": (
        {
            "survey": with_row(["geopoint", "where", "位置", "Location"]),
            "choices": CHOICES_SHEET,
            "settings": settings_sheet(),
        },
        ("survey", 18, "A (type)", "geopoint"),
    ),
    "bad expression": (
        {
            "survey": with_row(["text", "remark", "备注", "Remark", None, "${age} >= and 3"]),
            "choices": CHOICES_SHEET,
            "settings": settings_sheet(),
        },
        ("survey", 18, "F (relevant)", "position"),
    ),
    "duplicate names": (
        {
            "survey": with_row(["integer", "age", "再问年龄", "Age again"]),
            "choices": CHOICES_SHEET,
            "settings": settings_sheet(),
        },
        ("survey", 18, "B (name)", "age"),
    ),
    "missing choice list": (
        {
            "survey": with_row(["select_one colours", "colour", "颜色", "Colour"]),
            "choices": CHOICES_SHEET,
            "settings": settings_sheet(),
        },
        ("survey", 18, "A (type)", "colours"),
    ),
}


def _users(settings: Settings) -> None:
    async def work(db: AsyncSession) -> None:
        await create_user(db, username="ana", password="analyst-pass", role=Role.ANALYST)
        await create_user(db, username="eve", password="enumerator-pass", role=Role.ENUMERATOR)
        await create_user(db, username="sam", password="supervisor-pass", role=Role.SUPERVISOR)
        await db.commit()

    run_with_session(settings, work)


@pytest.fixture
def analyst(client: TestClient[Litestar], clean_settings: Settings) -> TestClient[Litestar]:
    _users(clean_settings)
    sign_in(client, "ana", "analyst-pass")
    return client


def counts(settings: Settings) -> list[int]:
    """Rows in surveys, waves, questionnaire versions and indicators."""

    async def work(db: AsyncSession) -> list[int]:
        return [
            await db.scalar(select(func.count()).select_from(model)) or 0
            for model in (Survey, Wave, QuestionnaireVersion, Indicator)
        ]

    return run_with_session(settings, work)


def stored_versions(settings: Settings, slug: str) -> list[dict[str, Any]]:
    async def work(db: AsyncSession) -> list[dict[str, Any]]:
        rows = await db.scalars(
            select(QuestionnaireVersion)
            .join(Survey)
            .where(Survey.slug == slug)
            .order_by(QuestionnaireVersion.id)
        )
        return [row.definition for row in rows]

    return run_with_session(settings, work)


def upload_new_survey(
    client: TestClient[Litestar], content: bytes, slug: str, **fields: str
) -> Any:
    token = csrf_token(client, "/admin/surveys/new")
    return client.post(
        "/admin/surveys/new/xlsform",
        data={"slug": slug, "_csrf_token": token, **fields},
        files={"file": ("form.xlsx", content, XLSX)},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )


def from_template(client: TestClient[Litestar], template: str, slug: str, **fields: str) -> Any:
    token = csrf_token(client, "/admin/surveys/new")
    return client.post(
        "/admin/surveys/new/template",
        data={"template": template, "slug": slug, "_csrf_token": token, **fields},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )


def test_import_a_realistic_xlsform_through_the_page_creates_a_version(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    response = upload_new_survey(
        analyst, district_form(), "district-2027", wave_name="2027年一季度"
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/surveys/district-2027"
    (definition,) = stored_versions(clean_settings, "district-2027")
    assert from_json(msgspec.json.encode(definition)) == read_xlsform(district_form())

    page = analyst.get("/admin/surveys/district-2027", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "区县创建工作满意度调查" in page.text
    assert "文创调02表" in page.text
    assert "示统制〔2027〕3号" in page.text
    assert "您的回答仅用于统计，依法保密。" in page.text
    assert "2027年一季度" in page.text
    assert analyst.get("/admin/surveys", headers={"accept": "text/html"}).text.count(
        "district-2027"
    )


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_xlsform_on_the_page_names_sheet_row_column_and_stores_nothing(
    analyst: TestClient[Litestar], clean_settings: Settings, case: str
) -> None:
    sheets, (sheet, row, column, words) = MALFORMED[case]
    response = upload_new_survey(analyst, workbook(sheets), "broken")
    assert response.status_code == 422
    assert "未保存任何内容" in response.text
    cells = f"<td>{sheet}</td><td>{'' if row is None else row}</td><td>{column or ''}</td>"
    text = html.unescape(response.text)
    assert cells in text, text
    assert words in text
    assert counts(clean_settings) == [0, 0, 0, 0]


def test_a_template_survey_stores_its_indicators(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    response = from_template(analyst, "civilized_city_resident", "resident-2027", title="")
    assert response.status_code == 303, response.text
    template = load_template("civilized_city_resident")

    async def work(db: AsyncSession) -> tuple[Survey, list[Indicator], Wave]:
        survey = await db.scalar(select(Survey).where(Survey.slug == "resident-2027"))
        assert survey is not None
        rows = list(await db.scalars(select(Indicator).where(Indicator.survey_id == survey.id)))
        wave = await db.scalar(select(Wave).where(Wave.survey_id == survey.id))
        assert wave is not None
        return survey, rows, wave

    survey, rows, wave = run_with_session(clean_settings, work)
    assert survey.title == template.title["zh"]
    assert not wave.is_open
    assert {row.code: row.threshold for row in rows} == {
        indicator.id: indicator.threshold for indicator in template.indicators
    }
    page = analyst.get("/admin/surveys/resident-2027", headers={"accept": "text/html"})
    assert "志愿服务" in page.text
    assert "目标 ≥ 90%" in page.text
    english = analyst.get("/admin/surveys/resident-2027?lang=en", headers={"accept": "text/html"})
    assert "target ≥ 90%" in english.text


def test_a_short_name_in_use_or_malformed_is_refused(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    assert from_template(analyst, "awareness", "aware").status_code == 303
    again = from_template(analyst, "support", "aware")
    assert again.status_code == 409
    assert "aware" in again.text
    assert from_template(analyst, "support", "Not A Slug!").status_code == 422
    assert from_template(analyst, "no_such_template", "other").status_code == 422
    assert counts(clean_settings)[0] == 1


def test_version_preview_shows_both_languages_legal_markings_and_privacy(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    upload_new_survey(analyst, district_form(), "district-2027")
    page = analyst.get("/admin/surveys/district-2027", headers={"accept": "text/html"})
    link = page.text.split('href="/admin/surveys/district-2027/versions/')[1].split('"')[0]
    preview = analyst.get(
        f"/admin/surveys/district-2027/versions/{link}", headers={"accept": "text/html"}
    )
    assert preview.status_code == 200
    for words in ("您的年龄（周岁）", "Your age", "有效期至", "Valid until", "文创调02表"):
        assert words in preview.text
    assert "Household members" in preview.text
    missing = analyst.get(
        "/admin/surveys/district-2027/versions/999999", headers={"accept": "text/html"}
    )
    assert missing.status_code == 404


def test_a_new_version_is_a_new_row_and_old_ones_stay(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    upload_new_survey(analyst, district_form(), "district-2027")
    token = csrf_token(analyst, "/admin/surveys/district-2027")

    def upload(content: bytes) -> Any:
        return analyst.post(
            "/admin/surveys/district-2027/versions",
            data={"_csrf_token": token},
            files={"file": ("v.xlsx", content, XLSX)},
            headers={"accept": "text/html"},
            follow_redirects=False,
        )

    assert upload(district_form(version="2027.2")).status_code == 303
    same_version = upload(district_form(version="2027.2"))
    assert same_version.status_code == 409
    other_form = upload(district_form(version="2027.3", form_id="something_else"))
    assert other_form.status_code == 422
    assert "something_else" in other_form.text
    broken = upload(workbook({"survey": SURVEY_SHEET, "settings": settings_sheet("2027.4")}))
    assert broken.status_code == 422
    assert "<td>choices</td>" in broken.text
    versions = stored_versions(clean_settings, "district-2027")
    assert [v["version"] for v in versions] == ["2027.1", "2027.2"]


def test_export_then_import_round_trips_through_the_app(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    from_template(analyst, "sense_of_security", "security")
    xlsform = analyst.get("/admin/surveys/security/download?format=xlsform")
    assert xlsform.status_code == 200
    assert xlsform.headers["content-type"].startswith(XLSX)
    assert "attachment" in xlsform.headers["content-disposition"]
    assert upload_new_survey(analyst, xlsform.content, "security-copy").status_code == 303
    original, copy = (
        stored_versions(clean_settings, slug)[0] for slug in ("security", "security-copy")
    )
    assert to_json(from_json(msgspec.json.encode(copy))) == to_json(
        from_json(msgspec.json.encode(original))
    )
    assert original == copy

    xform = analyst.get("/admin/surveys/security/download?format=xform")
    assert xform.status_code == 200
    assert xform.headers["content-type"].startswith("application/xml")
    assert b"<h:title>" in xform.content
    assert analyst.get("/admin/surveys/security/download?format=pdf").status_code == 422


def test_indicator_settings_are_validated_and_stored(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    from_template(analyst, "volunteer_recognition", "volunteers")
    token = csrf_token(analyst, "/admin/surveys/volunteers")
    fields = {"_csrf_token": token, "label_zh": "志愿服务认同率", "label_en": "Recognition"}
    path = "/admin/surveys/volunteers/indicators/volunteer_recognition_rate"

    def post(**extra: str) -> Any:
        return analyst.post(
            path, data={**fields, **extra}, headers={"accept": "text/html"}, follow_redirects=False
        )

    assert post(threshold="92.5", direction=">=").status_code == 303
    assert post(threshold="150", direction=">=").status_code == 422
    assert post(threshold="ninety", direction=">=").status_code == 422
    assert post(threshold="90", direction="~").status_code == 422
    page = analyst.get("/admin/surveys/volunteers", headers={"accept": "text/html"})
    assert "志愿服务认同率" in page.text
    assert "目标 ≥ 92.5%" in page.text

    async def stored(db: AsyncSession) -> Indicator | None:
        return await db.scalar(select(Indicator).where(Indicator.code.like("volunteer%")))

    row = run_with_session(clean_settings, stored)
    assert row is not None
    assert row.threshold == pytest.approx(0.925)
    assert row.label == {"zh": "志愿服务认同率", "en": "Recognition"}


def test_add_an_indicator_on_a_select_one_question(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    upload_new_survey(analyst, district_form(), "district-2027")
    form = analyst.get(
        "/admin/surveys/district-2027/indicators/new?question=satisfaction",
        headers={"accept": "text/html"},
    )
    assert form.status_code == 200
    assert 'name="numerator" value="satisfied"' in form.text
    token = csrf_token(analyst, "/admin/surveys/district-2027/indicators/new")
    fields: dict[str, Any] = {
        "_csrf_token": token,
        "question": "satisfaction",
        "code": "satisfaction_rate",
        "label_zh": "满意率",
        "label_en": "Satisfaction",
        "threshold": "85",
        "direction": ">=",
        "domains": ["district"],
    }

    def post(**extra: Any) -> Any:
        return analyst.post(
            "/admin/surveys/district-2027/indicators",
            data={**fields, **extra},
            headers={"accept": "text/html"},
            follow_redirects=False,
        )

    outside = post(numerator=["satisfied"], denominator=["neutral", "dissatisfied"])
    assert outside.status_code == 422
    assert "not in the denominator" in outside.text
    created = post(numerator=["satisfied"], denominator=["satisfied", "neutral", "dissatisfied"])
    assert created.status_code == 303, created.text
    assert post(numerator=["satisfied"], denominator=["satisfied"]).status_code == 409
    page = analyst.get("/admin/surveys/district-2027", headers={"accept": "text/html"})
    assert "满意率：回答“满意”的人数占回答“满意”“一般”“不满意”人数的比例" in page.text
    assert "“说不清”" in page.text


def test_api_lists_creates_imports_and_edits(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    names = [t["name"] for t in analyst.get("/api/surveys/templates").json()]
    assert "civilized_city_resident" in names
    created = analyst.post(
        "/api/surveys", json={"slug": "api-survey", "template": "awareness", "wave_name": "一月"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["indicators"] == 1
    assert analyst.post("/api/surveys", json={"slug": "x", "templ": "awareness"}).status_code == 400

    script = api_token(analyst)
    bad = analyst.post(
        "/api/surveys/import",
        data={"slug": "api-import"},
        files={"file": ("f.xlsx", workbook(MALFORMED["unknown type"][0]), XLSX)},
        headers=script,
    )
    assert bad.status_code == 422
    assert bad.json()["details"][0] | {"message": ""} == {
        "sheet": "survey",
        "row": 18,
        "column": "A (type)",
        "message": "",
    }
    imported = analyst.post(
        "/api/surveys/import",
        data={"slug": "api-import"},
        files={"file": ("f.xlsx", district_form(), XLSX)},
        headers=script,
    )
    assert imported.status_code == 201, imported.text
    version = analyst.post(
        "/api/surveys/api-import/versions",
        files={"file": ("f.xlsx", district_form(version="2027.2"), XLSX)},
        headers=script,
    )
    assert version.status_code == 201
    assert version.json()["version"] == "2027.2"

    detail = analyst.get("/api/surveys/api-survey?language=en").json()
    (indicator,) = detail["indicators"]
    assert indicator["definition"].endswith("target ≥ 90%.")
    edited = analyst.patch(
        f"/api/surveys/api-survey/indicators/{indicator['code']}", json={"threshold": 0.95}
    )
    assert edited.status_code == 200
    assert edited.json()["threshold"] == 0.95
    assert (
        analyst.patch(
            f"/api/surveys/api-survey/indicators/{indicator['code']}", json={"threshold": 2}
        ).status_code
        == 422
    )
    assert analyst.get("/api/surveys/nothing-here").status_code == 404
    slugs = [s["slug"] for s in analyst.get("/api/surveys").json()]
    assert slugs == ["api-survey", "api-import"]
    exported = analyst.get("/api/surveys/api-import/questionnaire?format=xlsform")
    assert read_xlsform(exported.content).version == "2027.2"


@pytest.mark.parametrize(
    ("username", "password"),
    [("eve", "enumerator-pass"), ("sam", "supervisor-pass")],
)
def test_enumerators_and_supervisors_get_403(
    client: TestClient[Litestar], clean_settings: Settings, username: str, password: str
) -> None:
    _users(clean_settings)
    sign_in(client, username, password)
    html = {"accept": "text/html"}
    assert client.get("/admin/surveys", headers=html).status_code == 403
    assert client.get("/admin/surveys/new", headers=html).status_code == 403
    assert client.get("/api/surveys").status_code == 403
    assert (
        client.post("/api/surveys", json={"slug": "x", "template": "awareness"}).status_code == 403
    )
    assert counts(clean_settings)[0] == 0


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient[Litestar]) -> None:
    page = client.get("/admin/surveys", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code in (302, 303)
    assert client.get("/api/surveys").status_code == 401


def test_a_script_with_an_api_token_builds_a_survey(
    client: TestClient[Litestar], clean_settings: Settings
) -> None:
    async def work(db: AsyncSession) -> str:
        user = await create_user(db, username="bot", password="analyst-pass", role=Role.ANALYST)
        _, plain = await issue_token(db, user, "nightly script")
        await db.commit()
        return plain

    headers = {"authorization": f"Bearer {run_with_session(clean_settings, work)}"}
    created = client.post(
        "/api/surveys", json={"slug": "scripted", "template": "participation"}, headers=headers
    )
    assert created.status_code == 201, created.text
    assert [s["slug"] for s in client.get("/api/surveys", headers=headers).json()] == ["scripted"]


def test_a_version_that_breaks_an_indicator_is_refused(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    upload_new_survey(analyst, district_form(), "district-2027")
    indicator = {
        "code": "satisfaction_rate",
        "label": {"zh": "满意率"},
        "question": "satisfaction",
        "numerator": ["satisfied"],
        "denominator": ["satisfied", "neutral", "dissatisfied"],
        "threshold": 0.85,
    }
    assert analyst.post("/api/surveys/district-2027/indicators", json=indicator).status_code == 201
    fewer_options = [row for row in CHOICES_SHEET if row[1] != "neutral"]
    refused = analyst.post(
        "/api/surveys/district-2027/versions",
        files={
            "file": (
                "v2.xlsx",
                workbook(
                    {
                        "survey": SURVEY_SHEET,
                        "choices": fewer_options,
                        "settings": settings_sheet(version="2027.2"),
                    }
                ),
                XLSX,
            )
        },
        headers=api_token(analyst),
    )
    assert refused.status_code == 422
    (problem,) = refused.json()["details"]
    assert problem["field"] == "indicator satisfaction_rate"
    assert "neutral" in problem["message"]
    assert [v["version"] for v in stored_versions(clean_settings, "district-2027")] == ["2027.1"]


def test_the_frame_s_places_become_a_new_version(
    analyst: TestClient[Litestar], clean_settings: Settings
) -> None:
    from_template(analyst, "awareness", "aware")

    async def frame(db: AsyncSession) -> int:
        row = Frame(name="东湖市抽样框")
        db.add(row)
        await db.flush()
        district = FrameUnit(
            frame_id=row.id, level=UnitLevel.DISTRICT, code="330102", name="上城区", population=1
        )
        db.add(district)
        await db.flush()
        street = FrameUnit(
            frame_id=row.id,
            parent_id=district.id,
            level=UnitLevel.STREET,
            code="330102001",
            name="清波街道",
            population=1,
        )
        db.add(street)
        await db.flush()
        db.add(
            FrameUnit(
                frame_id=row.id,
                parent_id=street.id,
                level=UnitLevel.COMMUNITY,
                code="330102001001",
                name="劳动路社区",
                population=1,
            )
        )
        await db.commit()
        return row.id

    frame_id = run_with_session(clean_settings, frame)
    page = analyst.get("/admin/surveys/aware", headers={"accept": "text/html"})
    assert "东湖市抽样框" in page.text
    token = csrf_token(analyst, "/admin/surveys/aware")
    response = analyst.post(
        "/admin/surveys/aware/versions/frame",
        data={"_csrf_token": token, "frame_id": str(frame_id)},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    first, second = stored_versions(clean_settings, "aware")
    assert second["version"] == f"{first['version']}-frame{frame_id}"
    lists = {lst["name"]: lst["choices"] for lst in second["choice_lists"]}
    assert [c["name"] for c in lists["district"]] == ["330102"]
    assert lists["community"][0]["filters"] == {"district": "330102", "street": "330102001"}
    again = analyst.post("/api/surveys/aware/versions/frame", json={})
    assert again.status_code == 409
    assert (
        analyst.post("/api/surveys/aware/versions/frame", json={"frame_id": 999}).status_code == 404
    )
