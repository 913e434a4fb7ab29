"""What the web survey shows: one page per top-level group, and which questions are visible."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from questionnaires.model import INPUT_TYPES, Group, Item, Question, Questionnaire
from questionnaires.validation import relevant_names


def _shown(item: Item) -> bool:
    return not isinstance(item, Question) or item.type in (*INPUT_TYPES, "note")


def pages(questionnaire: Questionnaire) -> tuple[Group, ...]:
    """The pages of the web survey, in order.

    Each top-level group (or repeat, wrapped in a group of the same name) is a page. Consecutive
    top-level questions outside any group share a page named after the first of them;
    calculations and metadata never make a page of their own.
    """
    result: list[Group] = []
    loose: list[Item] = []

    def flush() -> None:
        if any(_shown(item) for item in loose):
            first = next(item for item in loose if _shown(item))
            result.append(Group(name=first.name, label=first.label, children=tuple(loose)))
        loose.clear()

    for item in questionnaire.items:
        if isinstance(item, Question):
            loose.append(item)
            continue
        flush()
        if isinstance(item, Group):
            result.append(item)
        else:
            result.append(Group(name=item.name, label=item.label, children=(item,)))
    flush()
    return tuple(result)


def visible_questions(
    questionnaire: Questionnaire,
    page: Group,
    answers: Mapping[str, object],
    *,
    today: date | None = None,
) -> list[str]:
    """Names of the questions (notes included) and repeats on ``page`` that are relevant.

    ``page`` is one of :func:`pages`; relevance is evaluated exactly as in validation, so an
    answer that hides a later question hides it here too.
    """
    relevant = set(relevant_names(questionnaire, answers, today=today))
    on_page: list[str] = []

    def collect(items: tuple[Item, ...]) -> None:
        for item in items:
            if isinstance(item, Group):
                collect(item.children)
            elif _shown(item) and item.name in relevant:
                on_page.append(item.name)

    collect(page.children)
    return on_page
