"""Evaluate an expression tree against answers, with XPath 1.0 semantics as ODK applies them."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

from questionnaires.errors import ExpressionError
from questionnaires.expressions.functions import IMPLEMENTATIONS
from questionnaires.expressions.nodes import (
    Binary,
    Call,
    ChoiceColumn,
    Current,
    Node,
    NumberLiteral,
    Reference,
    TextLiteral,
    Unary,
)
from questionnaires.expressions.parser import parse
from questionnaires.expressions.values import (
    Answer,
    Value,
    equals,
    from_answer,
    to_boolean,
    to_number,
)


def _divide(left: float, right: float) -> float:
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def _modulo(left: float, right: float) -> float:
    if right == 0 or math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    return math.fmod(left, right)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": _divide,
    "mod": _modulo,
}

_RELATIONAL: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Evaluation:
    def __init__(
        self,
        source: str,
        answers: Mapping[str, Answer],
        current: Answer,
        choice: Mapping[str, str] | None,
        today: date | None,
    ) -> None:
        self.source = source
        self.answers = answers
        self.current = current
        self.choice = choice
        self.today = today

    def value(self, node: Node) -> Value:  # noqa: PLR0911 - one branch per node kind
        if isinstance(node, TextLiteral):
            return node.value
        if isinstance(node, NumberLiteral):
            return node.value
        if isinstance(node, Reference):
            return from_answer(self.answers.get(node.name))
        if isinstance(node, Current):
            return from_answer(self.current)
        if isinstance(node, ChoiceColumn):
            if self.choice is None:
                raise ExpressionError(
                    f"bare name '{node.name}' is only allowed in a choice_filter",
                    self.source,
                    node.position,
                )
            return self.choice.get(node.name, "")
        if isinstance(node, Unary):
            return -to_number(self.value(node.operand))
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> Value:
        operator = node.operator
        if operator == "or":
            return to_boolean(self.value(node.left)) or to_boolean(self.value(node.right))
        if operator == "and":
            return to_boolean(self.value(node.left)) and to_boolean(self.value(node.right))
        left, right = self.value(node.left), self.value(node.right)
        if operator == "=":
            return equals(left, right)
        if operator == "!=":
            return not equals(left, right)
        if operator in _RELATIONAL:
            return _RELATIONAL[operator](to_number(left), to_number(right))
        return _ARITHMETIC[operator](to_number(left), to_number(right))

    def call(self, node: Call) -> Value:
        name, arguments = node.function, node.arguments
        if name == "if":
            chosen = arguments[1] if to_boolean(self.value(arguments[0])) else arguments[2]
            return self.value(chosen)
        if name == "today":
            return (self.today or date.today()).isoformat()
        values = [self.value(argument) for argument in arguments]
        try:
            return IMPLEMENTATIONS[name](values)
        except re.error as error:
            raise ExpressionError(
                "invalid regular expression in regex()", self.source, node.position
            ) from error


def evaluate(
    expression: str,
    answers: Mapping[str, Answer],
    *,
    current: Answer = None,
    choice: Mapping[str, str] | None = None,
    today: date | None = None,
) -> Value:
    """Evaluate ``expression`` with ``answers`` (question name -> answer; missing means empty).

    ``current`` is the value of ``.`` (the answer a constraint checks), ``choice`` the columns of
    the choice row a ``choice_filter`` is testing and ``today`` the date ``today()`` returns
    (the system date when omitted). Raises :class:`ExpressionError` with the position.
    """
    return _Evaluation(expression, answers, current, choice, today).value(parse(expression))


def evaluate_boolean(
    expression: str,
    answers: Mapping[str, Answer],
    *,
    current: Answer = None,
    choice: Mapping[str, str] | None = None,
    today: date | None = None,
) -> bool:
    """:func:`evaluate` converted with XPath ``boolean()``, for relevant/constraint/required."""
    return to_boolean(evaluate(expression, answers, current=current, choice=choice, today=today))
