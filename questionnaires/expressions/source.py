"""Write an expression tree back as text: XLSForm source, or XPath with ``${q}`` resolved."""

from __future__ import annotations

from collections.abc import Callable

from questionnaires.expressions.nodes import (
    Binary,
    ChoiceColumn,
    Current,
    Node,
    NumberLiteral,
    Reference,
    TextLiteral,
    Unary,
)
from questionnaires.expressions.parser import LEVELS, parse
from questionnaires.expressions.values import to_string

_PRECEDENCE = {operator: level for level, group in enumerate(LEVELS) for operator in group}
_UNARY = len(LEVELS)


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.operator]
    if isinstance(node, Unary):
        return _UNARY
    return _UNARY + 1


def _quote(text: str) -> str:
    return f'"{text}"' if "'" in text else f"'{text}'"


def to_source(node: Node, reference: Callable[[str], str] | None = None) -> str:
    """The text of ``node`` with the fewest parentheses that keep its meaning.

    ``reference`` maps a question name to the text written for ``${name}`` (XForm export passes
    the XPath of the question); by default references are written as ``${name}``.
    """
    write = reference or (lambda name: "${" + name + "}")

    def text(node: Node, minimum: int) -> str:
        if isinstance(node, TextLiteral):
            result = _quote(node.value)
        elif isinstance(node, NumberLiteral):
            result = to_string(node.value)
        elif isinstance(node, Reference):
            result = write(node.name)
        elif isinstance(node, Current):
            result = "."
        elif isinstance(node, ChoiceColumn):
            result = node.name
        elif isinstance(node, Unary):
            result = "-" + text(node.operand, _UNARY)
        elif isinstance(node, Binary):
            level = _PRECEDENCE[node.operator]
            left = text(node.left, level)
            right = text(node.right, level + 1)
            result = f"{left} {node.operator} {right}"
        else:
            result = f"{node.function}({', '.join(text(a, 0) for a in node.arguments)})"
        return f"({result})" if _precedence(node) < minimum else result

    return text(node, 0)


def to_xpath(expression: str, path: Callable[[str], str]) -> str:
    """``expression`` with every ``${name}`` replaced by ``path(name)``, for XForm binds."""
    return to_source(parse(expression), path)
