"""Drawing units from a frame with a seed: SRS, systematic (等距) and PPS systematic.

All randomness comes from the ``rng: numpy.random.Generator`` argument, so the same seed gives
the same sample. Inclusion probabilities π_i are kept for every unit of the frame, so design
weights 1/π_i follow; they add up to n.

- "srs": simple random sampling without replacement, π_i = n/N (Cochran 1977, ch. 2).
- "systematic": fractional-interval systematic sampling in frame order, interval k = N/n,
  random start r ~ U[0, k), units ⌊r + jk⌋ for j = 0 … n − 1, π_i = n/N (Cochran 1977, ch. 8;
  Särndal, Swensson & Wretman 1992, §3.4). Sort the frame (district, street) first for
  implicit stratification.
- "pps_systematic": systematic sampling on the cumulated sizes x_i (community population),
  π_i = n·x_i/X. A unit with x_i ≥ X/n would get π_i ≥ 1: it is taken with certainty,
  removed, and the interval recomputed on the rest until no size reaches it (Särndal et al.
  1992, §3.6; Lohr 2019, ch. 6). R: ``sampling::inclusionprobabilities(x, n)`` gives the same π,
  ``sampling::UPsystematic`` the same draw scheme.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from sampling.planning import _checks

SelectionMethod = Literal["srs", "systematic", "pps_systematic"]
SELECTION_METHODS: tuple[SelectionMethod, ...] = ("srs", "systematic", "pps_systematic")
_T = TypeVar("_T", bound=np.generic)


@dataclass(frozen=True, slots=True)
class Selection:
    """A drawn sample; all arrays are read-only and in frame order.

    ``sizes`` are the measures of size used (all 1 for "srs" and "systematic"),
    ``inclusion_probabilities`` and ``certainty`` cover every unit of the frame, ``indices``
    are the selected units' positions in the frame, ascending.
    """

    method: SelectionMethod
    n: int
    sizes: npt.NDArray[np.float64]
    indices: npt.NDArray[np.int64]
    inclusion_probabilities: npt.NDArray[np.float64]
    certainty: npt.NDArray[np.bool_]

    @property
    def selected_probabilities(self) -> npt.NDArray[np.float64]:
        """π_i of the selected units, in the order of ``indices``."""
        return self.inclusion_probabilities[self.indices]

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """Design weights 1/π_i of the selected units, in the order of ``indices``."""
        return 1.0 / self.selected_probabilities


def select(
    sizes_or_n_units: int | npt.ArrayLike,
    n: int,
    method: SelectionMethod = "srs",
    *,
    rng: np.random.Generator,
) -> Selection:
    """Draw ``n`` units with ``method`` (see the module docstring for each scheme).

    ``sizes_or_n_units`` is the number of units N of the frame, or the frame's measures of
    size (one non-negative number per unit; "srs" and "systematic" use only their count).
    ``rng`` is the only source of randomness.
    """
    if not isinstance(rng, np.random.Generator):
        msg = f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        raise TypeError(msg)
    if method not in SELECTION_METHODS:
        msg = f"method must be one of {', '.join(SELECTION_METHODS)}; got {method!r}"
        raise ValueError(msg)
    sizes = _frame_sizes(sizes_or_n_units, method)
    available = int(np.count_nonzero(sizes))
    count = _checks.count("n", n, minimum=1)
    if count > available:
        msg = f"n = {count} exceeds the {available} units of the frame that can be drawn"
        raise ValueError(msg)
    if method == "srs":
        indices = np.sort(rng.choice(sizes.size, size=count, replace=False)).astype(np.int64)
        probabilities = np.full(sizes.size, count / sizes.size)
        certainty = np.full(sizes.size, count == sizes.size)
    else:
        indices, probabilities, certainty = _systematic(sizes, count, rng)
    return Selection(
        method=method,
        n=count,
        sizes=_frozen(sizes),
        indices=_frozen(indices),
        inclusion_probabilities=_frozen(probabilities),
        certainty=_frozen(certainty),
    )


def replacement_order(
    selection: Selection,
    *,
    rng: np.random.Generator,
    count: int | None = None,
    among: npt.ArrayLike | None = None,
) -> npt.NDArray[np.int64]:
    """Ordered reserve list: units not in ``selection``, to be used first-to-last on refusals.

    The reserve is drawn by successive sampling without replacement (each next unit with
    probability proportional to its size among those left; equal sizes for "srs" and
    "systematic"), so early reserves resemble the sample (Hájek 1981). ``count`` limits
    the length (default: every drawable unit not selected); ``among`` (a boolean mask over the
    frame, e.g. the refusing community's district) limits the candidates. Substitution changes
    the true
    inclusion probabilities; the design weights keep the drawn unit's π_i, as is usual practice
    (Lohr 2019, ch. 8, on substitution), and the field report should count substitutions.
    """
    if not isinstance(rng, np.random.Generator):
        msg = f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        raise TypeError(msg)
    left = np.ones(selection.sizes.size, dtype=bool)
    if among is not None:
        mask = np.asarray(among)
        if mask.dtype != np.bool_ or mask.shape != left.shape:
            msg = f"among must be a boolean mask with one entry per frame unit ({left.size})"
            raise ValueError(msg)
        left &= mask
    left[selection.indices] = False
    candidates = np.flatnonzero(left & (selection.sizes > 0))
    length = candidates.size if count is None else _checks.count("count", count, minimum=0)
    if length > candidates.size:
        msg = f"count = {length} exceeds the {candidates.size} units left to draw"
        raise ValueError(msg)
    if length == 0:
        return _frozen(np.empty(0, dtype=np.int64))
    mass = selection.sizes[candidates]
    order = rng.choice(candidates, size=length, replace=False, p=mass / mass.sum())
    return _frozen(np.asarray(order, dtype=np.int64))


def select_stratified(
    strata: npt.ArrayLike,
    allocation: Mapping[str, int],
    method: SelectionMethod = "srs",
    *,
    sizes: npt.ArrayLike | None = None,
    rng: np.random.Generator,
) -> Selection:
    """Draw ``allocation[h]`` units independently in each stratum h of the frame.

    ``strata`` gives each frame unit's stratum (e.g. its district); ``sizes`` the measures of
    size (required for "pps_systematic"). Strata are drawn in the order of ``allocation``
    (an :class:`~sampling.planning.Allocation` works), each with :func:`select`, so π_i is
    the within-stratum inclusion probability and Σπ_i over a stratum is n_h. The result
    covers the whole frame, in frame order.
    """
    labels = np.asarray(strata)
    if labels.ndim != 1 or labels.size == 0:
        msg = "strata must be a non-empty 1-D sequence of stratum labels, one per frame unit"
        raise ValueError(msg)
    if sizes is None:
        if method == "pps_systematic":
            msg = "sizes are required for method='pps_systematic'"
            raise ValueError(msg)
        frame = np.ones(labels.size)
    else:
        frame = _frame_sizes(sizes, method, "sizes")
    if frame.size != labels.size:
        msg = f"sizes must have one value per frame unit: {frame.size} sizes, {labels.size} units"
        raise ValueError(msg)
    unknown = sorted({str(label) for label in labels} - {str(key) for key in allocation})
    if unknown:
        msg = f"allocation has no sample size for strata {unknown}"
        raise ValueError(msg)
    probabilities = np.zeros(labels.size)
    certainty = np.zeros(labels.size, dtype=bool)
    chosen: list[npt.NDArray[np.int64]] = []
    for stratum, n_h in allocation.items():
        positions = np.flatnonzero(labels == stratum)
        if _checks.count(f"allocation[{stratum!r}]", n_h, minimum=0) == 0:
            continue
        if positions.size == 0:
            msg = f"allocation[{stratum!r}] = {n_h} but the frame has no unit in that stratum"
            raise ValueError(msg)
        try:
            part = select(frame[positions], n_h, method, rng=rng)
        except ValueError as error:
            msg = f"allocation[{stratum!r}]: {error}"
            raise ValueError(msg) from error
        probabilities[positions] = part.inclusion_probabilities
        certainty[positions] = part.certainty
        chosen.append(positions[part.indices])
    indices = np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)
    return Selection(
        method=method,
        n=int(indices.size),
        sizes=_frozen(frame),
        indices=_frozen(indices.astype(np.int64)),
        inclusion_probabilities=_frozen(probabilities),
        certainty=_frozen(certainty),
    )


def pps_inclusion_probabilities(
    sizes: npt.ArrayLike, n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """π_i = n·x_i/X with certainty units (π_i = 1) taken out iteratively; returns (π, certainty).

    Units with x_i ≥ X_rest/n_rest are certain; the rest get π_i = n_rest·x_i/X_rest, so Σπ_i = n
    and every π_i ≤ 1. R: ``sampling::inclusionprobabilities(x, n)``.
    """
    x = _frame_sizes(sizes, "pps_systematic", "sizes")
    count = _checks.count("n", n, minimum=1)
    available = int(np.count_nonzero(x))
    if count > available:
        msg = f"n = {count} exceeds the {available} units with a positive size"
        raise ValueError(msg)
    probabilities, certainty, _ = _pps_probabilities(x, count)
    return probabilities, certainty


def _frame_sizes(
    sizes_or_n_units: int | npt.ArrayLike, method: str, name: str = "sizes_or_n_units"
) -> npt.NDArray[np.float64]:
    if isinstance(sizes_or_n_units, Integral) and not isinstance(sizes_or_n_units, bool):
        if method == "pps_systematic":
            msg = f"{name} must give the units' sizes for method='pps_systematic'"
            raise ValueError(msg)
        units = _checks.count(name, int(sizes_or_n_units), minimum=1)
        return np.ones(units)
    sizes = np.array(sizes_or_n_units, dtype=np.float64)
    if sizes.ndim != 1 or sizes.size == 0:
        msg = f"{name} must be a positive unit count or a non-empty 1-D array of sizes"
        raise ValueError(msg)
    if not np.all(np.isfinite(sizes)) or np.any(sizes < 0):
        msg = f"{name} must hold finite sizes >= 0"
        raise ValueError(msg)
    if method == "pps_systematic":
        return sizes
    return np.ones(sizes.size)


def _pps_probabilities(
    x: npt.NDArray[np.float64], n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], float]:
    """π, certainty flags and the sampling interval X_rest/n_rest (inf when all are certain)."""
    certainty = np.zeros(x.size, dtype=bool)
    while True:
        rest = ~certainty & (x > 0)
        left = n - int(certainty.sum())
        if left == 0:
            interval = float("inf")
            break
        interval = float(x[rest].sum()) / left
        reaching = rest & (x >= interval)
        if not reaching.any():
            break
        certainty |= reaching
    probabilities = np.where(certainty, 1.0, x / interval)
    return probabilities, certainty, interval


def _systematic(
    x: npt.NDArray[np.float64], n: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    probabilities, certainty, interval = _pps_probabilities(x, n)
    chosen = certainty.copy()
    left = n - int(certainty.sum())
    if left > 0:
        lengths = np.where(certainty, 0.0, x)
        cumulated = np.cumsum(lengths)
        points = rng.random() * interval + interval * np.arange(left)
        hits = np.searchsorted(cumulated, points, side="right")
        last = int(np.flatnonzero(lengths)[-1])
        chosen[np.minimum(hits, last)] = True
    return np.flatnonzero(chosen).astype(np.int64), probabilities, certainty


def _frozen(array: npt.NDArray[_T]) -> npt.NDArray[_T]:
    array.setflags(write=False)
    return array
