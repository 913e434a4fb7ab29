"""Consistency checks of a questionnaire definition (names, references, lists, languages).

Run on every questionnaire that enters the system: built in code, decoded from JSON, imported
from XLSForm or loaded from a template. :func:`check_questionnaire` lists every problem;
:func:`validate_questionnaire` raises :class:`DefinitionError` carrying them.
"""

from __future__ import annotations

import re
from collections import Counter

from questionnaires.errors import DefinitionError, DefinitionProblem, ExpressionError
from questionnaires.expressions import ChoiceColumn, Current, Reference, parse, walk
from questionnaires.expressions.tokenizer import NAME_PATTERN
from questionnaires.model import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    CONSENT_QUESTION,
    INPUT_TYPES,
    SELECT_TYPES,
    Group,
    Item,
    Question,
    Questionnaire,
    Repeat,
)
from questionnaires.text import Text

_NAME = re.compile(NAME_PATTERN)
_XLSFORM_BOOLEANS = frozenset({"yes", "no", "true", "false"})
_TEXT_FIELDS = ("label", "hint", "required_message", "constraint_message")
_EXPRESSION_FIELDS = (
    "relevant",
    "constraint",
    "required",
    "calculation",
    "choice_filter",
    "repeat_count",
)


class _Checker:
    def __init__(self, questionnaire: Questionnaire) -> None:
        self.form = questionnaire
        self.problems: list[DefinitionProblem] = []
        self.languages = set(questionnaire.language_codes())
        self.question_names = {q.name for q in questionnaire.questions()}

    def add(self, code: str, message: str, field: str, **where: str) -> None:
        self.problems.append(DefinitionProblem(code=code, message=message, field=field, **where))

    def texts(self, texts: dict[str, Text], **where: str) -> None:
        for field, text in texts.items():
            for code in sorted(set(text) - self.languages):
                self.add("unknown_language", f"language {code!r} is not declared", field, **where)

    def settings(self) -> None:
        form = self.form
        if not form.id.strip():
            self.add("missing_id", "the form id is empty", "form_id")
        if not form.version.strip():
            self.add("missing_version", "the version is empty", "version")
        if not form.languages:
            self.add("missing_language", "no language is declared", "default_language")
        duplicated = [code for code, n in Counter(form.language_codes()).items() if n > 1]
        for code in duplicated:
            self.add("duplicate_language", f"language {code!r} is declared twice", "languages")
        if form.languages and form.default_language not in self.languages:
            self.add(
                "unknown_language",
                f"default language {form.default_language!r} is not declared",
                "default_language",
            )
        if not any(form.title.values()):
            self.add("missing_title", "the form title is empty", "form_title")
        self.texts({"form_title": form.title, "privacy_notice": form.privacy_notice})

    def items(self) -> None:
        seen: set[str] = set()
        for item, parents in self.form.walk():
            if not _NAME.fullmatch(item.name):
                self.add(
                    "invalid_name",
                    f"{item.name!r} is not a valid name (letters, digits, _ - .; "
                    "starting with a letter or _)",
                    "name",
                    item=item.name,
                )
            elif item.name == "meta" and not parents:
                self.add(
                    "reserved_name",
                    "'meta' is reserved for the form's metadata",
                    "name",
                    item=item.name,
                )
            elif item.name in seen:
                self.add(
                    "duplicate_name",
                    f"the name {item.name!r} is used more than once",
                    "name",
                    item=item.name,
                )
            seen.add(item.name)
            self.texts(
                {field: getattr(item, field) for field in _TEXT_FIELDS if hasattr(item, field)},
                item=item.name,
            )
            if isinstance(item, Question):
                self.question(item)
            else:
                self.container(item)

    def container(self, item: Group | Repeat) -> None:
        if not item.children:
            self.add("empty_group", f"{item.name!r} contains no questions", "type", item=item.name)
        self.expression(item, "relevant", item.relevant)
        if isinstance(item, Repeat):
            self.expression(item, "repeat_count", item.repeat_count)

    def question(self, question: Question) -> None:
        where = {"item": question.name}
        if question.type in (*INPUT_TYPES, "note") and not any(question.label.values()):
            self.add("missing_label", "a label is required", "label", **where)
        if question.type in SELECT_TYPES:
            if not question.list_name:
                self.add("missing_list", f"{question.type} needs a choice list", "type", **where)
            elif self.form.choice_list(question.list_name) is None:
                self.add(
                    "unknown_list",
                    f"choice list {question.list_name!r} does not exist",
                    "type",
                    **where,
                )
        elif question.list_name:
            self.add("unexpected_list", f"{question.type} takes no choice list", "type", **where)
        if question.type == "calculate" and not question.calculation:
            self.add("missing_calculation", "calculate needs a calculation", "calculation", **where)
        elif question.type != "calculate" and question.calculation:
            self.add(
                "unexpected_calculation",
                "only calculate takes a calculation",
                "calculation",
                **where,
            )
        if question.choice_filter and question.type not in SELECT_TYPES:
            self.add(
                "unexpected_choice_filter",
                "only select questions take a choice_filter",
                "choice_filter",
                **where,
            )
        for field in _EXPRESSION_FIELDS:
            if hasattr(question, field):
                self.expression(question, field, getattr(question, field))
        if question.name == CONSENT_QUESTION:
            self.consent(question)

    def consent(self, question: Question) -> None:
        """The answers the consent question's name promises: agree gives consent, decline
        refuses it (a complete interview needs agree at every door)."""
        choices = self.form.choice_list(question.list_name)
        names = {choice.name for choice in choices.choices} if choices else set()
        if question.type != "select_one" or not {CONSENT_AGREE, CONSENT_DECLINE} <= names:
            self.add(
                "bad_consent",
                f"the question {CONSENT_QUESTION!r} records the respondent's consent: make it "
                f"select_one with the choices {CONSENT_AGREE!r} and {CONSENT_DECLINE!r}",
                "type",
                item=question.name,
            )

    def expression(self, item: Item, field: str, source: str) -> None:
        if not source:
            return
        where = {"item": item.name}
        if field == "required" and source.strip().lower() in _XLSFORM_BOOLEANS:
            self.add(
                "bad_required",
                f"write required as true() or leave it empty, not {source!r}",
                field,
                **where,
            )
            return
        try:
            tree = parse(source)
        except ExpressionError as error:
            self.add("bad_expression", str(error), field, **where)
            return
        for node in walk(tree):
            if isinstance(node, Reference):
                if node.name not in self.question_names:
                    self.add(
                        "unknown_reference",
                        f"${{{node.name}}} is not a question of this form",
                        field,
                        **where,
                    )
                elif node.name == item.name and field in ("relevant", "calculation"):
                    self.add(
                        "self_reference", f"{field} refers to its own question", field, **where
                    )
            elif isinstance(node, Current) and field != "constraint":
                self.add("misplaced_current", "'.' is only allowed in a constraint", field, **where)
            elif isinstance(node, ChoiceColumn):
                self.choice_column(item, field, node.name)

    def choice_column(self, item: Item, field: str, column: str) -> None:
        where = {"item": item.name}
        if field != "choice_filter" or not isinstance(item, Question):
            self.add("bare_name", f"{column!r} must be written ${{{column}}}", field, **where)
            return
        choices = self.form.choice_list(item.list_name)
        if choices is None:
            return
        columns = {"name"}.union(*(choice.filters for choice in choices.choices))
        if column not in columns:
            self.add(
                "unknown_choice_column",
                f"choice list {item.list_name!r} has no column {column!r}",
                field,
                **where,
            )

    def choice_lists(self) -> None:
        for name, count in Counter(lst.name for lst in self.form.choice_lists).items():
            if count > 1:
                self.add(
                    "duplicate_list",
                    f"choice list {name!r} is defined twice",
                    "list_name",
                    choice_list=name,
                )
        for choice_list in self.form.choice_lists:
            if not choice_list.choices:
                self.add(
                    "empty_list",
                    "the choice list has no choices",
                    "list_name",
                    choice_list=choice_list.name,
                )
            seen: set[str] = set()
            for choice in choice_list.choices:
                where = {"choice_list": choice_list.name, "choice": choice.name}
                if not choice.name or any(char.isspace() for char in choice.name):
                    self.add(
                        "invalid_choice_name",
                        f"choice name {choice.name!r} is empty or contains a space",
                        "name",
                        **where,
                    )
                elif choice.name in seen:
                    self.add(
                        "duplicate_choice", f"choice {choice.name!r} appears twice", "name", **where
                    )
                seen.add(choice.name)
                if not any(choice.label.values()):
                    self.add("missing_label", "a label is required", "label", **where)
                for column in choice.filters:
                    if not _NAME.fullmatch(column) or column in ("name", "label", "list_name"):
                        self.add(
                            "invalid_column",
                            f"{column!r} cannot name a choices column",
                            column,
                            **where,
                        )
                self.texts({"label": choice.label}, **where)


def check_questionnaire(questionnaire: Questionnaire) -> list[DefinitionProblem]:
    """Every consistency problem of ``questionnaire``; an empty list when it is sound."""
    checker = _Checker(questionnaire)
    checker.settings()
    checker.items()
    checker.choice_lists()
    return checker.problems


def validate_questionnaire(questionnaire: Questionnaire) -> Questionnaire:
    """Return ``questionnaire`` unchanged, or raise :class:`DefinitionError` with every problem."""
    problems = check_questionnaire(questionnaire)
    if problems:
        raise DefinitionError(problems)
    return questionnaire
