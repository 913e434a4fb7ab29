"""Domains: the crossing of `by` columns (within a `subset`) as codes, keys, df and cached sums."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from sampling._columns import BoolArray, FloatArray, IntArray
from sampling._estimators import DomainBase
from sampling.variance import StagePairs, VarianceStructure, stage_pairs

Factor = tuple[IntArray, list[Hashable]]


@dataclass(frozen=True, slots=True)
class Grouping:
    """Domain codes of every row (-1 outside), keys, df, rows, and what estimators share."""

    keys: list[Hashable]
    by: tuple[str, ...]
    df: FloatArray
    rows: FloatArray
    base: DomainBase = field(repr=False)
    pairs: list[StagePairs] = field(repr=False)

    @property
    def codes(self) -> IntArray:
        """Domain code of every row, -1 for rows in no domain."""
        return self.base.codes


def grouping(
    structure: VarianceStructure,
    weights: FloatArray,
    factors: list[Factor],
    by: tuple[str, ...],
    domain: BoolArray | None,
) -> Grouping:
    """The domains of the crossed `factors` among the rows of `domain`, with their df."""
    codes, keys = _domains(factors, structure.n_rows, domain)
    n_domains = len(keys)
    if n_domains == 0:
        raise ValueError("by: no rows in any domain")
    pairs = [stage_pairs(stage, codes, n_domains) for stage in structure.stages]
    base = DomainBase.of(weights, codes, n_domains)
    return Grouping(
        keys=keys,
        by=by,
        df=_domain_df(structure, pairs[0], n_domains),
        rows=base.n,
        base=base,
        pairs=pairs,
    )


def _domains(
    factors: list[Factor], n_rows: int, domain: BoolArray | None
) -> tuple[IntArray, list[Hashable]]:
    """Codes 0..D-1 of the domains that have rows (crossing of the `by` columns, sorted; tuples as
    keys for several columns), -1 for rows outside `domain` or with a missing `by` value."""
    codes = np.zeros(n_rows, np.int64)
    missing = np.zeros(n_rows, np.bool_)
    sizes = [len(labels) for _, labels in factors]
    for (column_codes, _), size in zip(factors, sizes, strict=True):
        codes = codes * size + column_codes
        missing |= column_codes < 0
    if domain is not None:
        missing |= ~domain
    codes[missing] = -1
    possible = int(np.prod(sizes, dtype=np.float64)) if sizes else 1
    if possible <= 4 * n_rows + 1024:
        present = np.flatnonzero(np.bincount(codes + 1, minlength=possible + 1)[1:])
        lookup = np.full(possible + 1, -1, np.int64)
        lookup[present + 1] = np.arange(len(present))
        codes = lookup[codes + 1]
    else:
        present, inverse = np.unique(codes, return_inverse=True)
        inverse = inverse.reshape(-1)
        if len(present) and present[0] < 0:
            present, inverse = present[1:], inverse - 1
        codes = inverse
    if not factors:
        return codes, [None] * len(present)
    cells = np.unravel_index(present, sizes)
    labels = [factor[1] for factor in factors]
    if len(factors) == 1:
        return codes, [labels[0][int(i)] for i in cells[0]]
    keys: list[Hashable] = [
        tuple(labels[c][int(cells[c][j])] for c in range(len(factors))) for j in range(len(present))
    ]
    return codes, keys


def _domain_df(structure: VarianceStructure, pairs: StagePairs, n_domains: int) -> FloatArray:
    """PSUs − strata among the rows of each domain (R's ``degf`` on the domain)."""
    first = structure.stages[0]
    pair_domain, pair_cluster = pairs.domain, pairs.cluster
    if pairs.index is None:
        occupied = np.ones(pairs.size, dtype=np.bool_)
    else:
        occupied = np.bincount(pairs.index, minlength=pairs.size + 1)[: pairs.size] > 0
    psus = np.bincount(pair_domain[occupied], minlength=n_domains)
    cells = pair_domain[occupied] * first.n_strata + first.cluster_stratum[pair_cluster[occupied]]
    strata_present = np.bincount(cells, minlength=n_domains * first.n_strata) > 0
    strata = strata_present.reshape(n_domains, first.n_strata).sum(axis=1)
    df: FloatArray = (psus - strata).astype(np.float64)
    return df
