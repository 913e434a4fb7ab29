"""Reading ODK Collect submissions (instance XML) back into answers, and XForm integrity."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires import (
    SubmissionError,
    list_templates,
    load_template,
    read_submission,
    read_xlsform,
    to_xform,
    validate_answers,
    write_submission,
)

XF = "{http://www.w3.org/2002/xforms}"
COLLECT_SUBMISSION = """<?xml version='1.0' ?>
<data id="household_2026" version="2026031501"
      xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
  <start>2026-11-22T09:00:00.000+08:00</start><end>2026-11-22T09:07:12.000+08:00</end>
  <deviceid>collect:Xq81</deviceid>
  <respondent><age>45</age><sex>female</sex><district>d1</district><street>d1_s2</street>
  </respondent>
  <views><satisfaction>satisfied</satisfaction><why_not/><media>tv poster</media></views>
  <household_size>2</household_size>
  <members><member_name>老伴</member_name><member_age>47</member_age></members>
  <members><member_name/><member_age>19</member_age></members>
  <is_senior>no</is_senior><thanks/>
  <unknown_extra>ignored</unknown_extra>
  <meta><instanceID>uuid:7f7a2c51-3a46-4b3c-9f0b-4c1d2b9e8a10</instanceID></meta>
</data>"""


def test_a_collect_submission_becomes_valid_answers(household_xlsx: bytes) -> None:
    form = read_xlsform(household_xlsx)
    submission = read_submission(form, COLLECT_SUBMISSION.encode())
    assert submission.instance_id == "uuid:7f7a2c51-3a46-4b3c-9f0b-4c1d2b9e8a10"
    assert (submission.form_id, submission.version) == ("household_2026", "2026031501")
    assert submission.answers["media"] == ["tv", "poster"]
    assert submission.answers["members"] == [
        {"member_name": "老伴", "member_age": "47"},
        {"member_age": "19"},
    ]
    assert "why_not" not in submission.answers
    result = validate_answers(form, submission.answers)
    assert result.valid
    assert result.answers["age"] == 45


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<data id='household_2026' version='1'><meta/></data>", "version '1', not"),
        ("<data id='other' version='2026031501'/>", "form 'other'"),
        ("<data id='household_2026' version='2026031501'/>", "no meta/instanceID"),
        ("<data id='household_2026'", "not well-formed"),
        (
            "<!DOCTYPE lol [<!ENTITY a 'aaaa'>]><data id='household_2026'>&a;</data>",
            "DOCTYPE",
        ),
    ],
)
def test_bad_submissions_are_refused(household_xlsx: bytes, xml: str, message: str) -> None:
    form = read_xlsform(household_xlsx)
    with pytest.raises(SubmissionError, match=message):
        read_submission(form, xml.encode())


DEMO = load_template("civilized_city_resident").questionnaire


@settings(max_examples=30, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "consent": st.sampled_from(["agree", "decline"]),
            "age": st.integers(0, 120).map(str),
            "aware_channels": st.lists(st.sampled_from(["tv", "word", "other"]), min_size=1),
            "suggestions": st.text(st.sampled_from("文明城市 ok"), min_size=1).map(str.strip),
        },
    ).map(lambda answers: {k: v for k, v in answers.items() if v})
)
def test_write_then_read_gives_the_answers_back(answers: dict[str, object]) -> None:
    xml = write_submission(DEMO, answers, "uuid:1")
    assert read_submission(DEMO, xml).answers == answers


@pytest.mark.parametrize("name", list_templates())
def test_xform_references_resolve(name: str) -> None:
    """Every bind points at an instance node and every itext id exists in every language."""
    document = ET.fromstring(to_xform(load_template(name).questionnaire))
    model = document.find(f"{{http://www.w3.org/1999/xhtml}}head/{XF}model")
    assert model is not None
    data = model.find(f"{XF}instance/{XF}data")
    assert data is not None
    paths = set()

    def collect(element: ET.Element, path: str) -> None:
        for child in element:
            child_path = f"{path}/{child.tag.removeprefix(XF)}"
            paths.add(child_path)
            collect(child, child_path)

    collect(data, "/data")
    assert {bind.attrib["nodeset"] for bind in model.iter(f"{XF}bind")} <= paths
    translations = model.findall(f"{XF}itext/{XF}translation")
    ids = [{text.attrib["id"] for text in translation} for translation in translations]
    assert ids[0] == ids[1]
    referenced = {
        value[len("jr:itext('") : -2]
        for element in document.iter()
        for value in element.attrib.values()
        if value.startswith("jr:itext('")
    }
    referenced |= {item.findtext(f"{XF}itextId") for item in model.iter(f"{XF}item")}
    assert referenced == ids[0]


def test_collect_shows_the_legal_markings_and_privacy_notice_first() -> None:
    """What the web page and the tablet app show before the questions, Collect shows too: a
    read-only first screen in every language, on a node that submissions leave empty."""
    form = load_template("volunteer_recognition").questionnaire
    assert form.legal is not None
    document = ET.fromstring(to_xform(form))
    body = document.find("{http://www.w3.org/1999/xhtml}body")
    assert body is not None
    first = body[0]
    assert first.attrib["ref"] == "/data/meta/notice"
    model = document.find(f"{{http://www.w3.org/1999/xhtml}}head/{XF}model")
    assert model is not None
    (bind,) = [b for b in model.iter(f"{XF}bind") if b.attrib["nodeset"] == "/data/meta/notice"]
    assert bind.attrib["readonly"] == "true()"
    shown = {
        translation.attrib["lang"]: translation.findtext(
            f"{XF}text[@id='/data/meta/notice:label']/{XF}value"
        )
        for translation in model.iter(f"{XF}translation")
    }
    assert set(shown) == {"中文 (zh)", "English (en)"}
    assert form.legal.approval_number in shown["中文 (zh)"]
    assert form.privacy_notice["zh"] in shown["中文 (zh)"]
    assert "表号" in shown["中文 (zh)"]
    assert form.privacy_notice["en"] in shown["English (en)"]
    assert "Form number" in shown["English (en)"]
    answers = {"consent": "agree"}
    assert read_submission(form, write_submission(form, answers, "uuid:1")).answers == answers
