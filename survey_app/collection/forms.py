"""The resident's form: from posted fields to an answer set, and back for re-display."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import msgspec

from questionnaires.model import Question, Questionnaire
from questionnaires.serialization import from_json

FIELD_PREFIX = "q."


@lru_cache(maxsize=32)
def _parsed(version_id: int, definition: bytes) -> Questionnaire:
    del version_id  # part of the cache key only: a version's definition never changes
    return from_json(definition)


def questionnaire_of(version_id: int, definition: dict[str, Any]) -> Questionnaire:
    """The questionnaire stored as JSON in a version row (parsed and checked once per version)."""
    return _parsed(version_id, msgspec.json.encode(definition))


def questionnaire_language(locale: str) -> str:
    return locale.split("_", maxsplit=1)[0]


def answers_from_form(
    questionnaire: Questionnaire, form: Mapping[str, list[str]]
) -> dict[str, Any]:
    """Answers keyed by question name from `q.<name>` fields; empty fields are left out."""
    answers: dict[str, Any] = {}
    for question in questionnaire.questions():
        values = [v for v in form.get(FIELD_PREFIX + question.name, []) if v.strip()]
        if not values:
            continue
        answers[question.name] = values if question.type == "select_multiple" else values[0]
    return answers


def shown_value(question: Question, answers: Mapping[str, Any]) -> list[str]:
    """What to put back into the form for `question`: a list of strings (codes for selects)."""
    value = answers.get(question.name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]
