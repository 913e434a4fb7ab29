"""Answer-set validation: types, required, constraints, relevance, choices, repeats, messages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires import (
    Choice,
    ChoiceList,
    Group,
    Language,
    Question,
    Questionnaire,
    Repeat,
    load_template,
    validate_answers,
)

FORM = Questionnaire(
    id="v",
    version="1",
    title={"zh": "校验", "en": "Validation"},
    languages=(Language("zh", "中文"), Language("en", "English")),
    default_language="zh",
    items=(
        Question(type="start", name="start"),
        Question(
            type="integer",
            name="age",
            label={"zh": "年龄", "en": "Age"},
            required="true()",
            constraint=". >= 14",
            constraint_message={"zh": "须年满14周岁", "en": "Must be 14 or over"},
        ),
        Question(type="decimal", name="income", label={"zh": "收入", "en": "Income"}),
        Question(
            type="date",
            name="moved_in",
            label={"zh": "迁入日期", "en": "Moved in"},
            constraint=". <= today()",
        ),
        Question(
            type="select_multiple",
            name="media",
            list_name="media",
            label={"zh": "渠道", "en": "Media"},
        ),
        Question(
            type="text",
            name="other_media",
            label={"zh": "其他", "en": "Other"},
            required="selected(${media}, 'other')",
            required_message={"zh": "请说明其他渠道", "en": "Say which"},
        ),
        Group(
            name="senior",
            label={"zh": "老年", "en": "Seniors"},
            relevant="${age} >= 60",
            children=(
                Question(
                    type="select_one",
                    name="pension",
                    list_name="yes_no",
                    label={"zh": "养老金", "en": "Pension"},
                    required="true()",
                ),
            ),
        ),
        Question(type="note", name="n", label={"zh": "说明", "en": "Note"}),
        Question(type="calculate", name="decade", calculation="int(${age} div 10) * 10"),
        Repeat(
            name="children",
            label={"zh": "子女", "en": "Children"},
            children=(
                Question(
                    type="integer", name="child_age", label={"zh": "年龄"}, constraint=". < ${age}"
                ),
            ),
        ),
    ),
    choice_lists=(
        ChoiceList("media", tuple(Choice(name=c, label={"zh": c}) for c in ("tv", "web", "other"))),
        ChoiceList(
            "yes_no",
            (Choice(name="yes", label={"zh": "是"}), Choice(name="no", label={"zh": "否"})),
        ),
    ),
)
TODAY = date(2026, 11, 22)


def _problems(answers: dict[str, object], language: str = "zh") -> list[tuple[str, str, str]]:
    result = validate_answers(FORM, answers, language=language, today=TODAY)
    return [(p.name, p.code, p.message) for p in result.problems]


def test_typed_answers_and_computed_calculations() -> None:
    result = validate_answers(
        FORM,
        {
            "start": "2026-11-22T09:00:00+08:00",
            "age": " 47 ",
            "income": "3500.5",
            "moved_in": date(2001, 5, 1),
            "media": "tv  web",
            "n": "ignored",
            "decade": "forged",
            "children": [{"child_age": "12"}],
        },
        today=TODAY,
    )
    assert result.valid
    assert result.answers == {
        "start": "2026-11-22T09:00:00+08:00",
        "age": 47,
        "income": 3500.5,
        "moved_in": "2001-05-01",
        "media": ["tv", "web"],
        "decade": "40",
        "children": [{"child_age": 12}],
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {"age": "forty"},
            [("age", "type", "请输入整数。")],
        ),
        ({"age": 30, "income": "3,500"}, [("income", "type", "请输入数字。")]),
        (
            {"age": 30, "moved_in": "2026-02-30"},
            [("moved_in", "type", "请输入有效日期（年-月-日）。")],
        ),
        ({"age": True}, [("age", "type", "请输入整数。")]),
        ({"age": 12}, [("age", "constraint", "须年满14周岁")]),
        ({"age": 30, "moved_in": "2026-12-01"}, [("moved_in", "constraint", "答案不符合要求。")]),
        ({"age": 30, "media": ["tv", "radio"]}, [("media", "choice", "“radio”不是本题的选项。")]),
        ({"age": 30, "media": ["other"]}, [("other_media", "required", "请说明其他渠道")]),
        ({"age": 70}, [("pension", "required", "此题为必答题。")]),
        ({"age": 70, "pension": "maybe"}, [("pension", "choice", "“maybe”不是本题的选项。")]),
        (
            {"age": 30, "income_typo": 1},
            [("income_typo", "unknown_question", "问卷中没有这道题。")],
        ),
        (
            {"age": 30, "children": {"child_age": 3}},
            [("children", "type", "重复组的答案应为若干组回答的列表。")],
        ),
    ],
)
def test_each_problem_is_reported_with_its_message(
    answers: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    assert _problems(answers) == expected


def test_messages_in_english() -> None:
    assert _problems({"age": 12, "income": "x"}, language="en") == [
        ("income", "type", "Enter a number."),
        ("age", "constraint", "Must be 14 or over"),
    ]
    assert _problems({}, language="en") == [("age", "required", "This question is required.")]


def test_unknown_language_falls_back_to_chinese() -> None:
    assert _problems({}, language="fr") == [("age", "required", "此题为必答题。")]


def test_irrelevant_answers_are_dropped_not_rejected() -> None:
    result = validate_answers(FORM, {"age": 40, "pension": "yes"}, today=TODAY)
    assert result.valid
    assert result.dropped == ("pension",)
    assert "pension" not in result.answers


def test_repeat_instances_see_outer_answers_and_are_located() -> None:
    result = validate_answers(
        FORM,
        {
            "age": 30,
            "children": [{"child_age": 3}, {"child_age": 31}, {"child_age": 5, "stray": 1}],
        },
        today=TODAY,
    )
    assert [(p.name, p.code, p.repeat, p.index) for p in result.problems] == [
        ("child_age", "constraint", "children", 1),
        ("stray", "unknown_question", "children", 2),
    ]


def test_select_multiple_as_list_or_string_and_select_one_single_code() -> None:
    as_list = validate_answers(FORM, {"age": 30, "media": ["web", "tv", "web"]})
    as_text = validate_answers(FORM, {"age": 30, "media": "web tv"})
    assert as_list.answers["media"] == as_text.answers["media"] == ["web", "tv"]
    two = validate_answers(FORM, {"age": 70, "pension": "yes no"})
    assert [(p.name, p.code) for p in two.problems] == [("pension", "type")]


DEMO = load_template("civilized_city_resident").questionnaire


@st.composite
def demo_answers(draw: st.DrawFn) -> dict[str, object]:
    """Answer sets for the demo survey: valid codes, wrong codes, odd ages, gaps."""
    answers: dict[str, object] = {}
    for question in DEMO.questions():
        if question.type not in ("integer", "text", "select_one", "select_multiple"):
            continue
        if draw(st.booleans()) and draw(st.booleans()):
            continue
        choice_list = DEMO.choice_list(question.list_name)
        codes = [*(choice_list.codes() if choice_list else ()), "bogus"]
        if question.type == "integer":
            answers[question.name] = draw(st.one_of(st.integers(-5, 130), st.just("abc")))
        elif question.type == "select_one":
            answers[question.name] = draw(st.sampled_from(codes))
        elif question.type == "select_multiple":
            answers[question.name] = draw(st.lists(st.sampled_from(codes), max_size=3))
        else:
            answers[question.name] = draw(st.text(max_size=5))
    return answers


@settings(max_examples=60, deadline=None)
@given(demo_answers())
def test_cleaned_answers_are_a_fixed_point(answers: dict[str, object]) -> None:
    first = validate_answers(DEMO, answers, today=TODAY)
    second = validate_answers(DEMO, first.answers, today=TODAY)
    assert second.answers == first.answers
    assert second.dropped == ()
    if not any(p.code == "type" for p in first.problems):
        assert second.problems == first.problems


def test_numeric_choice_codes_may_come_as_numbers() -> None:
    form = Questionnaire(
        id="n",
        version="1",
        title={"zh": "数"},
        languages=(Language("zh", "中文"),),
        default_language="zh",
        items=(
            Question(type="select_one", name="one", list_name="yes_no", label={"zh": "是否"}),
            Question(type="select_multiple", name="many", list_name="yes_no", label={"zh": "多"}),
        ),
        choice_lists=(
            ChoiceList(
                "yes_no",
                (Choice(name="1", label={"zh": "是"}), Choice(name="0", label={"zh": "否"})),
            ),
        ),
    )
    result = validate_answers(form, {"one": 1, "many": [0, 1.0]})
    assert result.valid
    assert result.answers == {"one": "1", "many": ["0", "1"]}
    assert [p.code for p in validate_answers(form, {"one": 0.5}).problems] == ["type"]
