"""Calibration margins as a model matrix: validated, and compressed to cells when categorical.

Margins are ``{variable: {level: population total}}`` for categorical variables and
``{variable: total}`` for numeric ones. The model matrix X has one indicator column per level of
every categorical margin and one column per numeric variable (plus an intercept when a population
size is given). R builds the same column space with ``model.matrix(~a + b + x)`` (treatment
contrasts and an intercept); every calibration estimator here depends on X only through its column
space, so the weights agree with R's.

When every margin is categorical the calibrated weight of a row depends only on its cell of the
cross-classification, so the solvers work on the cells (one ``numpy.bincount`` over the rows) and
broadcast back: raking a million rows costs one pass over the codes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sampling._columns import factorize

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Margins = Mapping[str, Mapping[Hashable, float] | float]

_TOTALS_RTOL = 1e-8
_MAX_DENSE_CELLS = 1 << 24


@dataclass(frozen=True, slots=True)
class Margin:
    """One margin: its levels and population totals (one total for a numeric variable)."""

    name: str
    levels: tuple[Hashable, ...] | None
    targets: FloatArray


@dataclass(frozen=True, slots=True)
class CalibrationModel:
    """The calibration model matrix on *units*: cells of the categorical margins, or rows.

    `unit` maps each row to its unit (None when the units are the rows); `matrix` is the
    units × p model matrix, `targets` the p population totals, `labels` the column names
    ("district=东城", "income", "(Intercept)"), `margins` the margins in input order and
    `columns[m]` the slice of `matrix` that belongs to margin m. For cells, `blocks` lists the
    indicator blocks (first column, level of each unit, number of levels), the intercept first.
    """

    n_rows: int
    unit: IntArray | None
    matrix: FloatArray
    targets: FloatArray
    labels: tuple[str, ...]
    margins: tuple[Margin, ...]
    columns: tuple[slice, ...]
    blocks: tuple[tuple[int, IntArray, int], ...] | None = None

    @property
    def n_units(self) -> int:
        """Number of units (cells or rows) the solvers work on."""
        return int(self.matrix.shape[0])

    def unit_sums(self, values: npt.ArrayLike) -> FloatArray:
        """Σ of `values` (one per row; a column per trailing axis) within each unit."""
        array = np.asarray(values, dtype=np.float64)
        if self.unit is None:
            return array
        if array.ndim == 1:
            return np.bincount(self.unit, weights=array, minlength=self.n_units).astype(np.float64)
        return np.stack(
            [
                np.bincount(self.unit, weights=array[:, j], minlength=self.n_units)
                for j in range(array.shape[1])
            ],
            axis=1,
        )

    def expand(self, per_unit: FloatArray) -> FloatArray:
        """A per-unit array spread back to the rows."""
        return per_unit if self.unit is None else per_unit[self.unit]

    def gram(self, weights: FloatArray) -> FloatArray:
        """Σ_u v_u x_u x_uᵀ over the units. For cells, one ``bincount`` per pair of margins
        (the indicator blocks) instead of a dense matrix product, which the BLAS threads of a
        busy machine slow down by an order of magnitude."""
        if self.blocks is None:
            dense: FloatArray = self.matrix.T @ (self.matrix * weights[:, None])
            return dense
        size = len(self.targets)
        out = np.zeros((size, size))
        for a, (start_a, level_a, size_a) in enumerate(self.blocks):
            for start_b, level_b, size_b in self.blocks[a:]:
                block = np.bincount(
                    level_a * size_b + level_b, weights=weights, minlength=size_a * size_b
                ).reshape(size_a, size_b)
                out[start_a : start_a + size_a, start_b : start_b + size_b] = block
                out[start_b : start_b + size_b, start_a : start_a + size_a] = block.T
        return out

    def achieved(self, weights: FloatArray) -> FloatArray:
        """Σ w x for every column of the model: the totals the weights reproduce."""
        result: FloatArray = self.matrix.T @ self.unit_sums(weights)
        return result


def level_codes(
    values: npt.ArrayLike, levels: tuple[Hashable, ...], argument: str, name: str
) -> IntArray:
    """Index of each row's value in `levels`; a ValueError for a value not among them.

    The column is factorised once (`sampling._columns.factorize`: counting for small integers,
    hashing for text) and only its distinct values are looked up.
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{argument}: column {name!r} must be 1-D, got shape {array.shape}")
    codes, labels = factorize(array)
    if (codes < 0).any():
        raise ValueError(f"{argument}: column {name!r} has missing values")
    position = {level_key(level): k for k, level in enumerate(levels)}
    lookup = np.empty(len(labels), dtype=np.int64)
    for j, value in enumerate(labels):
        k = position.get(level_key(value))
        if k is None:
            raise ValueError(
                f"{argument}: level {value!r} of {name!r} occurs in the data but not in the margin"
            )
        lookup[j] = k
    result: IntArray = lookup[codes]
    return result


