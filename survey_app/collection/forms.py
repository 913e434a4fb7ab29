"""The resident's pages as HTML forms: posted fields to answers, answers back to fields.

Answers are kept as the resident typed them (strings, lists of codes for multiple choice) until
the questionnaire's own validation converts them; a page shows exactly what was entered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import msgspec

from questionnaires.expressions import evaluate_boolean
from questionnaires.model import INPUT_TYPES, Choice, Group, Item, Question, Questionnaire

FIELD_PREFIX = "q."
MAX_ANSWER_CHARS = 500
"""The longest answer a resident may type (the form's `maxlength`, checked again here)."""
MAX_CHOICES_PER_ANSWER = 100
_LOGIC_KEYS = ("kind", "type", "name", "relevant", "calculation")


def questionnaire_language(locale: str) -> str:
    return locale.split("_", maxsplit=1)[0]


def page_questions(page: Group) -> list[Question]:
    """The questions a resident answers on `page`, in form order (groups flattened)."""
    found: list[Question] = []

    def collect(items: tuple[Item, ...]) -> None:
        for item in items:
            if isinstance(item, Question):
                if item.type in INPUT_TYPES:
                    found.append(item)
            elif isinstance(item, Group):
                collect(item.children)

    collect(page.children)
    return found


def answers_from_form(
    questions: list[Question], form: Mapping[str, list[str]]
) -> tuple[dict[str, Any], set[str]]:
    """The answers posted for `questions` (from `q.<name>` fields) and the names left blank.

    Values longer than `MAX_ANSWER_CHARS` are cut there (the page's `maxlength` says the same);
    a multiple choice keeps at most `MAX_CHOICES_PER_ANSWER` codes.
    """
    answers: dict[str, Any] = {}
    blank: set[str] = set()
    for question in questions:
        values = [v.strip()[:MAX_ANSWER_CHARS] for v in form.get(FIELD_PREFIX + question.name, [])]
        values = [v for v in values if v]
        if not values:
            blank.add(question.name)
        elif question.type == "select_multiple":
            answers[question.name] = list(dict.fromkeys(values))[:MAX_CHOICES_PER_ANSWER]
        else:
            answers[question.name] = values[0]
    return answers, blank


def shown_value(question: Question, answers: Mapping[str, Any]) -> list[str]:
    """What to put back into the form for `question`: a list of strings (codes for selects)."""
    value = answers.get(question.name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def offered_choices(
    questionnaire: Questionnaire,
    question: Question,
    values: Mapping[str, Any],
    today: date,
) -> list[Choice]:
    """The choices `question` offers given the answers so far (its `choice_filter` applied)."""
    choice_list = questionnaire.choice_list(question.list_name)
    if choice_list is None:
        return []
    if not question.choice_filter:
        return list(choice_list.choices)
    return [
        choice
        for choice in choice_list.choices
        if evaluate_boolean(
            question.choice_filter,
            values,
            choice={"name": choice.name, **choice.filters},
            today=today,
        )
    ]


def logic_items(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    """The questionnaire's items with only what skip logic needs (for `MinyiExpressions`)."""

    def prune(item: Item) -> dict[str, Any]:
        built: dict[str, Any] = msgspec.to_builtins(item)
        pruned = {key: built[key] for key in _LOGIC_KEYS if built.get(key)}
        if not isinstance(item, Question):
            pruned["children"] = [prune(child) for child in item.children]
        return pruned

    return [prune(item) for item in questionnaire.items]
