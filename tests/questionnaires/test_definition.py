"""The model, its JSON form, and the consistency checks run on every questionnaire."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from questionnaires import (
    Choice,
    ChoiceList,
    DefinitionError,
    Group,
    Language,
    LegalMarkings,
    Question,
    Questionnaire,
    Repeat,
    check_questionnaire,
    from_json,
    localize,
    to_json,
    validate_questionnaire,
)

ZH_EN = (Language("zh", "中文"), Language("en", "English"))


def _form(*items: Question | Group | Repeat, lists: tuple[ChoiceList, ...] = ()) -> Questionnaire:
    return Questionnaire(
        id="t",
        version="1",
        title={"zh": "测试", "en": "Test"},
        languages=ZH_EN,
        default_language="zh",
        items=items,
        choice_lists=lists,
    )


YES_NO = ChoiceList(
    "yes_no",
    (
        Choice(name="yes", label={"zh": "是", "en": "Yes"}),
        Choice(name="no", label={"zh": "否", "en": "No"}),
    ),
)


def _codes(form: Questionnaire) -> list[tuple[str, str, str]]:
    return [(p.code, p.item or p.choice_list, p.field) for p in check_questionnaire(form)]


def test_json_round_trip_keeps_everything() -> None:
    form = Questionnaire(
        id="t",
        version="3",
        title={"zh": "测试", "en": "Test"},
        languages=ZH_EN,
        default_language="zh",
        legal=LegalMarkings("表1", "某办", "某字〔2026〕1号", date(2027, 6, 30)),
        privacy_notice={"zh": "保密", "en": "Confidential"},
        items=(
            Group(
                name="g",
                label={"zh": "组"},
                children=(
                    Question(
                        type="select_one",
                        name="q",
                        list_name="yes_no",
                        label={"zh": "问"},
                        required="true()",
                    ),
                ),
            ),
        ),
        choice_lists=(YES_NO,),
    )
    data = to_json(form)
    assert b'"kind":"group"' in data
    assert b'"valid_until":"2027-06-30"' in data
    assert from_json(data) == form
    assert from_json(data.decode()) == form


def test_from_json_rejects_malformed_and_inconsistent_definitions() -> None:
    with pytest.raises(DefinitionError) as malformed:
        from_json(b'{"id": "t"}')
    assert malformed.value.problems[0].code == "bad_json"
    inconsistent = _form(
        Question(type="integer", name="a", label={"zh": "甲"}, relevant="${b} > 1")
    )
    with pytest.raises(DefinitionError, match=r"a\.relevant: \$\{b\} is not a question"):
        from_json(msgspec.json.encode(inconsistent))


def test_localize_falls_back_to_default_then_any_language() -> None:
    form = _form()
    assert form.localize({"zh": "年龄", "en": "Age"}, "en") == "Age"
    assert form.localize({"zh": "年龄", "en": ""}, "en") == "年龄"
    assert form.localize({"en": "Age"}, "fr") == "Age"
    assert localize({}, "zh") == ""


def test_a_sound_questionnaire_passes() -> None:
    form = _form(
        Question(type="select_one", name="q", list_name="yes_no", label={"zh": "问", "en": "Q"}),
        lists=(YES_NO,),
    )
    assert validate_questionnaire(form) is form


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ((Question(type="text", name="2nd", label={"zh": "x"}),), ("invalid_name", "2nd", "name")),
        (
            (
                Question(type="text", name="a", label={"zh": "x"}),
                Question(type="text", name="a", label={"zh": "y"}),
            ),
            ("duplicate_name", "a", "name"),
        ),
        ((Question(type="text", name="a"),), ("missing_label", "a", "label")),
        ((Question(type="text", name="a", label={"fr": "x"}),), ("unknown_language", "a", "label")),
        (
            (Question(type="select_one", name="a", label={"zh": "x"}),),
            ("missing_list", "a", "type"),
        ),
        (
            (Question(type="select_one", name="a", label={"zh": "x"}, list_name="colours"),),
            ("unknown_list", "a", "type"),
        ),
        (
            (Question(type="integer", name="a", label={"zh": "x"}, list_name="yes_no"),),
            ("unexpected_list", "a", "type"),
        ),
        ((Question(type="calculate", name="a"),), ("missing_calculation", "a", "calculation")),
        (
            (Question(type="text", name="a", label={"zh": "x"}, calculation="1"),),
            ("unexpected_calculation", "a", "calculation"),
        ),
        (
            (Question(type="text", name="a", label={"zh": "x"}, choice_filter="1"),),
            ("unexpected_choice_filter", "a", "choice_filter"),
        ),
        (
            (Question(type="text", name="a", label={"zh": "x"}, relevant="1 +"),),
            ("bad_expression", "a", "relevant"),
        ),
        (
            (Question(type="calculate", name="a", calculation="${a} + 1"),),
            ("self_reference", "a", "calculation"),
        ),
        (
            (Question(type="text", name="a", label={"zh": "x"}, relevant=". = ''"),),
            ("misplaced_current", "a", "relevant"),
        ),
        (
            (Question(type="text", name="a", label={"zh": "x"}, constraint="a = 1"),),
            ("bare_name", "a", "constraint"),
        ),
        (
            (
                Question(
                    type="select_one",
                    name="a",
                    label={"zh": "x"},
                    list_name="yes_no",
                    choice_filter="district = 'd1'",
                ),
            ),
            ("unknown_choice_column", "a", "choice_filter"),
        ),
        (
            (Question(type="text", name="a", label={"zh": "x"}, required="yes"),),
            ("bad_required", "a", "required"),
        ),
        ((Group(name="g", label={"zh": "x"}),), ("empty_group", "g", "type")),
        (
            (Question(type="note", name="meta", label={"zh": "x"}),),
            ("reserved_name", "meta", "name"),
        ),
        (
            (Question(type="select_one", name="consent", label={"zh": "x"}, list_name="yes_no"),),
            ("bad_consent", "consent", "type"),
        ),
        (
            (Question(type="text", name="consent", label={"zh": "x"}),),
            ("bad_consent", "consent", "type"),
        ),
        (
            (
                Repeat(
                    name="r",
                    children=(Question(type="text", name="a", label={"zh": "x"}),),
                    repeat_count="${nope}",
                ),
            ),
            ("unknown_reference", "r", "repeat_count"),
        ),
    ],
)
def test_each_inconsistency_is_reported(
    items: tuple[Question | Group | Repeat, ...], expected: tuple[str, str, str]
) -> None:
    assert _codes(_form(*items, lists=(YES_NO,))) == [expected]


def test_choice_list_problems() -> None:
    lists = (
        YES_NO,
        YES_NO,
        ChoiceList(
            "bad",
            (
                Choice(name="a b", label={"zh": "x"}),
                Choice(name="c", label={"zh": "x"}, filters={"a b": "1"}),
                Choice(name="c"),
            ),
        ),
        ChoiceList("empty", ()),
    )
    assert _codes(_form(Question(type="note", name="n", label={"zh": "x"}), lists=lists)) == [
        ("duplicate_list", "yes_no", "list_name"),
        ("invalid_choice_name", "bad", "name"),
        ("invalid_column", "bad", "a b"),
        ("duplicate_choice", "bad", "name"),
        ("missing_label", "bad", "label"),
        ("empty_list", "empty", "list_name"),
    ]


def test_settings_problems() -> None:
    form = Questionnaire(
        id=" ",
        version="",
        title={},
        languages=(ZH_EN[0], ZH_EN[0]),
        default_language="en",
        items=(),
    )
    assert [p.code for p in check_questionnaire(form)] == [
        "missing_id",
        "missing_version",
        "duplicate_language",
        "unknown_language",
        "missing_title",
    ]
    assert str(check_questionnaire(form)[0]) == "settings.form_id: the form id is empty"
