"""Recursive-descent parser for XLSForm expressions (the XPath 1.0 subset ODK forms use).

Precedence, lowest first: ``or``; ``and``; ``=`` ``!=``; ``<`` ``<=`` ``>`` ``>=``; ``+`` ``-``;
``*`` ``div`` ``mod``; unary ``-``. All binary operators associate to the left. ``and``, ``or``,
``div`` and ``mod`` are operators only where an operator is expected, as in XPath.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from questionnaires.errors import ExpressionError
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
from questionnaires.expressions.tokenizer import Token, tokenize

# function name -> (fewest arguments, most arguments or None for no limit)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "string": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "today": (0, 0),
    "selected-at": (2, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "round": (1, 2),
    "substr": (2, 3),
    "regex": (2, 2),
}

LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)


_LEAVES: dict[str, Callable[[Token], Node]] = {
    "number": lambda t: NumberLiteral(float(t.text), t.position),
    "string": lambda t: TextLiteral(t.text, t.position),
    "reference": lambda t: Reference(t.text, t.position),
    "dot": lambda t: Current(t.position),
}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def fail(self, message: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(message, self.source, (token or self.token).position)

    def operator_at(self, operators: tuple[str, ...]) -> str | None:
        token = self.token
        if token.kind in ("operator", "name") and token.text in operators:
            return token.text
        return None

    def expect(self, text: str) -> None:
        if self.token.kind != "operator" or self.token.text != text:
            found = self.token.text or "end of expression"
            raise self.fail(f"expected '{text}', found '{found}'")
        self.index += 1

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.fail("empty expression")
        node = self.binary(0)
        if self.token.kind != "end":
            raise self.fail(f"unexpected '{self.token.text}'")
        return node

    def binary(self, level: int) -> Node:
        if level == len(LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (operator := self.operator_at(LEVELS[level])) is not None:
            position = self.token.position
            self.index += 1
            right = self.binary(level + 1)
            left = Binary(operator, left, right, position)
        return left

    def unary(self) -> Node:
        if self.operator_at(("-",)):
            position = self.token.position
            self.index += 1
            return Unary(self.unary(), position)
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        self.index += 1
        if token.kind in _LEAVES:
            return _LEAVES[token.kind](token)
        if token.kind == "name":
            if self.operator_at(("(",)):
                return self.call(token)
            return ChoiceColumn(token.text, token.position)
        if token.kind == "operator" and token.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        found = token.text or "end of expression"
        raise self.fail(f"expected a value, found '{found}'", token)

    def call(self, name: Token) -> Node:
        if name.text not in FUNCTIONS:
            raise self.fail(f"unknown function {name.text}()", name)
        self.expect("(")
        arguments: list[Node] = []
        if not self.operator_at((")",)):
            arguments.append(self.binary(0))
            while self.operator_at((",",)):
                self.index += 1
                arguments.append(self.binary(0))
        self.expect(")")
        fewest, most = FUNCTIONS[name.text]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            expected = str(fewest) if fewest == most else f"at least {fewest}"
            if most is not None and fewest != most:
                expected = f"{fewest} to {most}"
            raise self.fail(
                f"{name.text}() takes {expected} argument(s), got {len(arguments)}", name
            )
        return Call(name.text, tuple(arguments), name.position)


@lru_cache(maxsize=4096)
def parse(source: str) -> Node:
    """Parse ``source`` into an expression tree; raise :class:`ExpressionError` if malformed."""
    return _Parser(source).parse()
