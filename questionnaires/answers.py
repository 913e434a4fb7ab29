"""Convert raw answers (form fields, JSON, CSV) to the typed values validation works with.

integer -> ``int``; decimal -> ``float``; date -> ISO ``str``; text and select_one -> ``str``;
select_multiple -> ``list[str]`` (from a list or a space-separated string). Choice codes may
also come as whole numbers (``1`` for the code ``"1"``). ``None``, ``""`` and ``[]`` mean
unanswered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeAlias

from questionnaires.model import Question

Typed: TypeAlias = str | int | float | list[str]

_INTEGER = re.compile(r"\s*[-+]?[0-9]+\s*")
_DECIMAL = re.compile(r"\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")


class AnswerTypeError(ValueError):
    """Raised by :func:`convert`; ``code`` keys the message (``integer``, ``decimal``...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_empty(raw: object) -> bool:
    """``None``, blank strings and empty lists are no answer."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    return isinstance(raw, list | tuple) and len(raw) == 0


def convert(question: Question, raw: object) -> Typed:
    """The typed answer to ``question``; raise :class:`AnswerTypeError` if ``raw`` does not fit."""
    if isinstance(raw, bool):
        raise AnswerTypeError(question.type)
    return _CONVERTERS.get(question.type, _text)(raw)


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float):
        return str(raw)
    raise AnswerTypeError("text")


def _integer(raw: object) -> int:
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.fullmatch(raw):
        return int(raw)
    raise AnswerTypeError("integer")


def _decimal(raw: object) -> float:
    if isinstance(raw, int | float) and math.isfinite(raw):
        return float(raw)
    if isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        return float(raw)
    raise AnswerTypeError("decimal")


def _date(raw: object) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            pass
    raise AnswerTypeError("date")


def _code(raw: object, kind: str) -> str:
    """One choice code: a string without spaces, or a whole number (codes such as 1 and 0)."""
    if isinstance(raw, str) and len(raw.split()) == 1:
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    raise AnswerTypeError(kind)


def _codes(raw: object) -> list[str]:
    if isinstance(raw, str):
        codes = raw.split()
    elif isinstance(raw, Sequence):
        codes = [_code(code, "select_multiple") for code in raw]
    else:
        raise AnswerTypeError("select_multiple")
    return list(dict.fromkeys(codes))


_CONVERTERS: dict[str, Callable[[object], Typed]] = {
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "select_one": lambda raw: _code(raw, "select_one"),
    "select_multiple": _codes,
}
