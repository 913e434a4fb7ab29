"""Largest-remainder (Hamilton) rounding shared by allocation and quotas."""

import numpy as np
import numpy.typing as npt

# Targets computed in floating point may sit a hair below an integer they equal in exact
# arithmetic (2.9999999999999996 for 3); this slack keeps such targets on the integer.
_SLACK = 1e-9


def largest_remainder(
    targets: npt.NDArray[np.float64],
    total: int,
    upper: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int64]:
    """Round non-negative ``targets`` that add up to ``total`` to integers that add up to it.

    Every target is rounded down; the units still missing go, one each, to the largest
    remainders (ties to the earlier position, so the result is deterministic). A target lying
    between two integer bounds is rounded to one of the two integers next to it, so integer
    bounds that the targets respect (minimum, cap) are respected by the result; ``upper``
    keeps a unit from going above its cap when the targets' sum carries rounding error.
    (Balinski & Young 1982, *Fair Representation*, ch. 2 — Hamilton's method.)
    """
    floors = np.floor(targets + _SLACK)
    if upper is not None:
        floors = np.minimum(floors, upper)
    remainders = targets - floors
    missing = total - int(floors.sum())
    order = np.argsort(-remainders, kind="stable")
    if upper is not None:
        order = order[floors[order] < upper[order]]
    result = floors.astype(np.int64)
    result[order[:missing]] += 1
    return result
