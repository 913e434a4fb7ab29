"""Quota cells (age × sex) for intercept interviews, from census counts by cell.

A community's target t is split over its cells in proportion to the census counts N_c,
t_c = t·N_c/ΣN_c, and rounded by largest remainders (Hamilton's method; Balinski & Young 1982)
so the quotas add up to t exactly; ties go to the cell listed first, so the result is
deterministic.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from sampling.planning import _checks
from sampling.planning._rounding import largest_remainder

Cell = tuple[str, str]


@dataclass(frozen=True, slots=True, eq=False)
class Quotas(Mapping[Cell, int]):
    """Interviews per (age group, sex) cell; reads (and compares) as a mapping cell → quota.

    ``targets`` are the unrounded t·N_c/ΣN_c, ``target`` their total.
    """

    target: int
    counts: Mapping[Cell, int]
    targets: Mapping[Cell, float]

    def __getitem__(self, cell: Cell) -> int:
        return self.counts[cell]

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)


def quotas(target: int, census: Mapping[Cell, float]) -> Quotas:
    """Split ``target`` interviews over the cells of ``census`` ((age, sex) → population)."""
    total = _checks.count("target", target, minimum=0)
    if not isinstance(census, Mapping) or len(census) == 0:
        msg = "census must be a non-empty mapping (age group, sex) -> population count"
        raise ValueError(msg)
    cells = tuple(census)
    population = np.array([float(census[cell]) for cell in cells])
    if not np.all(np.isfinite(population)) or np.any(population < 0):
        msg = "census counts must be finite numbers >= 0"
        raise ValueError(msg)
    if population.sum() <= 0:
        msg = "census must have a positive count in at least one cell"
        raise ValueError(msg)
    shares = total * population / population.sum()
    counts = largest_remainder(shares, total)
    return Quotas(
        target=total,
        counts=dict(zip(cells, (int(c) for c in counts), strict=True)),
        targets=dict(zip(cells, (float(s) for s in shares), strict=True)),
    )


def quotas_by_community(
    targets: Mapping[str, int],
    census: Mapping[str, Mapping[Cell, float]],
) -> dict[str, Quotas]:
    """:func:`quotas` for each community: targets (community → t) and census by community."""
    missing = [key for key in targets if key not in census]
    if missing:
        msg = f"census has no cells for communities {missing}"
        raise ValueError(msg)
    return {key: quotas(target, census[key]) for key, target in targets.items()}