def level_key(value: Any) -> Any:
    """A margin level as a dictionary key: numpy scalars as Python values (np.int64(3) as 3)."""
    return value.item() if isinstance(value, np.generic) else value


def calibration_model(
    columns: Mapping[str, npt.ArrayLike],
    margins: Margins,
    *,
    population_size: float | None = None,
    argument: str = "margins",
) -> CalibrationModel:
    """Validate `margins` against the data and build the model matrix (cells when possible).

    Errors (ValueError naming `argument`): an unknown column, an empty margin, a zero, negative
    or missing target, a level of the data absent from the margin, a level of the margin with no
    rows in the data, categorical margins whose totals disagree (relative 1e-8), missing values.
    """
    if not margins:
        raise ValueError(f"{argument}: give at least one margin")
    n_rows: int | None = None
    parsed: list[tuple[Margin, IntArray | None, FloatArray | None]] = []
    for name, spec in margins.items():
        if name not in columns:
            raise ValueError(f"{argument}: unknown column {name!r}")
        raw = np.asarray(columns[name])
        if n_rows is None:
            n_rows = len(raw)
        elif len(raw) != n_rows:
            raise ValueError(f"{argument}: column {name!r} has {len(raw)} rows, not {n_rows}")
        parsed.append(_parse_margin(name, raw, spec, argument))
    assert n_rows is not None
    categorical = [(m, c) for m, c, _ in parsed if c is not None]
    _check_sizes(categorical, population_size, argument)
    blocks: tuple[tuple[int, IntArray, int], ...] | None = None
    if categorical and len(categorical) == len(parsed):
        sizes = [len(m.targets) for m, _ in categorical]
        unit, matrix, levels = _cells([c for _, c in categorical if c is not None], sizes, n_rows)
        start = 0 if population_size is None else 1
        starts = np.concatenate([[start], start + np.cumsum(sizes)[:-1]]).tolist()
        block_list = list(zip(starts, levels, sizes, strict=True))
        if population_size is not None:
            matrix = np.hstack([np.ones((matrix.shape[0], 1)), matrix])
            block_list.insert(0, (0, np.zeros(matrix.shape[0], dtype=np.int64), 1))
        blocks = tuple(block_list)
    else:
        unit, matrix = None, _dense(parsed, n_rows, population_size)
    targets = [np.array([population_size])] if population_size is not None else []
    labels = ["(Intercept)"] if population_size is not None else []
    slices: list[slice] = []
    start = len(labels)
    for margin, _, _ in parsed:
        targets.append(margin.targets)
        if margin.levels is None:
            labels.append(margin.name)
        else:
            labels.extend(f"{margin.name}={level}" for level in margin.levels)
        slices.append(slice(start, start + len(margin.targets)))
        start += len(margin.targets)
    return CalibrationModel(
        n_rows=n_rows,
        unit=unit,
        matrix=matrix,
        targets=np.concatenate(targets),
        labels=tuple(labels),
        margins=tuple(m for m, _, _ in parsed),
        columns=tuple(slices),
        blocks=blocks,
    )


