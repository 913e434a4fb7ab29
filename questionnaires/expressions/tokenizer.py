"""Split an XLSForm expression into tokens, each with its 0-based source position."""

from __future__ import annotations

import re

import msgspec

from questionnaires.errors import ExpressionError

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_NAME = re.compile(NAME_PATTERN)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_REFERENCE = re.compile(r"\$\{(" + NAME_PATTERN + r")\}")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")


class Token(msgspec.Struct, frozen=True):
    """``kind`` is one of number, string, reference, dot, name, operator, end."""

    kind: str
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    """Return the tokens of ``source`` followed by an ``end`` token.

    Raises :class:`ExpressionError` for an unterminated string, a malformed ``${...}`` reference
    or a character that has no place in an expression.
    """
    tokens: list[Token] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char in " \t\r\n":
            index += 1
            continue
        number = _NUMBER.match(source, index)
        if number:
            tokens.append(Token("number", number.group(), index))
            index = number.end()
        elif char == ".":
            if source.startswith("..", index):
                raise ExpressionError("'..' (parent) is not supported", source, index)
            tokens.append(Token("dot", ".", index))
            index += 1
        elif char in "'\"":
            end = source.find(char, index + 1)
            if end < 0:
                raise ExpressionError("unterminated string", source, index)
            tokens.append(Token("string", source[index + 1 : end], index))
            index = end + 1
        elif char == "$":
            reference = _REFERENCE.match(source, index)
            if not reference:
                raise ExpressionError("malformed reference, expected ${name}", source, index)
            tokens.append(Token("reference", reference.group(1), index))
            index = reference.end()
        elif _NAME.match(source, index):
            name = _NAME.match(source, index)
            assert name is not None
            tokens.append(Token("name", name.group(), index))
            index = name.end()
        else:
            operator = next((op for op in _OPERATORS if source.startswith(op, index)), None)
            if operator is None:
                raise ExpressionError(f"unexpected character '{char}'", source, index)
            tokens.append(Token("operator", operator, index))
            index += len(operator)
    tokens.append(Token("end", "", len(source)))
    return tokens
