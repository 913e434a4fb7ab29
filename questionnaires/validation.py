"""Validate one response (an answer set) against a questionnaire version.

Rules, in order:

1. Every answer is converted to its question's type (:mod:`questionnaires.answers`); answers to
   names the questionnaire does not have are problems (``unknown_question``); answers to notes
   are ignored and answers to calculations are replaced by the computed value.
2. Relevance is evaluated in form order, a group's or repeat's ``relevant`` applying to all it
   contains. **An answer to a question that is not relevant is dropped** (removed from the
   cleaned answers and listed in ``dropped``), as ODK clears non-relevant values; it is not a
   problem, so a respondent who changes an earlier answer is never blocked by a stale one.
   Calculations are computed in the same pass from the answers before them.
3. Each relevant question is checked: ``required``, ``constraint`` (with ``.`` the answer),
   choice membership and ``choice_filter``. An answer of the wrong type is not also reported
   as missing, and a wrong code is not also tested against the constraint. Messages are the
   questionnaire's own ``required_message`` / ``constraint_message`` in the requested
   language, or the library's.

Repeats are answered as a list of mappings, one per instance; questions in an instance see the
instance's answers and those outside the repeat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeAlias

import msgspec

from questionnaires.answers import AnswerTypeError, Typed, convert, is_empty
from questionnaires.errors import ExpressionError
from questionnaires.expressions import evaluate, evaluate_boolean, to_string
from questionnaires.messages import message
from questionnaires.model import (
    INPUT_TYPES,
    METADATA_TYPES,
    SELECT_TYPES,
    Item,
    Question,
    Questionnaire,
    Repeat,
)

Cleaned: TypeAlias = dict[str, Any]
"""Question name -> typed answer; a repeat name -> list of such mappings."""


class AnswerProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A problem with one answer. ``repeat`` and ``index`` (0-based) locate repeat instances."""

    name: str
    code: str
    message: str
    repeat: str = ""
    index: int | None = None


class ValidationResult(msgspec.Struct, frozen=True):
    """The cleaned answers (typed, calculations computed, irrelevant ones dropped), every
    problem, and the names whose answers were dropped as not relevant (``repeat[i].name``
    inside repeats)."""

    answers: Cleaned
    problems: tuple[AnswerProblem, ...]
    dropped: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def _scope(items: Sequence[Item]) -> dict[str, Question | Repeat]:
    """The names answered in one mapping: questions outside repeats, and the repeats."""
    names: dict[str, Question | Repeat] = {}
    for item in items:
        if isinstance(item, Question | Repeat):
            names[item.name] = item
        else:
            names.update(_scope(item.children))
    return names


class _AnswerSet:
    """One mapping being validated: the top-level answers or one repeat instance."""

    def __init__(
        self, raw: Mapping[str, object], outer: Mapping[str, Any], where: tuple[str, int | None]
    ) -> None:
        self.raw = raw
        self.cleaned: Cleaned = {}
        self.values: dict[str, Any] = dict(outer)
        self.asked: list[Question] = []
        self.malformed: set[str] = set()
        self.repeat, self.index = where


