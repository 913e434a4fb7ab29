"""What a resident's page shows: the page's questions, their choices, progress and the data
the page's script needs for live skip logic (`MinyiExpressions.formState`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from questionnaires.messages import message
from questionnaires.model import Choice, ChoiceList, Group, Question
from questionnaires.validation import validate_answers
from survey_app.collection.forms import (
    FIELD_PREFIX,
    MAX_ANSWER_CHARS,
    logic_items,
    offered_choices,
    page_questions,
    shown_value,
)
from survey_app.collection.navigation import Route, today
from survey_app.collection.schemas import SurveyTarget

NO_CHOICES = ChoiceList("", ())


@dataclass(frozen=True, slots=True)
class PageView:
    """Everything `survey/page.html` renders."""

    target: SurveyTarget
    page: Group
    number: int
    total: int
    answers: Mapping[str, Any]
    relevant: frozenset[str]
    choices: dict[str, list[Choice]]
    problems: dict[str, str]
    language: str
    action: str
    is_first: bool
    is_last: bool
    resume_token: str | None
    shown_at: str
    start_uuid: str | None = None
    consent: bool = False
    script_data: str = ""
    field_prefix: str = FIELD_PREFIX
    max_answer_chars: int = MAX_ANSWER_CHARS

    def label(self, text: Mapping[str, str]) -> str:
        return self.target.questionnaire.localize(dict(text), self.language)

    def value(self, question: Question) -> list[str]:
        return shown_value(question, self.answers)


def page_questions_and_notes(page: Group) -> list[Question]:
    found: list[Question] = []
    for item in page.children:
        if isinstance(item, Question):
            found.append(item)
        elif isinstance(item, Group):
            found.extend(page_questions_and_notes(item))
    return found


def _json_for_script(data: object) -> str:
    """JSON safe inside `<script type="application/json">` (no `<` to end the element)."""
    return msgspec.json.encode(data).decode().replace("<", "\\u003c")


def page_view(
    target: SurveyTarget,
    page: Group,
    answers: Mapping[str, Any],
    *,
    language: str,
    action: str,
    resume_token: str | None,
    problems: dict[str, str] | None = None,
    start_uuid: str | None = None,
    consent: bool = False,
) -> PageView:
    questionnaire = target.questionnaire
    day = today()
    route = Route.of(questionnaire, answers, day)
    values = validate_answers(questionnaire, answers, language=language, today=day).answers
    index = route.index(page.name) or 0
    on_page = page_questions(page)
    choices = {
        q.name: offered_choices(questionnaire, q, values, day)
        for q in on_page
        if q.type in ("select_one", "select_multiple")
    }
    filtered = {
        q.name: {
            "filter": q.choice_filter,
            "choices": [
                {"name": c.name, "label": questionnaire.localize(c.label, language), **c.filters}
                for c in (questionnaire.choice_list(q.list_name) or NO_CHOICES).choices
            ],
        }
        for q in on_page
        if q.choice_filter
    }
    checks = {
        q.name: {
            "type": q.type,
            "constraint": q.constraint,
            "message": questionnaire.localize(q.constraint_message, language)
            or message("constraint", language),
        }
        for q in on_page
        if q.constraint or q.type in ("integer", "decimal")
    }
    page_names = {q.name for q in on_page}
    required = [q.name for q in on_page if q.required]
    pending = any(name in route.relevant and name not in answers for name in required)
    script = {
        "items": logic_items(questionnaire),
        "answers": {k: v for k, v in answers.items() if k not in page_names},
        "filters": filtered,
        "checks": checks,
        "messages": {key: message(key, language) for key in ("integer", "decimal")},
        "today": day.isoformat(),
        "later": [q.name for p in route.pages[index + 1 :] for q in page_questions_and_notes(p)],
        "required": required,
    }
    return PageView(
        target=target,
        page=page,
        number=index + 1,
        total=len(route.pages),
        answers=answers,
        relevant=route.relevant,
        choices=choices,
        problems=problems or {},
        language=language,
        action=action,
        is_first=route.before(page) is None,
        is_last=route.after(page) is None and not pending,
        resume_token=resume_token,
        shown_at=dt.datetime.now(dt.UTC).isoformat(),
        start_uuid=start_uuid,
        consent=consent,
        script_data=_json_for_script(script),
    )


def ending_notes(target: SurveyTarget, names: Iterable[object], language: str) -> list[str]:
    """The polite ending notes that showed where the resident stopped, named when finishing."""
    questionnaire = target.questionnaire
    notes = [questionnaire.question(name) for name in names if isinstance(name, str)]
    return [questionnaire.localize(note.label, language) for note in notes if note is not None]
