"""Hypothesis: any sound questionnaire survives XLSForm export -> import and JSON unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires import (
    Choice,
    ChoiceList,
    Group,
    Item,
    Language,
    Question,
    Questionnaire,
    check_questionnaire,
    from_json,
    read_xlsform,
    to_json,
    write_xlsform,
)

LANGUAGES = (Language("zh", "中文"), Language("en", "English"))
_WORDS = (
    st.text(st.sampled_from("abcXYZ019 文明城市满意度？，-"), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
_TEXT = st.fixed_dictionaries({"zh": _WORDS, "en": _WORDS})
_OPTIONAL_TEXT = st.one_of(st.just({}), _TEXT)
_TYPES = [
    "integer",
    "decimal",
    "text",
    "date",
    "note",
    "select_one",
    "select_multiple",
    "calculate",
]


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    count = draw(st.integers(1, 8))
    questions: list[Item] = []
    for index in range(count):
        kind = draw(st.sampled_from(_TYPES))
        name = f"q{index}"
        previous = f"${{q{index - 1}}}" if index else ""
        fields: dict[str, object] = {"type": kind, "name": name}
        if kind == "calculate":
            fields["calculation"] = draw(st.sampled_from(["1 + 1", "concat('a', 'b')"]))
        else:
            fields["label"] = draw(_TEXT)
            fields["hint"] = draw(_OPTIONAL_TEXT)
        if kind in ("select_one", "select_multiple"):
            fields["list_name"] = "options"
        if kind in ("integer", "decimal"):
            fields["constraint"] = ". >= 0"
            fields["constraint_message"] = draw(_OPTIONAL_TEXT)
        if kind != "note" and kind != "calculate" and draw(st.booleans()):
            fields["required"] = "true()"
            fields["required_message"] = draw(_OPTIONAL_TEXT)
        if previous and draw(st.booleans()):
            fields["relevant"] = f"{previous} != ''"
        questions.append(Question(**fields))  # type: ignore[arg-type]
    split = draw(st.integers(0, count))
    items: tuple[Item, ...] = tuple(questions[:split])
    if split < count:
        items += (
            Group(name="page", label=draw(_OPTIONAL_TEXT), children=tuple(questions[split:])),
        )
    choices = tuple(
        Choice(
            name=f"c{i}",
            label=draw(_TEXT),
            filters=draw(st.sampled_from([{}, {"region": "north"}])),
        )
        for i in range(draw(st.integers(1, 4)))
    )
    return Questionnaire(
        id="generated",
        version=draw(st.sampled_from(["1", "2026.1"])),
        title=draw(_TEXT),
        languages=LANGUAGES,
        default_language="zh",
        items=items,
        choice_lists=(ChoiceList("options", choices),),
        privacy_notice=draw(_OPTIONAL_TEXT),
    )


@settings(max_examples=25, deadline=None)
@given(questionnaires())
def test_export_then_import_is_the_identity(form: Questionnaire) -> None:
    assert check_questionnaire(form) == []
    assert read_xlsform(write_xlsform(form)) == form


@settings(max_examples=50, deadline=None)
@given(questionnaires())
def test_json_round_trip_is_the_identity(form: Questionnaire) -> None:
    assert from_json(to_json(form)) == form
