"""Taylor-linearisation variance of a multistage stratified design, as R's ``svyrecvar``.

The design is reduced to a `VarianceStructure`: for every sampling stage the cluster of each row,
the stratum of each cluster, and per stratum the coefficient that multiplies its sum of squares.
An estimator hands in its *scores* (influence values, one column per statistic); the variance is

    V = Σ_k Σ_h m_hk · f_hk · n_hk / (n_hk − 1) · Σ_i (z_hki − z̄_hk)(z_hki − z̄_hk)ᵀ

where z_hki is the total of the scores in cluster i of stratum h at stage k, z̄_hk their mean over
the n_hk clusters the stratum has in the whole sample, f_hk = (N_hk − n_hk)/N_hk the finite
population correction (1 without fpc, i.e. with replacement) and m_hk the product of the sampling
fractions n/N of the earlier stages (Särndal, Swensson & Wretman 1992, §4.3; Lohr 2022, §6.6).
Later stages only count when fpc is given, as in R. Domains follow R's unconditional domain
variance: a row outside the domain has score zero, the stratum keeps all its clusters.

Lonely PSUs (a stratum with one sampled cluster that is not a certainty unit) follow R's
``options(survey.lonely.psu=)`` with ``survey.adjust.domain.lonely = FALSE``:
``remove``/``certainty`` contribute zero, ``adjust`` centres the lonely cluster at zero (the
population mean of the scores) instead of the stratum mean, ``average`` multiplies the variance of
the other strata by (strata)/(strata without a lonely PSU), counted among the strata the domain
reaches. ``fail`` is refused when the design is built.

Hook for calibrated designs: the weighting step replaces each score column by its g-weighted
residual from the calibration variables (as R's ``calibrate`` does through ``postStrata``) and
then calls `linearised_variance` with those columns; nothing here depends on how the scores were
made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sampling._columns import BoolArray, FloatArray, IntArray

LONELY_PSU_OPTIONS = ("fail", "remove", "certainty", "adjust", "average")

_DENSE_PAIR_LIMIT = 1 << 22


@dataclass(frozen=True, slots=True)
class Stage:
    """One sampling stage: clusters of rows, strata of clusters, per-stratum coefficients.

    `weight[h]` is m_h · f_h · n_h/(n_h − 1) (m_h · f_h for a single cluster; zero for a lonely
    stratum under ``remove``, ``certainty`` and ``average``); `centred[h]` is False only for a
    lonely stratum under ``adjust``. `stratum_group[h]` is the unit within which ``average``
    averages: the whole design at stage 1, the parent cluster at later stages (as R recurses).
    """

    cluster: IntArray
    n_clusters: int
    singleton: bool
    cluster_stratum: IntArray
    n_strata: int
    stratum_group: IntArray
    n_groups: int
    n_psu: FloatArray
    weight: FloatArray
    centred: BoolArray
    lonely: BoolArray


@dataclass(frozen=True, slots=True)
class VarianceStructure:
    """The stages that carry variance and the lonely-PSU rule."""

    stages: tuple[Stage, ...]
    lonely_psu: str
    n_rows: int


@dataclass(frozen=True, slots=True)
class DomainScore:
    """A score column given as Σ_k column_k · coefficient_k[domain of the row].

    Within a (domain, cluster) cell the coefficients are constant, so the cell total is
    Σ_k coefficient_k[domain] · (cell total of column_k): the row columns (w·y, w) are summed once
    and shared between statistics, and no row-level score is ever formed.
    """

    terms: tuple[tuple[FloatArray, FloatArray], ...]


@dataclass(frozen=True, slots=True)
class CellTotals:
    """A score already summed to the (domain, cluster) cells of every stage (see `cell_totals`)."""

    per_stage: tuple[FloatArray, ...]


@dataclass(frozen=True, slots=True)
class StagePairs:
    """The (domain, cluster) cells of one stage: each row's cell (`index`; None when the cells are
    the rows themselves, listed in `rows`, or the clusters), and each cell's domain and cluster."""

    index: IntArray | None
    rows: IntArray | None
    domain: IntArray
    cluster: IntArray
    size: int