class _Validator:
    def __init__(self, form: Questionnaire, language: str, today: date | None) -> None:
        self.form = form
        self.language = language
        self.today = today
        self.problems: list[AnswerProblem] = []
        self.dropped: list[str] = []
        self.relevant: list[str] = []

    def problem(self, name: str, code: str, text: str, answers: _AnswerSet) -> None:
        self.problems.append(
            AnswerProblem(
                name=name, code=code, message=text, repeat=answers.repeat, index=answers.index
            )
        )

    def expression_failed(self, name: str, error: ExpressionError, answers: _AnswerSet) -> None:
        text = message("expression", self.language, error=str(error))
        self.problem(name, "expression", text, answers)

    def test(self, expression: str, name: str, answers: _AnswerSet, current: Any = None) -> bool:
        try:
            return evaluate_boolean(expression, answers.values, current=current, today=self.today)
        except ExpressionError as error:
            self.expression_failed(name, error, answers)
            return False

    def answer_set(self, items: Sequence[Item], answers: _AnswerSet) -> Cleaned:
        scope = _scope(items)
        for name, value in answers.raw.items():
            item = scope.get(name)
            if item is None:
                text = message("unknown_question", self.language)
                self.problem(name, "unknown_question", text, answers)
            elif (
                isinstance(item, Question)
                and item.type not in ("note", "calculate")
                and not is_empty(value)
            ):
                self.convert(item, value, answers)
        answers.values.update(answers.cleaned)
        self.walk(items, True, answers)
        for question in answers.asked:
            self.check(question, answers)
        return answers.cleaned

    def convert(self, question: Question, value: object, answers: _AnswerSet) -> None:
        if question.type in METADATA_TYPES:
            answers.cleaned[question.name] = str(value)
            return
        try:
            answers.cleaned[question.name] = convert(question, value)
        except AnswerTypeError as error:
            answers.malformed.add(question.name)
            self.problem(question.name, "type", message(error.code, self.language), answers)

    def walk(self, items: Sequence[Item], relevant: bool, answers: _AnswerSet) -> None:
        for item in items:
            own = relevant and (not item.relevant or self.test(item.relevant, item.name, answers))
            if isinstance(item, Question):
                self.question(item, own, answers)
            elif isinstance(item, Repeat):
                self.repeat(item, own, answers)
            else:
                self.walk(item.children, own, answers)

    def question(self, question: Question, relevant: bool, answers: _AnswerSet) -> None:
        name = question.name
        if not relevant:
            answers.values.pop(name, None)
            if answers.cleaned.pop(name, None) is not None:
                where = f"{answers.repeat}[{answers.index}]." if answers.repeat else ""
                self.dropped.append(where + name)
            return
        if not answers.repeat:
            self.relevant.append(name)
        if question.type == "calculate":
            try:
                result = evaluate(question.calculation, answers.values, today=self.today)
            except ExpressionError as error:
                self.expression_failed(name, error, answers)
                return
            answers.values[name] = answers.cleaned[name] = to_string(result)
        elif question.type in INPUT_TYPES:
            answers.asked.append(question)

    def repeat(self, repeat: Repeat, relevant: bool, answers: _AnswerSet) -> None:
        raw = answers.raw.get(repeat.name)
        if is_empty(raw):
            return
        if not relevant:
            self.dropped.append(repeat.name)
            return
        if not answers.repeat:
            self.relevant.append(repeat.name)
        if not isinstance(raw, list | tuple) or not all(isinstance(r, Mapping) for r in raw):
            self.problem(repeat.name, "type", message("repeat", self.language), answers)
            return
        answers.cleaned[repeat.name] = [
            self.answer_set(
                repeat.children, _AnswerSet(instance, answers.values, (repeat.name, index))
            )
            for index, instance in enumerate(raw)
        ]

    def check(self, question: Question, answers: _AnswerSet) -> None:
        answer = answers.values.get(question.name)
        if answer is None:
            if question.name in answers.malformed:
                return
            if question.required and self.test(question.required, question.name, answers):
                text = self.form.localize(question.required_message, self.language)
                self.problem(
                    question.name, "required", text or message("required", self.language), answers
                )
            return
        if question.type in SELECT_TYPES and not self.choices(question, answer, answers):
            return
        if question.constraint and not self.test(
            question.constraint, question.name, answers, current=answer
        ):
            text = self.form.localize(question.constraint_message, self.language)
            self.problem(
                question.name, "constraint", text or message("constraint", self.language), answers
            )

    def choices(self, question: Question, answer: Typed, answers: _AnswerSet) -> bool:
        choice_list = self.form.choice_list(question.list_name)
        options = {c.name: c for c in choice_list.choices} if choice_list else {}
        ok = True
        for code in answer if isinstance(answer, list) else [str(answer)]:
            choice = options.get(code)
            if choice is None:
                text = message("choice", self.language, code=code)
                self.problem(question.name, "choice", text, answers)
                ok = False
            elif question.choice_filter and not evaluate_boolean(
                question.choice_filter,
                answers.values,
                choice={"name": choice.name, **choice.filters},
                today=self.today,
            ):
                text = message("choice_filter", self.language, code=code)
                self.problem(question.name, "choice_filter", text, answers)
                ok = False
        return ok


def validate_answers(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    *,
    language: str = "zh",
    today: date | None = None,
) -> ValidationResult:
    """Check ``answers`` (name -> value) against ``questionnaire``; see the module docstring.

    ``language`` chooses the messages (``zh`` by default, ``en``); ``today`` fixes ``today()``.
    """
    validator = _Validator(questionnaire, language, today)
    cleaned = validator.answer_set(questionnaire.items, _AnswerSet(answers, {}, ("", None)))
    return ValidationResult(cleaned, tuple(validator.problems), tuple(validator.dropped))


def relevant_names(
    questionnaire: Questionnaire, answers: Mapping[str, object], *, today: date | None = None
) -> list[str]:
    """Names of the questions and repeats outside repeats that are relevant given ``answers``."""
    validator = _Validator(questionnaire, "zh", today)
    validator.answer_set(questionnaire.items, _AnswerSet(answers, {}, ("", None)))
    return validator.relevant
