"""Which page comes next, and how a questionnaire ended, from the answers so far.

Pages are the questionnaire's top-level groups (`questionnaires.pages`); a page is shown when
at least one of its questions or notes is relevant. A questionnaire ends when no later page is
relevant. How it ended is read from the form itself, the way the shipped templates are written:

- a note with its own `relevant` that is showing on the last page is a polite ending
  ("thank you, the survey ends here"), so the resident stopped early;
- stopping early on the page that asks the question named `consent` is a refusal
  (AAPOR 2.11), stopping early on a later page is a screen-out (AAPOR 4.70, not eligible);
- otherwise the questionnaire is complete (AAPOR 1.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from questionnaires.model import CONSENT_QUESTION, Group, Item, Question, Questionnaire
from questionnaires.pages import pages
from questionnaires.validation import relevant_names

COMPLETE = "1.1"
REFUSED = "2.11"
NOT_ELIGIBLE = "4.70"


def _shown_names(items: Iterable[Item]) -> list[Question]:
    found: list[Question] = []
    for item in items:
        if isinstance(item, Question):
            if item.type not in ("calculate", "start", "end", "today", "deviceid"):
                found.append(item)
        elif isinstance(item, Group):
            found.extend(_shown_names(item.children))
    return found


def today() -> date:
    """The date `today()` means in skip logic and constraints (the server's local date)."""
    return date.today()


@dataclass(frozen=True, slots=True)
class Route:
    """Where the resident stands: the page list and which names are relevant now."""

    questionnaire: Questionnaire
    pages: tuple[Group, ...]
    relevant: frozenset[str]

    @classmethod
    def of(cls, questionnaire: Questionnaire, answers: Mapping[str, object], today: date) -> Route:
        relevant = frozenset(relevant_names(questionnaire, answers, today=today))
        return cls(questionnaire, pages(questionnaire), relevant)

    def index(self, name: str) -> int | None:
        return next((i for i, page in enumerate(self.pages) if page.name == name), None)

    def is_shown(self, page: Group) -> bool:
        return any(q.name in self.relevant for q in _shown_names(page.children))

    def first(self) -> Group:
        return next((p for p in self.pages if self.is_shown(p)), self.pages[0])

    def after(self, page: Group) -> Group | None:
        index = self.index(page.name)
        start = 0 if index is None else index + 1
        return next((p for p in self.pages[start:] if self.is_shown(p)), None)

    def before(self, page: Group) -> Group | None:
        index = self.index(page.name) or 0
        return next((p for p in reversed(self.pages[:index]) if self.is_shown(p)), None)

    def closing_notes(self, page: Group) -> list[Question]:
        """The conditional notes showing on `page`: the form's polite ending, if any."""
        return [
            q
            for q in _shown_names(page.children)
            if q.type == "note" and q.relevant and q.name in self.relevant
        ]

    def disposition(self, page: Group) -> str:
        """The AAPOR disposition of a questionnaire that ends on `page`."""
        if not self.closing_notes(page):
            return COMPLETE
        asks_consent = any(q.name == CONSENT_QUESTION for q in _shown_names(page.children))
        return REFUSED if asks_consent else NOT_ELIGIBLE
