"""The questionnaire definition: frozen structs that round-trip through JSON unchanged.

A questionnaire holds items (questions, groups, repeats) in form order and named choice lists.
Expressions (``relevant``, ``constraint``, ``required``, ``calculation``, ``choice_filter``) are
kept as their XLSForm source text; :mod:`questionnaires.checks` verifies them. ``required`` is an
expression too: ``""`` means optional and XLSForm ``yes`` is stored as ``true()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal, TypeAlias, get_args

import msgspec

from questionnaires.text import Language, Text, localize

QuestionType: TypeAlias = Literal[
    "integer",
    "decimal",
    "text",
    "select_one",
    "select_multiple",
    "date",
    "note",
    "calculate",
    "start",
    "end",
    "today",
    "deviceid",
]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
METADATA_TYPES = frozenset({"start", "end", "today", "deviceid"})
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
INPUT_TYPES = frozenset({"integer", "decimal", "text", "select_one", "select_multiple", "date"})
CONSENT_QUESTION = "consent"
"""The question whose answer records the respondent's consent after the privacy notice."""
CONSENT_AGREE = "agree"
"""The answer to :data:`CONSENT_QUESTION` that gives consent."""
CONSENT_DECLINE = "decline"
"""The answer to :data:`CONSENT_QUESTION` that refuses it and ends the interview."""
"""Types a respondent answers (notes, calculations and metadata are not asked)."""


class Question(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=True,
    tag="question",
    tag_field="kind",
):
    """One row of the XLSForm ``survey`` sheet that is not a group or repeat boundary."""

    type: QuestionType
    name: str
    label: Text = {}
    hint: Text = {}
    list_name: str = ""
    required: str = ""
    required_message: Text = {}
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = {}
    calculation: str = ""
    choice_filter: str = ""
    appearance: str = ""
    default: str = ""


class Group(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=True,
    tag="group",
    tag_field="kind",
):
    """``begin group`` … ``end group``; a top-level group is one page of the web survey."""

    name: str
    label: Text = {}
    relevant: str = ""
    appearance: str = ""
    children: tuple[Item, ...] = ()


class Repeat(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    forbid_unknown_fields=True,
    tag="repeat",
    tag_field="kind",
):
    """``begin repeat`` … ``end repeat``: its answers are a list of mappings, one per instance."""

    name: str
    label: Text = {}
    relevant: str = ""
    appearance: str = ""
    repeat_count: str = ""
    children: tuple[Item, ...] = ()


Item: TypeAlias = Question | Group | Repeat


class Choice(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """One answer option: a short ASCII code (``name``), its label, and the extra ``choices``
    columns a ``choice_filter`` tests (e.g. ``{"district": "d1"}``)."""

    name: str
    label: Text = {}
    filters: dict[str, str] = {}


class ChoiceList(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The rows of the ``choices`` sheet sharing one ``list_name``, in order."""

    name: str
    choices: tuple[Choice, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(choice.name for choice in self.choices)


class LegalMarkings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What the Statistics Law requires on a local statistical survey form."""

    form_number: str
    """表号"""
    authority: str
    """制定机关"""
    approval_number: str
    """批准文号"""
    valid_until: date
    """有效期至"""


class Questionnaire(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """One version of a questionnaire (the XLSForm ``settings`` plus its items and lists)."""

    id: str
    version: str
    title: Text
    languages: tuple[Language, ...]
    default_language: str
    items: tuple[Item, ...]
    choice_lists: tuple[ChoiceList, ...] = ()
    legal: LegalMarkings | None = None
    privacy_notice: Text = {}

    def localize(self, text: Text, language: str) -> str:
        """``text`` in ``language``, falling back to the default language, then the others."""
        return localize(text, language, (self.default_language, *self.language_codes()))

    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def walk(self) -> Iterator[tuple[Item, tuple[Group | Repeat, ...]]]:
        """Every item in form order with the groups and repeats that contain it, outermost first."""
        yield from walk_items(self.items, ())

    def questions(self) -> Iterator[Question]:
        """Every question (including notes, calculations and metadata) in form order."""
        return (item for item, _ in self.walk() if isinstance(item, Question))

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions() if q.name == name), None)

    def choice_list(self, name: str) -> ChoiceList | None:
        return next((lst for lst in self.choice_lists if lst.name == name), None)


def walk_items(
    items: tuple[Item, ...], parents: tuple[Group | Repeat, ...]
) -> Iterator[tuple[Item, tuple[Group | Repeat, ...]]]:
    """Depth-first walk of ``items`` yielding each item with its enclosing groups/repeats."""
    for item in items:
        yield item, parents
        if not isinstance(item, Question):
            yield from walk_items(item.children, (*parents, item))
