"""Shipped templates validate, render in both languages, and derive correct indicator variables."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from questionnaires import (
    Question,
    TemplateError,
    check_questionnaire,
    from_json,
    outline,
    pages,
    read_xlsform,
    to_json,
    to_xform,
    validate_answers,
    visible_questions,
    write_xlsform,
)
from questionnaires.indicators import check_indicator, derive_indicator
from questionnaires.templates import list_templates, load_template

NAMES = list_templates()
DEMO = "civilized_city_resident"
TODAY = date(2026, 11, 22)

ELIGIBLE_RESIDENT = {
    "consent": "agree",
    "resident_6m": "yes",
    "age": 45,
    "sex": "female",
    "district": "d2",
    "street": "d2_s1",
    "community": "d2_s1_c2",
    "aware": "know",
    "aware_channels": ["tv", "community"],
    "support": "support",
    "participated": "participated",
    "volunteer_support": "support",
    "satisfaction": "very_dissatisfied",
    "dissatisfaction_reason": "夜间施工噪音大",
    "living_environment": "satisfied",
    "security": "fairly_safe",
    "education_satisfaction": "unsure",
    "government_services_satisfaction": "neutral",
}


def test_the_families_of_product_md_and_the_demo_are_shipped() -> None:
    expected = [
        "awareness",
        "support",
        "satisfaction",
        "participation",
        "volunteer_recognition",
        "sense_of_security",
        "compulsory_education",
        "government_services",
        DEMO,
    ]
    assert sorted(expected) == NAMES


def test_unknown_template_is_a_domain_error() -> None:
    with pytest.raises(TemplateError, match="no template named 'census'"):
        load_template("census")


@pytest.mark.parametrize("name", NAMES)
def test_template_is_sound_and_every_text_is_translated(name: str) -> None:
    template = load_template(name)
    form = template.questionnaire
    assert check_questionnaire(form) == []
    assert [lang.code for lang in form.languages] == ["zh", "en"]
    assert form.default_language == "zh"
    assert form.legal is not None
    texts = [form.title, form.privacy_notice, template.title, template.description]
    for item, _ in form.walk():
        texts.extend(
            t
            for t in (
                item.label,
                getattr(item, "hint", {}),
                getattr(item, "constraint_message", {}),
                getattr(item, "required_message", {}),
            )
            if t
        )
        if isinstance(item, Question) and item.type not in (
            "calculate",
            "start",
            "end",
            "today",
            "deviceid",
        ):
            assert item.label, item.name
    for choice_list in form.choice_lists:
        texts.extend(choice.label for choice in choice_list.choices)
        assert all(choice.name.isascii() for choice in choice_list.choices)
    for text in texts:
        assert set(text) == {"zh", "en"}
        assert all(value.strip() for value in text.values())
    for indicator in template.indicators:
        assert check_indicator(indicator, form) == []
        assert set(indicator.label) == {"zh", "en"}


@pytest.mark.parametrize("name", NAMES)
def test_template_renders_and_round_trips(name: str) -> None:
    form = load_template(name).questionnaire
    assert from_json(to_json(form)) == form
    assert read_xlsform(write_xlsform(form)) == form
    document = ET.fromstring(to_xform(form))
    langs = [t.attrib["lang"] for t in document.iter("{http://www.w3.org/2002/xforms}translation")]
    assert langs == ["中文 (zh)", "English (en)"]
    consent = form.question("consent")
    assert consent is not None
    assert form.localize(consent.label, "zh").startswith("您是否同意")
    assert form.localize(consent.label, "en").startswith("Do you agree")


def test_demo_skip_logic_for_an_eligible_resident() -> None:
    form = load_template(DEMO).questionnaire
    result = validate_answers(form, ELIGIBLE_RESIDENT, today=TODAY)
    assert result.problems == ()
    assert result.dropped == ()
    assert result.answers["eligible"] == "yes"
    assert result.answers["age_group"] == "age_40_49"
    assert result.answers["aware_channels"] == ["tv", "community"]


def test_demo_drops_follow_ups_that_no_longer_apply() -> None:
    form = load_template(DEMO).questionnaire
    answers = {**ELIGIBLE_RESIDENT, "aware": "dont_know", "satisfaction": "satisfied"}
    result = validate_answers(form, answers, today=TODAY)
    assert result.problems == ()
    assert set(result.dropped) == {"aware_channels", "dissatisfaction_reason"}


def test_demo_ineligible_residents_end_politely() -> None:
    form = load_template(DEMO).questionnaire
    answers = {"consent": "agree", "resident_6m": "yes", "age": 12, "sex": "male"}
    result = validate_answers(form, answers, today=TODAY)
    assert result.problems == ()
    assert result.answers["eligible"] == "no"
    assert result.dropped == ("sex",)
    screening = next(page for page in pages(form) if page.name == "screening")
    assert visible_questions(form, screening, answers) == ["resident_6m", "age", "ineligible_end"]
    later = [page.name for page in pages(form) if visible_questions(form, page, answers)]
    assert later == ["consent_page", "screening"]


def test_demo_reports_missing_and_out_of_range_answers_in_each_language() -> None:
    form = load_template(DEMO).questionnaire
    answers = {**ELIGIBLE_RESIDENT, "age": 150, "support": None, "street": "d1_s1"}
    chinese = validate_answers(form, answers, today=TODAY)
    english = validate_answers(form, answers, language="en", today=TODAY)
    assert [(p.name, p.code) for p in chinese.problems] == [
        ("age", "constraint"),
        ("street", "choice_filter"),
        ("community", "choice_filter"),
        ("support", "required"),
    ]
    assert chinese.problems[0].message == "请填写0至120之间的整数年龄。"
    assert english.problems[0].message == "Enter an age from 0 to 120 in whole years."
    assert english.problems[3].message == "This question is required."
    assert chinese.problems[3].message == "此题为必答题。"


def test_demo_pages_are_the_top_level_groups() -> None:
    form = load_template(DEMO).questionnaire
    assert [page.name for page in pages(form)] == [
        "consent_page",
        "screening",
        "demographics",
        "awareness_page",
        "support_page",
        "participation_page",
        "volunteer_page",
        "satisfaction_page",
        "security_page",
        "education_page",
        "government_services_page",
        "closing",
    ]
    first = pages(form)[0]
    assert visible_questions(form, first, {}) == ["intro", "consent"]
    assert visible_questions(form, first, {"consent": "decline"}) == [
        "intro",
        "consent",
        "declined_end",
    ]


SAMPLE = [
    {
        "satisfaction": "very_satisfied",
        "education_satisfaction": "satisfied",
        "security": "safe",
        "volunteer_support": "support",
        "district": "d1",
        "age_group": "age_14_29",
    },
    {
        "satisfaction": "neutral",
        "education_satisfaction": "unsure",
        "security": "not_very_safe",
        "volunteer_support": "unsure",
        "district": "d1",
    },
    {
        "satisfaction": "unsure",
        "education_satisfaction": "dissatisfied",
        "security": "fairly_safe",
        "volunteer_support": "indifferent",
        "district": "d2",
    },
    {"district": "d3"},
]


@pytest.mark.parametrize(
    ("indicator_id", "expected"),
    [
        ("satisfaction_rate", [1.0, 0.0, 0.0, math.nan]),
        ("education_satisfaction_rate", [1.0, math.nan, 0.0, math.nan]),
        ("security_rate", [1.0, 0.0, 1.0, math.nan]),
        ("volunteer_recognition_rate", [1.0, 0.0, 0.0, math.nan]),
    ],
)
def test_demo_indicators_derive_zero_one_variables(
    indicator_id: str, expected: list[float]
) -> None:
    indicators = {i.id: i for i in load_template(DEMO).indicators}
    variable = derive_indicator(indicators[indicator_id], SAMPLE)
    assert variable.indicator == indicator_id
    assert [math.isnan(v) for v in variable.values] == [math.isnan(v) for v in expected]
    assert [v for v in variable.values if not math.isnan(v)] == [
        v for v in expected if not math.isnan(v)
    ]
    assert variable.domains["district"] == ["d1", "d1", "d2", "d3"]
    assert variable.domains["age_group"] == ["age_14_29", None, None, None]


def test_demo_thresholds_are_settings_with_the_product_defaults() -> None:
    indicators = {i.id: i for i in load_template(DEMO).indicators}
    assert indicators["volunteer_recognition_rate"].threshold == 0.90
    assert indicators["security_rate"].threshold == 0.85
    assert all(i.direction == ">=" for i in indicators.values())
    assert all(
        i.domains == ("district", "street", "community", "age_group", "sex")
        for i in indicators.values()
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_outline_shows_every_label_in_the_language(name: str, language: str) -> None:
    form = load_template(name).questionnaire
    text = outline(form, language)
    labels = [form.localize(item.label, language) for item, _ in form.walk() if item.label]
    labels += [
        form.localize(c.label, language)
        for lst in form.choice_lists
        for c in lst.choices
        if lst.name != "age_group"
    ]
    assert [label for label in labels if label not in text] == []
    other = "en" if language == "zh" else "zh"
    consent = form.question("consent")
    assert consent is not None
    assert form.localize(consent.label, other) not in text