def _parse_margin(
    name: str, raw: npt.NDArray[Any], spec: Mapping[Hashable, float] | float, argument: str
) -> tuple[Margin, IntArray | None, FloatArray | None]:
    if isinstance(spec, Mapping):
        if not spec:
            raise ValueError(f"{argument}: margin {name!r} has no levels")
        levels = tuple(spec)
        targets = np.array([float(spec[level]) for level in levels])
        bad = np.flatnonzero(~(np.isfinite(targets) & (targets > 0)))
        if len(bad):
            raise ValueError(
                f"{argument}: target {targets[bad[0]]!r} for level {levels[bad[0]]!r} of "
                f"{name!r} must be a positive number (drop levels with no population)"
            )
        if (raw.dtype.kind == "f" and np.isnan(raw).any()) or (
            raw.dtype == object and any(item is None for item in raw.tolist())
        ):
            raise ValueError(f"{argument}: column {name!r} has missing values")
        codes = level_codes(raw, levels, argument, name)
        present = np.bincount(codes, minlength=len(levels))
        empty = np.flatnonzero(present == 0)
        if len(empty):
            raise ValueError(
                f"{argument}: level {levels[empty[0]]!r} of {name!r} has a population total "
                "but no respondents in the data"
            )
        return Margin(name, levels, targets), codes, None
    total = float(spec)
    if not np.isfinite(total):
        raise ValueError(f"{argument}: total of {name!r} must be a finite number, got {spec!r}")
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{argument}: column {name!r} must be numeric for a numeric total")
    values = raw.astype(np.float64)
    if np.isnan(values).any():
        raise ValueError(f"{argument}: column {name!r} has missing values")
    return Margin(name, None, np.array([total])), None, values


def _check_sizes(
    categorical: Sequence[tuple[Margin, IntArray | None]],
    population_size: float | None,
    argument: str,
) -> None:
    sizes = [(m.name, float(m.targets.sum())) for m, _ in categorical]
    if population_size is not None:
        if not (np.isfinite(population_size) and population_size > 0):
            raise ValueError(f"population_size must be positive, got {population_size!r}")
        sizes.insert(0, ("population_size", float(population_size)))
    if len(sizes) < 2:
        return
    first_name, first = sizes[0]
    for name, size in sizes[1:]:
        if abs(size - first) > _TOTALS_RTOL * max(abs(first), abs(size)):
            raise ValueError(
                f"{argument}: margins disagree on the population size: {first_name!r} sums to "
                f"{first:.10g}, {name!r} to {size:.10g}"
            )


def _cells(
    codes: list[IntArray], sizes: list[int], n_rows: int
) -> tuple[IntArray, FloatArray, list[IntArray]]:
    """Cells of the cross-classification that hold rows, their indicator matrix, and the level
    of every cell in each margin."""
    possible = float(np.prod(np.array(sizes, dtype=np.float64)))
    combined = np.zeros(n_rows, dtype=np.int64)
    for code, size in zip(codes, sizes, strict=True):
        combined *= size
        combined += code
    if possible <= min(4 * n_rows + 1024, _MAX_DENSE_CELLS):
        present = np.flatnonzero(np.bincount(combined, minlength=int(possible)))
        lookup = np.zeros(int(possible), dtype=np.int64)
        lookup[present] = np.arange(len(present))
        unit: IntArray = lookup[combined]
    else:
        present, inverse = np.unique(combined, return_inverse=True)
        unit = inverse.reshape(-1).astype(np.int64)
    parts = np.unravel_index(present, sizes)
    matrix = np.zeros((len(present), sum(sizes)))
    offset = 0
    rows = np.arange(len(present))
    for part, size in zip(parts, sizes, strict=True):
        matrix[rows, offset + part] = 1.0
        offset += size
    return unit, matrix, [np.asarray(part, dtype=np.int64) for part in parts]


def _dense(
    parsed: list[tuple[Margin, IntArray | None, FloatArray | None]],
    n_rows: int,
    population_size: float | None,
) -> FloatArray:
    blocks: list[FloatArray] = [np.ones((n_rows, 1))] if population_size is not None else []
    for margin, codes, values in parsed:
        if codes is not None:
            block = np.zeros((n_rows, len(margin.targets)))
            block[np.arange(n_rows), codes] = 1.0
            blocks.append(block)
        else:
            assert values is not None
            blocks.append(values[:, None])
    return np.hstack(blocks)