def linearised_variance(
    structure: VarianceStructure,
    scores: npt.ArrayLike,
    domain: IntArray | None = None,
    n_domains: int = 1,
    *,
    covariance: bool = False,
) -> FloatArray:
    """Design variance of the totals of the score columns, as R's ``svyrecvar``.

    `scores` is an n × k matrix (or a vector). Without `domain` the result is the k × k
    covariance matrix (``covariance=True``) or its diagonal, for the whole design. With `domain`
    (a code 0..n_domains-1 per row, -1 for rows in no domain) each row's scores count only in its
    domain, as if the n × (n_domains · k) matrix with zeros elsewhere had been given; the result
    has a leading axis of length `n_domains`. R: ``svyrecvar(scores, d$cluster, d$strata, d$fpc)``.
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.shape[0] != structure.n_rows:
        raise ValueError(
            f"scores must have {structure.n_rows} rows (one per design row), got {matrix.shape}"
        )
    columns = [np.ascontiguousarray(matrix[:, j]) for j in range(matrix.shape[1])]
    result = variance_columns(structure, columns, domain, n_domains, covariance=covariance)
    return result if domain is not None else result[0]


def variance_columns(
    structure: VarianceStructure,
    columns: Sequence[FloatArray | DomainScore | CellTotals],
    domain: IntArray | None,
    n_domains: int,
    *,
    covariance: bool = False,
    pairs: Sequence[StagePairs] | None = None,
) -> FloatArray:
    """`linearised_variance` on score columns, `DomainScore`s or `CellTotals`; (D, k) or (D, k, k).

    `pairs` are the cached `stage_pairs` of `domain` for every stage, when the caller has them
    (`CellTotals` must come from the same pairs).
    """
    k = len(columns)
    shape = (n_domains, k, k) if covariance else (n_domains, k)
    total = np.zeros(shape)
    for s, stage in enumerate(structure.stages):
        cells = pairs[s] if pairs is not None else stage_pairs(stage, domain, n_domains)
        memo: dict[int, FloatArray] = {}
        totals = [
            column.per_stage[s]
            if isinstance(column, CellTotals)
            else _score_totals(cells, column, memo)
            for column in columns
        ]
        total += _stage_variance(
            stage,
            structure.lonely_psu,
            pairs=cells,
            totals=totals,
            n_domains=n_domains,
            covariance=covariance,
        )
    return total


def stage_pairs(stage: Stage, domain: IntArray | None, n_domains: int) -> StagePairs:
    """The (domain, cluster) cells of `stage`, and which cell each row falls in."""
    n_clusters = stage.n_clusters
    if domain is None:
        if stage.singleton:
            return StagePairs(None, None, np.zeros(n_clusters, np.int64), stage.cluster, n_clusters)
        return StagePairs(
            stage.cluster, None, np.zeros(n_clusters, np.int64), np.arange(n_clusters), n_clusters
        )
    inside = domain >= 0
    if stage.singleton:
        rows = np.flatnonzero(inside)
        return StagePairs(None, rows, domain[rows], stage.cluster[rows], len(rows))
    dump = n_domains * n_clusters
    code = np.where(inside, domain * n_clusters + stage.cluster, dump)
    if dump <= _DENSE_PAIR_LIMIT:
        cells = np.arange(dump)
        return StagePairs(code, None, cells // n_clusters, cells % n_clusters, dump)
    cells, index = np.unique(code, return_inverse=True)
    index = index.reshape(-1)
    if cells[-1] == dump:
        cells = cells[:-1]
    return StagePairs(index, None, cells // n_clusters, cells % n_clusters, len(cells))


def cell_totals(
    pairs: Sequence[StagePairs],
    score: DomainScore,
    shared: FloatArray,
    memo: dict[int, FloatArray],
) -> CellTotals:
    """`score` summed to the cells of every stage now, so its row columns can be freed.

    The cell totals of the `shared` row column (the weights, used by every score) are kept in
    `memo` by stage.
    """
    per_stage = []
    for s, cells in enumerate(pairs):
        total = np.zeros(cells.size)
        for column, coefficient in score.terms:
            if column is not shared:
                summed = _pair_totals(cells, column)
            elif s in memo:
                summed = memo[s]
            else:
                summed = memo[s] = _pair_totals(cells, column)
            total += coefficient[cells.domain] * summed
        per_stage.append(total)
    return CellTotals(tuple(per_stage))


def _score_totals(
    pairs: StagePairs, score: FloatArray | DomainScore, memo: dict[int, FloatArray]
) -> FloatArray:
    if not isinstance(score, DomainScore):
        return _pair_totals(pairs, score)
    total = np.zeros(pairs.size)
    for column, coefficient in score.terms:
        if id(column) not in memo:
            memo[id(column)] = _pair_totals(pairs, column)
        total += coefficient[pairs.domain] * memo[id(column)]
    return total


def _pair_totals(pairs: StagePairs, column: FloatArray) -> FloatArray:
    if pairs.index is None:
        return column if pairs.rows is None else column[pairs.rows]
    sums = np.bincount(pairs.index, weights=column, minlength=pairs.size + 1)
    return np.asarray(sums[: pairs.size], dtype=np.float64)


def _stage_variance(
    stage: Stage,
    lonely_psu: str,
    *,
    pairs: StagePairs,
    totals: list[FloatArray],
    n_domains: int,
    covariance: bool,
) -> FloatArray:
    n_strata = stage.n_strata
    stratum = stage.cluster_stratum[pairs.cluster]
    cell = pairs.domain * n_strata + stratum
    size = n_domains * n_strata
    weight = stage.weight[stratum]
    centring = np.where(stage.centred, stage.weight / stage.n_psu, 0.0)
    sums = [np.bincount(cell, weights=z, minlength=size) for z in totals]
    factor = _average_factor(stage, pairs, cell, n_domains) if lonely_psu == "average" else None
    k = len(totals)

    def term(i: int, j: int) -> FloatArray:
        squares = np.bincount(cell, weights=weight * totals[i] * totals[j], minlength=size)
        per_stratum = (squares - np.tile(centring, n_domains) * sums[i] * sums[j]).reshape(
            n_domains, n_strata
        )
        if factor is not None:
            per_stratum = per_stratum * factor
        return np.asarray(per_stratum.sum(axis=1))

    if not covariance:
        return np.stack([term(j, j) for j in range(k)], axis=1)
    out = np.empty((n_domains, k, k))
    for i in range(k):
        for j in range(i, k):
            out[:, i, j] = out[:, j, i] = term(i, j)
    return out


def _average_factor(
    stage: Stage, pairs: StagePairs, cell: IntArray, n_domains: int
) -> FloatArray | None:
    """Per (domain, stratum): strata / strata without a lonely PSU, within the stratum's group."""
    if not stage.lonely.any():
        return None
    occupied = (
        np.ones(pairs.size, dtype=np.float64)
        if pairs.index is None
        else np.bincount(pairs.index, minlength=pairs.size + 1)[: pairs.size].astype(np.float64)
    )
    present = (
        np.bincount(cell, weights=occupied, minlength=n_domains * stage.n_strata) > 0
    ).reshape(n_domains, stage.n_strata)
    groups = stage.n_groups
    group_cell = (np.arange(n_domains)[:, None] * groups + stage.stratum_group[None, :]).ravel()
    flat_present = present.ravel().astype(np.float64)
    n_present = np.bincount(group_cell, weights=flat_present, minlength=n_domains * groups)
    n_ok = np.bincount(
        group_cell,
        weights=flat_present * np.tile(~stage.lonely, n_domains),
        minlength=n_domains * groups,
    )
    ratio = np.divide(n_present, n_ok, out=np.zeros_like(n_present), where=n_ok > 0)
    return np.asarray(ratio[group_cell].reshape(n_domains, stage.n_strata))
