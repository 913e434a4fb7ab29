"""The functions of the expression language whose arguments are all evaluated first.

``if`` (lazy) and ``today`` (needs the evaluation's date) live in the evaluator. Every function
here has the same definition in ``questionnaires/js/expressions.js``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from questionnaires.expressions.values import Value, to_boolean, to_number, to_string

_MOST_PLACES = 400
"""round(x, n) leaves x unchanged from this many places on (a double has fewer digits)."""


def _finite(function: Callable[[float], float]) -> Callable[[Value], float]:
    def apply(value: Value) -> float:
        number = to_number(value)
        return float(function(number)) if math.isfinite(number) else number

    return apply


def _round(values: list[Value]) -> float:
    """XPath ``round(x)``: the closest integer, halves up. ``round(x, n)``: n decimal places,
    halves away from zero, on the number's decimal text (so round(0.125, 2) is 0.13); a
    negative or NaN n gives NaN."""
    number = to_number(values[0])
    if not math.isfinite(number):
        return number
    if len(values) == 1:
        floor = math.floor(number)
        return float(floor + 1 if number - floor >= 0.5 else floor)
    places = to_number(values[1])
    if math.isnan(places) or places < 0:
        return math.nan
    if places >= _MOST_PLACES:
        return number
    with localcontext() as context:
        context.prec = 2 * _MOST_PLACES
        step = Decimal(1).scaleb(-int(places))
        return float(Decimal(to_string(number)).quantize(step, rounding=ROUND_HALF_UP))


def _index(value: Value, length: int) -> int:
    number = to_number(value)
    if math.isnan(number) or number <= 0:
        return 0
    return length if number >= length else int(number)


def _substr(values: list[Value]) -> str:
    """``substr(s, start[, end])``: characters start (0-based) up to end (exclusive), both
    clamped to the text."""
    text = to_string(values[0])
    start = _index(values[1], len(text))
    end = _index(values[2], len(text)) if len(values) > 2 else len(text)
    return text[start:end]


def _selected_at(values: list[Value]) -> str:
    """``selected-at(codes, n)``: the n-th (0-based) selected code, or ``''``."""
    codes = to_string(values[0]).split()
    index = to_number(values[1])
    if math.isnan(index) or not 0 <= index < len(codes):
        return ""
    return codes[int(index)]


def _regex(values: list[Value]) -> bool:
    """``regex(s, pattern)``: the pattern matches somewhere in s (anchor with ^ and $).

    Raises :class:`re.error` for an invalid pattern; the evaluator reports its position.
    """
    return re.search(to_string(values[1]), to_string(values[0])) is not None


_TRUNCATE = _finite(math.trunc)
_FLOOR = _finite(math.floor)
_CEILING = _finite(math.ceil)

IMPLEMENTATIONS: dict[str, Callable[[list[Value]], Value]] = {
    "true": lambda _: True,
    "false": lambda _: False,
    "not": lambda v: not to_boolean(v[0]),
    "boolean": lambda v: to_boolean(v[0]),
    "selected": lambda v: to_string(v[1]).strip() in to_string(v[0]).split(),
    "selected-at": _selected_at,
    "count-selected": lambda v: float(len(to_string(v[0]).split())),
    "string-length": lambda v: float(len(to_string(v[0]))),
    "string": lambda v: to_string(v[0]),
    "number": lambda v: to_number(v[0]),
    "int": lambda v: _TRUNCATE(v[0]),
    "floor": lambda v: _FLOOR(v[0]),
    "ceiling": lambda v: _CEILING(v[0]),
    "abs": lambda v: abs(to_number(v[0])),
    "round": _round,
    "coalesce": lambda v: v[0] if to_string(v[0]) != "" else v[1],
    "concat": lambda v: "".join(to_string(value) for value in v),
    "contains": lambda v: to_string(v[1]) in to_string(v[0]),
    "starts-with": lambda v: to_string(v[0]).startswith(to_string(v[1])),
    "substr": _substr,
    "regex": _regex,
}
"""Function name -> implementation over the evaluated arguments (arity is checked by the parser)."""
