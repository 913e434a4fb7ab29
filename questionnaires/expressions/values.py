"""XPath 1.0 value conversions as ODK applies them, shared by the evaluator and validation.

Values are ``str``, ``float`` or ``bool``. An unanswered question is the empty string. A string
in ISO date form (``2024-05-01``) converts to the number of days since 1970-01-01, as ODK does for
date answers, so ``${birth} < today()`` compares dates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TypeAlias

Value: TypeAlias = str | float | bool
Answer: TypeAlias = str | int | float | bool | date | Sequence[str] | None

_NUMBER = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*")
_EPOCH = date(1970, 1, 1).toordinal()


def from_answer(answer: Answer) -> Value:
    """The expression value of a stored answer (``None`` and missing answers are ``''``)."""
    if answer is None:
        return ""
    if isinstance(answer, bool | str):
        return answer
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, date):
        return answer.isoformat()
    return " ".join(answer)


def to_number(value: Value) -> float:
    """XPath ``number()``, extended to ISO dates (days since 1970-01-01)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMBER.fullmatch(value):
        return float(value)
    parts = _DATE.fullmatch(value)
    if parts:
        try:
            day = date(int(parts.group(1)), int(parts.group(2)), int(parts.group(3)))
        except ValueError:
            return math.nan
        return float(day.toordinal() - _EPOCH)
    return math.nan


def to_string(value: Value) -> str:
    """XPath ``string()``: numbers without exponent, integers without a decimal point."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-zero numbers and non-empty strings are true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def equals(left: Value, right: Value) -> bool:
    """XPath ``=``: as booleans if either is boolean, else as numbers if either is a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right
