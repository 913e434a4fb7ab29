"""Columns from any tabular input, as numpy arrays, without depending on pandas or polars.

`data` is a mapping of column name to 1-D array-like: a dict of lists or numpy arrays, a pandas or
polars DataFrame (both support ``data[name]`` and list their columns), or anything else with that
shape. A column is converted through ``to_numpy()`` when it has one (pandas, polars, pyarrow),
otherwise through ``numpy.asarray`` (lists, numpy arrays, objects with ``__array__``).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MISSING_TYPES = frozenset({"NAType", "NaTType", "NoneType"})
_BUCKETS = 1_048_573  # a prime: hash buckets for text factorisation


def column_names(data: Any) -> list[str]:
    """The column names of `data` (a mapping, a pandas or a polars frame)."""
    if hasattr(data, "columns"):
        return [str(name) for name in data.columns]
    if hasattr(data, "keys"):
        return [str(name) for name in list(data)]
    raise ValueError(
        "data must be a mapping of column name to 1-D array-like (dict, pandas or polars frame)"
    )


def to_array(values: Any, name: str) -> npt.NDArray[Any]:
    """`values` as a 1-D numpy array; object columns become float when they hold numbers.

    Missing values (None, NaN, pandas NA) become NaN in numeric columns and None in text columns.
    """
    raw = values.to_numpy() if hasattr(values, "to_numpy") else values
    array = np.asarray(raw)
    if array.ndim != 1:
        raise ValueError(f"column {name!r} must be 1-D, got shape {array.shape}")
    if array.dtype != object:
        return array
    items = array.tolist()
    if set(map(type, items)) <= {str, type(None)}:
        return array
    cleaned = [None if _is_missing(item) else item for item in items]
    present = [item for item in cleaned if item is not None]
    if all(isinstance(item, bool | int | float | np.number | np.bool_) for item in present):
        return np.array([np.nan if item is None else item for item in cleaned], dtype=np.float64)
    out = np.empty(len(cleaned), dtype=object)
    out[:] = cleaned
    return out


def _is_missing(item: Any) -> bool:
    if type(item).__name__ in _MISSING_TYPES:
        return True
    return isinstance(item, float | np.floating) and bool(np.isnan(item))


def missing_mask(array: npt.NDArray[Any]) -> BoolArray:
    """True where `array` holds a missing value (NaN in numbers, None in text)."""
    if array.dtype.kind in "fc":
        nan: BoolArray = np.isnan(array)
        return nan
    if array.dtype == object:
        found: BoolArray = np.fromiter(
            (item is None for item in array), dtype=np.bool_, count=len(array)
        )
        return found
    return np.zeros(len(array), dtype=np.bool_)


def numeric(array: npt.NDArray[Any], name: str) -> FloatArray:
    """`array` as float64, or a ValueError naming the column when it holds text."""
    if array.dtype.kind in "biuf":
        return array.astype(np.float64, copy=False)
    raise ValueError(f"column {name!r} must be numeric, got values of type {array.dtype}")


def factorize(array: npt.NDArray[Any]) -> tuple[IntArray, list[Hashable]]:
    """Integer codes 0..k-1 in sorted order of the values, -1 where the value is missing.

    Small-range integers are coded in one counting pass, text through a hash of its characters
    (no sort of the strings), other values through ``numpy.unique``.
    """
    missing = missing_mask(array)
    codes = np.full(len(array), -1, dtype=np.int64)
    present = ~missing
    values = array[present] if missing.any() else array
    if len(values) == 0:
        return codes, []
    if values.dtype.kind in "biu":
        low = int(values.min())
        span = int(values.max()) - low + 1
        if span <= 4 * len(values) + 1024:
            shifted = values.astype(np.int64) - low
            seen = np.bincount(shifted, minlength=span) > 0
            lookup = np.cumsum(seen) - 1
            codes[present] = lookup[shifted]
            present_values = np.flatnonzero(seen) + low
            if values.dtype.kind == "b":
                return codes, [bool(level) for level in present_values]
            return codes, [int(level) for level in present_values]
    if values.dtype.kind in "OU":
        text_codes, levels = _factorize_text(values.astype(str))
        codes[present] = text_codes
        return codes, levels
    uniques, inverse = np.unique(values, return_inverse=True)
    codes[present] = inverse.reshape(-1)
    return codes, [item.item() if isinstance(item, np.generic) else item for item in uniques]


def _factorize_text(values: npt.NDArray[np.str_]) -> tuple[IntArray, list[Hashable]]:
    """Codes of text values in sorted order: a polynomial hash of the characters into 2²⁰
    buckets, one counting pass, then a check against the text (``numpy.unique`` on the text when
    two values share a bucket).
    """
    if values.dtype.itemsize == 0:
        return np.zeros(len(values), np.int64), [""]
    characters = np.ascontiguousarray(values).view(np.uint32).reshape(len(values), -1)
    key = np.zeros(len(values), np.uint64)
    for column in characters.T:
        key = key * np.uint64(1_000_003) + column
    bucket = (key % np.uint64(_BUCKETS)).astype(np.int64)
    seen = np.bincount(bucket, minlength=_BUCKETS) > 0
    holder = np.zeros(_BUCKETS, np.int64)
    holder[bucket] = np.arange(len(values))
    inverse = (np.cumsum(seen) - 1)[bucket]
    representatives = values[holder[seen]]
    if not (values == representatives[inverse]).all():
        representatives, inverse = np.unique(values, return_inverse=True)
        inverse = inverse.reshape(-1)
        return inverse.astype(np.int64), [str(item) for item in representatives]
    order = np.argsort(representatives, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse], [str(item) for item in representatives[order]]
