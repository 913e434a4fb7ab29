"""XLSForm import of forms written elsewhere, export -> import round trips, and ODK XForm export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from typing import Any

from questionnaires import (
    Group,
    LegalMarkings,
    Repeat,
    read_xlsform,
    to_xform,
    validate_answers,
    write_xlsform,
)

XF = "{http://www.w3.org/2002/xforms}"
JR = "{http://openrosa.org/javarosa}"


def test_household_form_imports_with_groups_repeat_logic_and_two_languages(
    household_xlsx: bytes,
) -> None:
    form = read_xlsform(household_xlsx)
    assert form.id == "household_2026"
    assert form.version == "2026031501"
    assert form.default_language == "zh"
    assert [(lang.code, lang.name) for lang in form.languages] == [
        ("zh", "中文"),
        ("en", "English"),
    ]
    assert form.title == {"zh": "入户调查", "en": "Household survey"}
    assert [item.name for item in form.items] == [
        "start",
        "end",
        "deviceid",
        "respondent",
        "views",
        "household_size",
        "members",
        "is_senior",
        "thanks",
    ]
    respondent = form.items[3]
    assert isinstance(respondent, Group)
    assert respondent.appearance == "field-list"
    age = form.question("age")
    assert age is not None
    assert age.required == "true()"
    assert age.hint == {"zh": "请填写整数", "en": "A whole number"}
    assert age.constraint_message["en"] == "Age must be 14 to 110"
    street = form.question("street")
    assert street is not None
    assert street.choice_filter == "district = ${district}"
    streets = form.choice_list("street")
    assert streets is not None
    assert streets.choices[0].filters == {"district": "d1"}
    members = form.items[6]
    assert isinstance(members, Repeat)
    assert [child.name for child in members.children] == ["member_name", "member_age"]
    media = form.question("media")
    assert media is not None
    assert (media.type, media.list_name) == ("select_multiple", "media")


def test_imported_form_validates_answers_with_its_own_logic(household_xlsx: bytes) -> None:
    form = read_xlsform(household_xlsx)
    answers = {
        "age": "67",
        "sex": "female",
        "district": "d2",
        "street": "d1_s1",
        "satisfaction": "satisfied",
        "why_not": "stale",
        "media": "tv none",
        "household_size": 2,
        "members": [{"member_name": "老伴", "member_age": 70}, {"member_age": 130}],
    }
    result = validate_answers(form, answers, language="en")
    problems = {(p.name, p.code, p.index) for p in result.problems}
    assert problems == {
        ("street", "choice_filter", None),
        ("media", "constraint", None),
        ("member_age", "constraint", 1),
    }
    messages = {p.name: p.message for p in result.problems}
    assert messages["media"] == "'None' cannot be combined with other options"
    assert result.dropped == ("why_not",)
    assert result.answers["is_senior"] == "yes"
    assert result.answers["members"][0] == {"member_name": "老伴", "member_age": 70}


def test_one_language_form_with_plain_columns_and_no_settings(intercept_xlsx: bytes) -> None:
    form = read_xlsform(intercept_xlsx)
    assert form.id == "form"
    assert form.default_language == "default"
    resident = form.question("resident")
    assert resident is not None
    assert resident.type == "select_one"
    assert resident.required == "true()"
    interview_date = form.question("interview_date")
    assert interview_date is not None
    assert interview_date.required == "true()"
    assert interview_date.constraint_message == {"default": "The date cannot be in the future"}
    yes_no = form.choice_list("yes_no")
    assert yes_no is not None
    assert yes_no.codes() == ("1", "0")
    result = validate_answers(
        form,
        {"resident": "0", "interview_date": "2026-12-01", "monthly_hours": "3.5"},
        today=date(2026, 11, 22),
    )
    assert [(p.name, p.code) for p in result.problems] == [("interview_date", "constraint")]
    assert result.dropped == ("monthly_hours",)


def test_legal_markings_and_privacy_notice_come_from_settings(legal_xlsx: bytes) -> None:
    form = read_xlsform(legal_xlsx)
    assert form.legal == LegalMarkings(
        "文明表1号", "某市文明办", "某统制〔2026〕1号", date(2027, 12, 31)
    )
    assert form.privacy_notice == {"zh": "您的回答仅用于统计。"}


def test_export_then_import_gives_the_same_questionnaire(
    household_xlsx: bytes, intercept_xlsx: bytes, legal_xlsx: bytes
) -> None:
    for source in (household_xlsx, intercept_xlsx, legal_xlsx):
        form = read_xlsform(source)
        assert read_xlsform(write_xlsform(form)) == form


def test_xform_has_the_structure_odk_collect_expects(household_xlsx: bytes) -> None:
    form = read_xlsform(household_xlsx)
    document = ET.fromstring(to_xform(form))
    head = document.find("{http://www.w3.org/1999/xhtml}head")
    assert head is not None
    model = head.find(f"{XF}model")
    assert model is not None
    data = model.find(f"{XF}instance/{XF}data")
    assert data is not None
    assert data.attrib == {"id": "household_2026", "version": "2026031501"}
    assert data.find(f"{XF}meta/{XF}instanceID") is not None
    assert data.find(f"{XF}members").attrib == {f"{JR}template": ""}  # type: ignore[union-attr]
    binds = {bind.attrib["nodeset"]: bind.attrib for bind in model.iter(f"{XF}bind")}
    assert binds["/data/meta/instanceID"][f"{JR}preload"] == "uid"
    assert binds["/data/respondent/age"]["type"] == "int"
    assert binds["/data/respondent/age"]["required"] == "true()"
    assert binds["/data/respondent/age"]["constraint"] == ". >= 14 and . <= 110"
    assert binds["/data/views/why_not"]["relevant"] == (
        "/data/views/satisfaction = 'dissatisfied' or "
        "/data/views/satisfaction = 'very_dissatisfied'"
    )
    assert binds["/data/is_senior"]["calculate"] == "if(/data/respondent/age >= 60, 'yes', 'no')"
    assert binds["/data/start"][f"{JR}preloadParams"] == "start"
    assert binds["/data/deviceid"][f"{JR}preloadParams"] == "deviceid"
    translations = model.findall(f"{XF}itext/{XF}translation")
    assert [t.attrib.get("lang") for t in translations] == ["中文 (zh)", "English (en)"]
    assert translations[0].attrib["default"] == "true()"
    english = {t.attrib["id"]: t.findtext(f"{XF}value") for t in translations[1]}
    assert english["/data/respondent/age:label"] == "Your age (years)"
    assert english["/data/respondent/age:jr:constraintMsg"] == "Age must be 14 to 110"
    assert english["street-2"] == "Shanqian Street"
    body = document.find("{http://www.w3.org/1999/xhtml}body")
    assert body is not None
    street = body.find(f".//{XF}select1[@ref='/data/respondent/street']")
    assert street is not None
    itemset = street.find(f"{XF}itemset")
    assert itemset is not None
    assert itemset.attrib["nodeset"] == (
        "instance('street')/root/item[district = /data/respondent/district]"
    )
    assert body.find(f".//{XF}select[@ref='/data/views/media']") is not None
    assert body.find(f".//{XF}repeat[@nodeset='/data/members']") is not None
    controls = {
        element.attrib["ref"]
        for element in body.iter()
        if element.tag in (f"{XF}input", f"{XF}select1", f"{XF}select")
    }
    asked = {
        q.name
        for q in form.questions()
        if q.type not in ("calculate", "start", "end", "today", "deviceid")
    }
    assert {ref.rsplit("/", 1)[1] for ref in controls} == asked


def test_settings_sheet_is_optional(
    household_sheets: dict[str, list[list[Any]]],
    make_workbook: Callable[[dict[str, list[list[Any]]]], bytes],
) -> None:
    del household_sheets["settings"]
    form = read_xlsform(make_workbook(household_sheets))
    assert (form.id, form.version) == ("form", "1")
    assert [lang.code for lang in form.languages] == ["zh", "en"]
    assert form.default_language == "zh"
    assert form.title == {"zh": "form"}
