"""The expression tree: one frozen struct per kind of node, each with its source position."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import msgspec


class TextLiteral(msgspec.Struct, frozen=True):
    """A quoted string, e.g. ``'yes'``."""

    value: str
    position: int


class NumberLiteral(msgspec.Struct, frozen=True):
    """A non-negative number, e.g. ``18`` or ``0.5`` (a leading minus is a :class:`Unary`)."""

    value: float
    position: int


class Reference(msgspec.Struct, frozen=True):
    """``${name}``: the answer to another question."""

    name: str
    position: int


class Current(msgspec.Struct, frozen=True):
    """``.``: the value being checked by a constraint."""

    position: int


class ChoiceColumn(msgspec.Struct, frozen=True):
    """A bare name such as ``district``: a column of the choice row in a ``choice_filter``."""

    name: str
    position: int


class Unary(msgspec.Struct, frozen=True):
    """Numeric negation ``- operand``."""

    operand: Node
    position: int


class Binary(msgspec.Struct, frozen=True):
    """``left op right`` for ``or and = != < <= > >= + - * div mod``."""

    operator: str
    left: Node
    right: Node
    position: int


class Call(msgspec.Struct, frozen=True):
    """A function call such as ``selected(${q}, 'a')``."""

    function: str
    arguments: tuple[Node, ...]
    position: int


Node: TypeAlias = (
    TextLiteral | NumberLiteral | Reference | Current | ChoiceColumn | Unary | Binary | Call
)


def walk(node: Node) -> Iterator[Node]:
    """Yield ``node`` and every node below it, parents before children."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for argument in node.arguments:
            yield from walk(argument)


def references(node: Node) -> list[Reference]:
    """Every ``${name}`` in the tree, in source order."""
    return [n for n in walk(node) if isinstance(n, Reference)]
