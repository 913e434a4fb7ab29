"""Turn ids, strata and fpc columns into a `VarianceStructure`, checking them as R's svydesign.

Stage k ≥ 2 is stratified by the stage k − 1 cluster (as R's ``svydesign``: strata are
``interaction(strata, ids[k - 1])``), so its clusters nest in the earlier ones. The fpc of a stage
is either the population size N (every value ≥ 1, some > 1) or the sampling fraction n/N (every
value ≤ 1); it must be constant within a stratum and at least the number of sampled clusters.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sampling._columns import FloatArray, IntArray, factorize
from sampling.variance import Stage, VarianceStructure

_CERTAINTY = 1e-7


@dataclass(frozen=True, slots=True)
class StageInput:
    """Raw columns of one stage: cluster ids (None = one unit per row) and stratum codes."""

    ids: npt.NDArray[np.generic] | None
    ids_name: str
    fpc: FloatArray | None
    fpc_name: str


def build_structure(
    n_rows: int,
    stages: Sequence[StageInput],
    strata: Sequence[tuple[IntArray, list[Hashable], str]],
    *,
    nest: bool,
    lonely_psu: str,
    with_fpc: bool,
) -> tuple[VarianceStructure, FloatArray | None]:
    """The variance structure and, when every stage has an fpc, the weights Π N_k/n_k."""
    built: list[Stage] = []
    weights = np.ones(n_rows) if with_fpc else None
    parent_cluster = np.zeros(n_rows, dtype=np.int64)
    parent_multiplier = np.ones(1)
    parent_fraction = np.ones(1)
    parent_stratum = np.zeros(1, dtype=np.int64)
    for k, stage in enumerate(stages):
        strata_codes, strata_labels, strata_name = strata[min(k, len(strata) - 1)]
        if k == 0:
            stratum, n_strata = _compact(strata_codes, None)
            group, n_groups = np.zeros(n_strata, np.int64), 1
        else:
            stratum, n_strata = _compact(strata_codes, parent_cluster)
            group = np.zeros(n_strata, np.int64)
            group[stratum] = parent_cluster
            n_groups = int(parent_cluster.max()) + 1
        cluster, n_clusters, singleton = _clusters(stage, stratum, k == 0 and not nest)
        if k == 0:
            _check_nesting(
                stage,
                cluster,
                strata_codes=strata_codes,
                strata_labels=strata_labels,
                strata_name=strata_name,
                nest=nest,
            )
            if n_clusters == 1:
                raise ValueError(
                    f"ids: the design has only one primary sampling unit ({stage.ids_name})"
                )
        cluster_stratum = np.zeros(n_clusters, np.int64)
        cluster_stratum[cluster] = stratum
        n_psu = np.bincount(cluster_stratum, minlength=n_strata).astype(np.float64)
        population = _population(stage, stratum, n_strata, n_psu, k)
        finite = np.isfinite(population)
        bounded = np.where(finite, population, 1.0)
        fraction = np.where(finite, n_psu / bounded, 0.0)
        fpc = np.where(finite, (bounded - n_psu) / bounded, 1.0)
        multiplier = (
            (parent_multiplier * parent_fraction)[parent_stratum[group]] if k else np.ones(n_strata)
        )
        lonely = (n_psu == 1) & (fpc >= _CERTAINTY)
        if lonely.any() and lonely_psu == "fail" and (k == 0 or with_fpc):
            raise ValueError(_lonely_message(k, stratum, lonely, strata_codes, strata_labels))
        scale = np.where(n_psu > 1, fpc * n_psu / np.maximum(n_psu - 1, 1), fpc) * multiplier
        if lonely_psu in ("remove", "certainty", "average"):
            scale = np.where(lonely, 0.0, scale)
        centred = ~lonely if lonely_psu == "adjust" else np.ones(n_strata, dtype=np.bool_)
        built.append(
            Stage(
                cluster=cluster,
                n_clusters=n_clusters,
                singleton=singleton,
                cluster_stratum=cluster_stratum,
                n_strata=n_strata,
                stratum_group=group,
                n_groups=n_groups,
                n_psu=n_psu,
                weight=scale,
                centred=centred,
                lonely=lonely,
            )
        )
        if weights is not None:
            weights = weights * (population / n_psu)[stratum]
        parent_cluster, parent_stratum = cluster, cluster_stratum
        parent_multiplier, parent_fraction = multiplier, fraction
    used = tuple(built) if with_fpc else tuple(built[:1])
    return VarianceStructure(stages=used, lonely_psu=lonely_psu, n_rows=n_rows), weights


def _compact(codes: IntArray, parent: IntArray | None) -> tuple[IntArray, int]:
    """Codes 0..k-1 for the strata (crossed with the parent cluster at later stages)."""
    if parent is None:
        present = np.bincount(codes) > 0
        lookup = np.cumsum(present) - 1
        return lookup[codes], int(present.sum())
    combined = parent * (int(codes.max()) + 1) + codes
    uniques, inverse = np.unique(combined, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(uniques)


def _clusters(
    stage: StageInput, stratum: IntArray, first_unnested: bool
) -> tuple[IntArray, int, bool]:
    """Cluster codes of a stage (within strata unless the first stage is not nested)."""
    n_rows = len(stratum)
    if stage.ids is None:
        return np.arange(n_rows, dtype=np.int64), n_rows, True
    codes, labels = factorize(stage.ids)
    if (codes < 0).any():
        raise ValueError(f"ids: column {stage.ids_name!r} has missing values")
    if first_unnested:
        return codes, len(labels), False
    combined = stratum * len(labels) + codes
    uniques, inverse = np.unique(combined, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(uniques), False


def _check_nesting(
    stage: StageInput,
    cluster: IntArray,
    *,
    strata_codes: IntArray,
    strata_labels: list[Hashable],
    strata_name: str,
    nest: bool,
) -> None:
    if nest or stage.ids is None:
        return
    first = np.zeros(int(cluster.max()) + 1, dtype=np.int64)
    first[cluster] = strata_codes
    clash = np.flatnonzero(first[cluster] != strata_codes)
    if len(clash):
        row = int(clash[0])
        psu = stage.ids[row].item() if hasattr(stage.ids[row], "item") else stage.ids[row]
        one, other = strata_labels[int(first[cluster[row]])], strata_labels[int(strata_codes[row])]
        raise ValueError(
            f"nest: PSU {psu!r} of {stage.ids_name!r} is in strata {one!r} and {other!r} of "
            f"{strata_name!r}; pass nest=True when PSU ids repeat across strata"
        )


def _population(
    stage: StageInput, stratum: IntArray, n_strata: int, n_psu: FloatArray, k: int
) -> FloatArray:
    """Population size N per stratum from the fpc column (infinite without fpc)."""
    if stage.fpc is None:
        return np.full(n_strata, np.inf)
    value = stage.fpc
    name = stage.fpc_name
    if np.isnan(value).any() or (value < 0).any():
        raise ValueError(f"fpc: column {name!r} has missing or negative values")
    per_stratum = np.zeros(n_strata)
    per_stratum[stratum] = value
    if (per_stratum[stratum] != value).any():
        raise ValueError(f"fpc: column {name!r} varies within a stratum at stage {k + 1}")
    if (per_stratum > 1).any():
        if (per_stratum < 1).any():
            raise ValueError(
                f"fpc: column {name!r} mixes population sizes (> 1) and sampling fractions (< 1)"
            )
        population = per_stratum
    else:
        with np.errstate(divide="ignore"):
            population = np.where(per_stratum > 0, n_psu / per_stratum, np.inf)
    short = np.flatnonzero(population < n_psu * (1 - 1e-12))
    if len(short):
        h = int(short[0])
        raise ValueError(
            f"fpc: column {name!r} gives population size {population[h]:g} below the sample size "
            f"{int(n_psu[h])} of its stratum at stage {k + 1}"
        )
    return population


def _lonely_message(
    k: int,
    stratum: IntArray,
    lonely: npt.NDArray[np.bool_],
    strata_codes: IntArray,
    labels: list[Hashable],
) -> str:
    h = int(np.flatnonzero(lonely)[0])
    row = int(np.flatnonzero(stratum == h)[0])
    where = f"stratum {labels[int(strata_codes[row])]!r}" if k == 0 else "a stratum"
    return (
        f"lonely_psu: {where} has only one PSU at stage {k + 1}; choose lonely_psu="
        "'remove', 'certainty', 'adjust' or 'average' (as R's options(survey.lonely.psu=))"
    )
