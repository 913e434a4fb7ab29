"""Replicate weights kept compact: one factor per (PSU, replicate), R ``survey``'s scales.

Replicate r gives row i the weight w_i · f[psu(i), r] (· c[cell(i), r] after calibration), so a
design with 2,000 PSUs stores 2,000 × R factors instead of n × R weights, and a replicate total is
one ``bincount`` over PSUs followed by a matrix product. The variance is R's ``svrVar``:

    v = scale · Σ_r rscale_r (θ_r − θ̄)²,   θ̄ = mean of the θ_r (or θ̂ itself when mse=True)

Factors and scales (Wolter 2007; Lumley 2010, §2.3; R's ``as.svrepdesign(design, type=)``):

- JK1 (``jk1weights``): drop one PSU, others × n/(n − 1); scale = f (n − 1)/n, f = 1 − n/N.
- JKn (``jknweights``): drop PSU j of stratum h, others of h × n_h/(n_h − 1); rscale_(h,j) =
  f_h (n_h − 1)/n_h, scale 1; lonely strata as ``options(survey.lonely.psu=)``.
- bootstrap (``bootweights``, Canty & Davison 1999): in each stratum n_h PSUs drawn with
  replacement from its n_h (or n_h of the N_h population without replacement), factor = times
  drawn; scale = n̄/((n̄ − 1)(R − 1)) with n̄ the harmonic mean of the n_h.
- BRR / Fay (``brrweights``): strata of two PSUs (larger even strata split into pairs), half-samples
  from rows of `hadamard`; factors 2 − ρ and ρ; scale = 1/(R (1 − ρ)²).

Degrees of freedom are R's ``degf`` (rank of the replicate weight matrix − 1), from the structure
for jackknives and from the PSU × replicate factor matrix otherwise: never an n × R QR.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from sampling.weighting._margins import FloatArray, IntArray
from sampling.weighting.hadamard import hadamard, is_hadamard

REPLICATE_TYPES: Final = ("JK1", "JKn", "bootstrap", "BRR")
LONELY_OPTIONS: Final = ("fail", "remove", "certainty", "adjust", "average")

_BLOCK_CELLS = 1 << 22


@dataclass(frozen=True, slots=True)
class ReplicateWeights:
    """Compact replicate weights: PSU of each row, PSU × replicate factors, R's scales.

    After calibration, `pair` maps each row to a (PSU, cell) pair and `cell_factors[c, r]` is
    the replicate's g over the full-sample g for cell c (None before any calibration).
    """

    type: str
    psu: IntArray
    factors: FloatArray
    scale: float
    rscales: FloatArray
    rho: float
    degf: int
    pair: IntArray | None = None
    pair_psu: IntArray | None = None
    pair_cell: IntArray | None = None
    cell_factors: FloatArray | None = None

    @property
    def n_replicates(self) -> int:
        """Number of replicates R."""
        return int(self.factors.shape[1])

    def totals(
        self,
        weights: npt.ArrayLike,
        values: npt.ArrayLike,
        domain: npt.ArrayLike | None = None,
        n_domains: int = 1,
    ) -> FloatArray:
        """Replicate totals Σ_i w_i f_ir y_i: (R,) for a vector, (R, k) for n × k values.

        With `domain` (code 0..n_domains − 1 per row, −1 outside) the totals of each domain:
        (R, n_domains) or (R, n_domains, k). One ``bincount`` per column over (domain, PSU)
        cells, then a product with the PSU factors (R's ``svyby`` on a replicate design).
        """
        w = np.asarray(weights, dtype=np.float64)
        y = np.asarray(values, dtype=np.float64)
        vector = y.ndim == 1
        columns = y[:, None] if vector else y
        weighted = columns * w[:, None]
        if self.pair is None:
            source, size = self.psu, self.factors.shape[0]
        else:
            assert self.pair_psu is not None
            source, size = self.pair, len(self.pair_psu)
        if domain is None:
            codes, count = source, 1
        else:
            given = np.asarray(domain, dtype=np.int64)
            if given.shape != source.shape:
                raise ValueError(f"domain: need one code per row, got shape {given.shape}")
            keep = given >= 0
            weighted = weighted * keep[:, None]
            codes, count = np.where(keep, given, 0) * size + source, n_domains
        cells = _group_sums(codes, weighted, count * size).reshape(count, size, -1)
        out = np.empty((self.n_replicates, count, columns.shape[1]))
        block = max(1, _BLOCK_CELLS // max(size, 1))
        for start in range(0, self.n_replicates, block):
            stop = min(start + block, self.n_replicates)
            out[start:stop] = np.einsum("pr,dpk->rdk", self._factors(start, stop), cells)
        if domain is None:
            out = out[:, 0]
        return out[..., 0] if vector else out

    def _factors(self, start: int, stop: int) -> FloatArray:
        """Factors of replicates start..stop for each PSU (or each (PSU, cell) pair)."""
        if self.pair is None:
            return self.factors[:, start:stop]
        assert self.pair_psu is not None
        assert self.pair_cell is not None
        assert self.cell_factors is not None
        factor: FloatArray = (
            self.factors[self.pair_psu, start:stop] * self.cell_factors[self.pair_cell, start:stop]
        )
        return factor

    def row_factors(self, replicates: slice) -> FloatArray:
        """Dense n × r factors of some replicates (for checks; the estimators never need them)."""
        dense = self.factors[self.psu, replicates]
        if self.pair is not None:
            assert self.pair_cell is not None
            assert self.cell_factors is not None
            dense = dense * self.cell_factors[self.pair_cell[self.pair], replicates]
        result: FloatArray = dense
        return result

    def variance(
        self, replicates: npt.ArrayLike, estimate: npt.ArrayLike, *, mse: bool = False
    ) -> FloatArray:
        """R's ``svrVar``: scale · Σ rscale_r (θ_r − centre)², centre = mean or the estimate."""
        return replicate_variance(replicates, estimate, self.scale, self.rscales, mse=mse)


def replicate_variance(
    replicates: npt.ArrayLike,
    estimate: npt.ArrayLike,
    scale: float,
    rscales: npt.ArrayLike,
    *,
    mse: bool = False,
) -> FloatArray:
    """Variance from replicate estimates θ_r (rows), as R's ``svrVar(thetas, scale, rscales)``."""
    thetas = np.asarray(replicates, dtype=np.float64)
    rs = np.asarray(rscales, dtype=np.float64)
    centre = np.asarray(estimate, dtype=np.float64) if mse else thetas[rs > 0].mean(axis=0)
    deviation = thetas - centre
    weighted = rs.reshape((-1,) + (1,) * (thetas.ndim - 1)) * deviation**2
    result: FloatArray = scale * weighted.sum(axis=0)
    return result


def _group_sums(codes: IntArray, columns: FloatArray, size: int) -> FloatArray:
    return np.stack(
        [
            np.bincount(codes, weights=columns[:, j], minlength=size)
            for j in range(columns.shape[1])
        ],
        axis=1,
    )


def _codes(values: npt.ArrayLike, argument: str) -> tuple[IntArray, list[Hashable]]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{argument}: need a 1-D array, got shape {array.shape}")
    uniques, inverse = np.unique(array, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), uniques.tolist()


def _psu_strata(
    strata: npt.ArrayLike | None, psu: npt.ArrayLike
) -> tuple[IntArray, IntArray, int, list[Hashable]]:
    """PSU code per row, stratum code per PSU, number of strata, stratum labels (nested ids)."""
    psu_raw = np.asarray(psu)
    n = len(psu_raw)
    if strata is None:
        stratum_row = np.zeros(n, dtype=np.int64)
        labels: list[Hashable] = [None]
    else:
        stratum_row, labels = _codes(strata, "strata")
        if len(stratum_row) != n:
            raise ValueError(f"strata, psu: lengths differ ({len(stratum_row)} and {n})")
    psu_row, _ = _codes(psu_raw, "psu")
    combined = stratum_row * (int(psu_row.max()) + 1) + psu_row
    _, psu_code = np.unique(combined, return_inverse=True)
    psu_code = psu_code.reshape(-1).astype(np.int64)
    psu_stratum = np.zeros(int(psu_code.max()) + 1, dtype=np.int64)
    psu_stratum[psu_code] = stratum_row
    return psu_code, psu_stratum, len(labels), labels


def _first_rows(code: IntArray, size: int) -> IntArray:
    """The first row of each code (R numbers replicates by first appearance)."""
    first = np.full(size, len(code), dtype=np.int64)
    np.minimum.at(first, code, np.arange(len(code)))
    return first


def _fpc_per_stratum(
    population: npt.ArrayLike | None, stratum_row: IntArray, n_strata: int, n_h: FloatArray
) -> FloatArray:
    """f_h = (N_h − n_h)/N_h from per-row population sizes (1 without them, or for N_h = ∞)."""
    if population is None:
        return np.ones(n_strata)
    sizes = np.asarray(population, dtype=np.float64)
    if sizes.shape != stratum_row.shape:
        raise ValueError(f"population: need one size per row, got shape {sizes.shape}")
    per = np.zeros(n_strata)
    per[stratum_row] = sizes
    if (per[stratum_row] != sizes).any():
        raise ValueError("population: sizes vary within a stratum")
    if (per < n_h).any():
        raise ValueError("population: a population size is below its stratum's number of PSUs")
    with np.errstate(invalid="ignore"):
        result: FloatArray = np.where(np.isinf(per), 1.0, (per - n_h) / per)
    return result


def jk1_factors(psu: npt.ArrayLike, *, population: npt.ArrayLike | None = None) -> ReplicateWeights:
    """Delete-one-PSU jackknife for an unstratified design; R ``as.svrepdesign(d, "JK1")``."""
    code, psu_stratum, _, _ = _psu_strata(None, psu)
    n = len(psu_stratum)
    if n < 2:
        raise ValueError("psu: the jackknife needs at least two PSUs")
    f = _fpc_per_stratum(population, np.zeros(len(code), dtype=np.int64), 1, np.array([n]))[0]
    factors = np.full((n, n), n / (n - 1))
    factors[np.argsort(_first_rows(code, n)), np.arange(n)] = 0.0
    return ReplicateWeights("JK1", code, factors, f * (n - 1) / n, np.ones(n), 0.0, n - 1)


def jkn_factors(
    strata: npt.ArrayLike,
    psu: npt.ArrayLike,
    *,
    population: npt.ArrayLike | None = None,
    lonely_psu: str = "fail",
) -> ReplicateWeights:
    """Stratified delete-one-PSU jackknife; R ``as.svrepdesign(d, "JKn")`` (``jknweights``)."""
    if lonely_psu not in LONELY_OPTIONS:
        raise ValueError(f"lonely_psu must be one of {LONELY_OPTIONS}, got {lonely_psu!r}")
    code, psu_stratum, n_strata, labels = _psu_strata(strata, psu)
    n_psu = len(psu_stratum)
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    row_stratum = psu_stratum[code]
    f_h = _fpc_per_stratum(population, row_stratum, n_strata, n_h)
    lonely = (n_h == 1) & (f_h != 0)
    if lonely.any() and lonely_psu == "fail":
        raise ValueError(
            f"lonely_psu: stratum {labels[int(np.flatnonzero(lonely)[0])]!r} has only one PSU; "
            "choose 'remove', 'certainty', 'adjust' or 'average'"
        )
    first = _first_rows(code, n_psu)
    stratum_first = np.full(n_strata, len(code))
    np.minimum.at(stratum_first, psu_stratum, first)
    appearance = np.lexsort((first, stratum_first[psu_stratum]))
    regular = appearance[n_h[psu_stratum[appearance]] > 1]
    factors = np.ones((n_psu, len(regular)))
    h = psu_stratum[regular]
    same = psu_stratum[:, None] == h[None, :]
    factors[same] = np.broadcast_to((n_h[h] / (n_h[h] - 1))[None, :], same.shape)[same]
    factors[regular, np.arange(len(regular))] = 0.0
    rscales = f_h[h] * (n_h[h] - 1) / n_h[h]
    if lonely_psu == "adjust" and lonely.any():
        extra_strata = np.flatnonzero(lonely)
        extra = np.where(
            psu_stratum[:, None] == extra_strata[None, :], 0.0, n_strata / (n_strata - 1)
        )
        factors = np.hstack([factors, extra])
        rscales = np.concatenate([rscales, np.full(len(extra_strata), (n_strata - 1) / n_strata)])
    if factors.shape[1] == 0:
        raise ValueError("strata: every stratum was sampled exhaustively; there is no variance")
    scale = n_psu / factors.shape[1] if lonely_psu == "average" and lonely.any() else 1.0
    degf = factors.shape[1] - len(np.unique(h))
    return ReplicateWeights("JKn", code, factors, scale, rscales, 0.0, degf)


def bootstrap_factors(
    strata: npt.ArrayLike | None,
    psu: npt.ArrayLike,
    *,
    replicates: int = 50,
    rng: np.random.Generator,
    population: npt.ArrayLike | None = None,
) -> ReplicateWeights:
    """R's ``bootweights``: PSUs resampled within strata, factor = times drawn (see module)."""
    if replicates < 2:
        raise ValueError(f"replicates must be at least 2, got {replicates!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng: give a numpy.random.Generator")
    code, psu_stratum, n_strata, _ = _psu_strata(strata, psu)
    n_psu = len(psu_stratum)
    n_h = np.bincount(psu_stratum, minlength=n_strata)
    if (n_h < 2).any():
        raise ValueError("strata: the bootstrap needs at least two PSUs in every stratum")
    order = np.argsort(psu_stratum, kind="stable")
    start = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    if population is None:
        slot_stratum = psu_stratum[order]
        draws = start[slot_stratum][:, None] + np.floor(
            rng.random((n_psu, replicates)) * n_h[slot_stratum][:, None]
        ).astype(np.int64)
        picked = order[draws] + n_psu * np.arange(replicates)[None, :]
        counts = (
            np.bincount(picked.ravel(), minlength=n_psu * replicates)
            .reshape(n_psu, replicates, order="F")
            .astype(np.float64)
        )
    else:
        row_stratum = psu_stratum[code]
        f_h = _fpc_per_stratum(population, row_stratum, n_strata, n_h.astype(np.float64))
        big_n = np.rint(n_h / (1 - f_h)).astype(np.int64)
        counts = np.zeros((n_psu, replicates))
        for s in range(n_strata):
            members = rng.permutation(order[start[s] : start[s] + n_h[s]])
            copies = np.full(n_h[s], big_n[s] // n_h[s])
            copies[: big_n[s] % n_h[s]] += 1
            counts[members] = rng.multivariate_hypergeometric(
                copies, int(n_h[s]), size=replicates
            ).T
    harmonic = 1.0 / float(np.mean(1.0 / n_h))
    scale = harmonic / ((harmonic - 1) * (replicates - 1))
    return ReplicateWeights(
        "bootstrap", code, counts, scale, np.ones(replicates), 0.0, _rank(counts) - 1
    )


def brr_factors(
    strata: npt.ArrayLike,
    psu: npt.ArrayLike,
    *,
    fay_rho: float = 0.0,
    hadamard_matrix: npt.ArrayLike | None = None,
) -> ReplicateWeights:
    """Balanced repeated replication (Fay's ρ) as R's ``brrweights(strata, psu, fay.rho=)``.

    Strata need two PSUs (an even number ≥ 4 is split into pairs, R's ``large="split"``).
    Pairs are numbered as R: split strata first, then the two-PSU strata, by stratum label.
    """
    if not 0 <= fay_rho < 1:
        raise ValueError(f"fay_rho must be in [0, 1), got {fay_rho!r}")
    code, psu_stratum, n_strata, labels = _psu_strata(strata, psu)
    n_h = np.bincount(psu_stratum, minlength=n_strata)
    if (n_h < 2).any() or (n_h % 2).any():
        bad = int(np.flatnonzero((n_h < 2) | (n_h % 2 == 1))[0])
        raise ValueError(
            f"strata: BRR needs two PSUs per stratum (or an even number to split); stratum "
            f"{labels[bad]!r} has {n_h[bad]}"
        )
    first_row = _first_rows(code, len(psu_stratum))
    label_order = np.argsort(np.array([str(label) for label in labels]), kind="stable")
    rank = np.empty(n_strata, dtype=np.int64)
    rank[label_order] = np.arange(n_strata)
    large = n_h > 2
    ordered = np.lexsort((first_row, rank[psu_stratum], ~large[psu_stratum]))
    position = np.zeros(len(psu_stratum), dtype=np.int64)
    position[ordered] = np.arange(len(ordered))
    pair = position // 2
    first_of_pair = position % 2 == 0
    n_pairs = len(psu_stratum) // 2
    if hadamard_matrix is None:
        matrix = hadamard(n_pairs)
    else:
        given = np.asarray(hadamard_matrix)
        values = np.unique(given)
        if len(values) != 2:
            raise ValueError("hadamard_matrix: need a matrix with two distinct values")
        matrix = (given != values[0]).astype(np.int64)
        if not is_hadamard(matrix) or matrix.shape[0] < n_pairs + 1:
            raise ValueError(f"hadamard_matrix: need a Hadamard matrix of order > {n_pairs}")
    row = matrix[1 + pair, :]
    chosen = np.where(first_of_pair[:, None], row == 1, row == 0)
    factors = np.where(chosen, 2.0 - fay_rho, fay_rho)
    n_rep = factors.shape[1]
    return ReplicateWeights(
        "BRR",
        code,
        factors,
        1.0 / (n_rep * (1 - fay_rho) ** 2),
        np.ones(n_rep),
        fay_rho,
        _rank(factors) - 1,
    )


def _rank(matrix: FloatArray) -> int:
    """Numerical rank (relative tolerance 1e-5, as R's ``qr(..., tol=1e-5)``) of PSU factors."""
    if min(matrix.shape) == 0:
        return 0
    r = np.linalg.qr(matrix, mode="r")
    diagonal = np.abs(np.diag(r))
    return int(np.count_nonzero(diagonal > 1e-5 * diagonal.max()))


def with_cell_factors(
    weights: ReplicateWeights, cell: IntArray, cell_factors: FloatArray
) -> ReplicateWeights:
    """`weights` with per-(cell, replicate) calibration factors (composed with earlier ones)."""
    if weights.pair is not None:
        assert weights.pair_cell is not None
        assert weights.cell_factors is not None
        old_cell = weights.pair_cell[weights.pair]
        joint = old_cell * (int(cell.max()) + 1) + cell
        uniques, joint_code = np.unique(joint, return_inverse=True)
        joint_code = joint_code.reshape(-1)
        first = np.zeros(len(uniques), dtype=np.int64)
        first[joint_code] = np.arange(len(joint_code))
        cell_factors = weights.cell_factors[old_cell[first]] * cell_factors[cell[first]]
        cell = joint_code.astype(np.int64)
    pair_key = weights.psu * (int(cell.max()) + 1) + cell
    keys, pair = np.unique(pair_key, return_inverse=True)
    return replace(
        weights,
        pair=pair.reshape(-1).astype(np.int64),
        pair_psu=(keys // (int(cell.max()) + 1)).astype(np.int64),
        pair_cell=(keys % (int(cell.max()) + 1)).astype(np.int64),
        cell_factors=cell_factors,
    )
