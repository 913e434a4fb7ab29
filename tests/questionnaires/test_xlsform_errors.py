"""Malformed XLSForms: every problem is reported at once, naming sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from questionnaires import SheetProblem, XLSFormError, read_xlsform

Sheets = dict[str, list[list[Any]]]
Make = Callable[[Sheets], bytes]


def _problems(data: bytes) -> tuple[SheetProblem, ...]:
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(data)
    return raised.value.problems


def _row(sheets: Sheets, name: str) -> int:
    """The spreadsheet row number of the survey row named ``name``."""
    return next(
        i for i, row in enumerate(sheets["survey"], start=1) if len(row) > 1 and row[1] == name
    )


def test_missing_survey_sheet(make_workbook: Make, household_sheets: Sheets) -> None:
    del household_sheets["survey"]
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("survey", None, None, "the workbook has no 'survey' sheet"),
    )


def test_missing_choices_sheet(make_workbook: Make, household_sheets: Sheets) -> None:
    del household_sheets["choices"]
    problems = _problems(make_workbook(household_sheets))
    assert (
        SheetProblem(
            "choices", None, None, "the workbook has no 'choices' sheet but uses select questions"
        )
        in problems
    )
    sex = next(p for p in problems if p.row == _row(household_sheets, "sex"))
    assert (sex.sheet, sex.column, sex.message) == (
        "survey",
        "A (type)",
        "choice list 'sex' does not exist",
    )


def test_not_a_workbook() -> None:
    problems = _problems(b"type,name\ninteger,age\n")
    assert problems[0].message.startswith("not an .xlsx workbook")


def test_unknown_type(make_workbook: Make, household_sheets: Sheets) -> None:
    row = _row(household_sheets, "household_size")
    household_sheets["survey"][row - 1][0] = "geopoint_precise"
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem(
            "survey",
            row,
            "A (type)",
            "unknown question type 'geopoint_precise'; Minyi reads integer, decimal, text, "
            "date, note, calculate, start, end, today, deviceid, select_one <list>, "
            "select_multiple <list>, begin/end group and begin/end repeat",
        ),
    )


def test_bad_expression_names_the_position(make_workbook: Make, household_sheets: Sheets) -> None:
    row = _row(household_sheets, "why_not")
    household_sheets["survey"][row - 1][7] = "${satisfaction} = 'dissatisfied' or"
    (problem,) = _problems(make_workbook(household_sheets))
    assert (problem.sheet, problem.row, problem.column) == ("survey", row, "H (relevant)")
    assert problem.message == (
        "expected a value, found 'end of expression' at position 35 in "
        "\"${satisfaction} = 'dissatisfied' or\""
    )


def test_reference_to_a_question_that_does_not_exist(
    make_workbook: Make, household_sheets: Sheets
) -> None:
    row = _row(household_sheets, "age")
    household_sheets["survey"][row - 1][8] = ". >= ${minimum_age}"
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem(
            "survey", row, "I (constraint)", "${minimum_age} is not a question of this form"
        ),
    )


def test_duplicate_names_point_at_the_second_row(
    make_workbook: Make, household_sheets: Sheets
) -> None:
    household_sheets["survey"].insert(-1, ["text", "age", "再问一次年龄", "Age again"])
    row = len(household_sheets["survey"]) - 1
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("survey", row, "B (name)", "the name 'age' is used more than once"),
    )


def test_choice_list_that_does_not_exist(make_workbook: Make, household_sheets: Sheets) -> None:
    row = _row(household_sheets, "sex")
    household_sheets["survey"][row - 1][0] = "select_one gender"
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("survey", row, "A (type)", "choice list 'gender' does not exist"),
    )


def test_duplicate_choice_points_at_the_choices_sheet(
    make_workbook: Make, household_sheets: Sheets
) -> None:
    household_sheets["choices"].append(["sex", "male", "男性", "Man"])
    row = len(household_sheets["choices"])
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("choices", row, "B (name)", "choice 'male' appears twice"),
    )


def test_group_never_closed(make_workbook: Make, household_sheets: Sheets) -> None:
    survey = household_sheets["survey"]
    survey.remove(["end repeat"])
    row = _row(household_sheets, "members")
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("survey", row, "A (type)", "repeat 'members' is never closed"),
    )


def test_end_without_begin_and_crossed_ends(make_workbook: Make, household_sheets: Sheets) -> None:
    survey = household_sheets["survey"]
    survey.append(["end group"])
    end_repeat = survey.index(["end repeat"])
    survey[end_repeat] = ["end group"]
    problems = _problems(make_workbook(household_sheets))
    begin = _row(household_sheets, "members")
    assert problems[:2] == (
        SheetProblem(
            "survey",
            end_repeat + 1,
            "A (type)",
            f"'end group' closes the repeat begun at row {begin}",
        ),
        SheetProblem(
            "survey", len(survey), "A (type)", f"'end group' closes the repeat begun at row {begin}"
        ),
    )
    assert problems[2] == SheetProblem(
        "survey", begin, "A (type)", "repeat 'members' is never closed"
    )


def test_every_problem_is_reported_at_once(make_workbook: Make, household_sheets: Sheets) -> None:
    survey = household_sheets["survey"]
    survey[_row(household_sheets, "household_size") - 1][0] = "barcode"
    survey[_row(household_sheets, "sex") - 1][0] = "select_one gender"
    survey[_row(household_sheets, "why_not") - 1][7] = "${satisfaction} = = 'x'"
    survey.append(["integer", "age", "年龄", "Age"])
    problems = _problems(make_workbook(household_sheets))
    assert {(p.row, p.column) for p in problems} == {
        (_row(household_sheets, "household_size"), "A (type)"),
        (_row(household_sheets, "sex"), "A (type)"),
        (_row(household_sheets, "why_not"), "H (relevant)"),
        (len(survey), "B (name)"),
    }
    assert all(p.sheet == "survey" for p in problems)
    text = str(XLSFormError(list(problems)))
    assert f"survey, row {len(survey)}, column B (name): the name 'age'" in text


def test_rows_without_name_or_type(make_workbook: Make, household_sheets: Sheets) -> None:
    survey = household_sheets["survey"]
    survey.append(["note", None, "无名", "Nameless"])
    survey.append(["begin group", None, "无名组", "Nameless group"])
    survey.append([None, "typeless", "无类型", "No type"])
    survey.append(["end group"])
    rows = len(survey)
    assert _problems(make_workbook(household_sheets)) == (
        SheetProblem("survey", rows - 3, "B (name)", "the name is empty"),
        SheetProblem("survey", rows - 1, "A (type)", "the type is empty"),
        SheetProblem("survey", rows - 2, "B (name)", "the name is empty"),
    )


def test_columns_are_named_as_the_sheet_writes_them(make_workbook: Make) -> None:
    survey = [
        ["Type", "Name", "Label", "jr:constraintMsg", "Constraint"],
        ["integer", "age", "Age", "Too old", ". <"],
    ]
    assert _problems(make_workbook({"survey": survey})) == (
        SheetProblem(
            "survey",
            2,
            "E (Constraint)",
            "expected a value, found 'end of expression' at position 3 in '. <'",
        ),
    )
