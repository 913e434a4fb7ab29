"""`Design`: a frozen survey design and its estimators, with R ``survey``'s numbers.

    d = Design(data, ids=["community", "id"], strata="district", weights="w",
               fpc=["M_h", "N_hi"], nest=True, lonely_psu="adjust")
    d.proportion("aware", by="district")["东城"]

is R's ``svyby(~aware, ~district, svydesign(ids=~community+id, strata=~district, weights=~w,
fpc=~M_h+N_hi, nest=TRUE, data=data), svyciprop)`` with ``options(survey.lonely.psu="adjust")``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from sampling import _estimators as est
from sampling._columns import BoolArray, FloatArray, column_names, factorize, numeric, to_array
from sampling._domains import Grouping, grouping
from sampling._results import Result, build_results, check_binary
from sampling._structure import StageInput, build_structure
from sampling.intervals import PROPORTION_METHODS
from sampling.variance import (
    LONELY_PSU_OPTIONS,
    DomainScore,
    VarianceStructure,
    cell_totals,
)
from sampling.weighting import design_methods as weighting
from sampling.weighting.calibrated import CalibrationStep
from sampling.weighting.design_variance import design_variances
from sampling.weighting.diagnostics import WeightDiagnostics
from sampling.weighting.replicates import ReplicateWeights

DEFAULT_PROPORTION_METHOD: Final = "logit"

Variables = str | Sequence[str]
By = str | Sequence[str] | None

_ROW_IDS = (None, "1", "0")


class Design:
    """A survey design: multistage clusters, strata, weights and finite population corrections.

    ``Design(data, ids=None, strata=None, weights=None, probs=None, fpc=None, nest=False,
    lonely_psu="fail")`` reads like R's ``svydesign(ids, strata, weights | probs, fpc, nest)``:
    `ids` names the cluster column of each stage (None, "1" or "0" for one unit per row), `strata`
    the stratum column (a list gives one per stage), `fpc` one column per stage with population
    sizes (≥ 1) or sampling fractions (≤ 1). Without fpc the first stage is taken as sampled with
    replacement and later stages add nothing; weights default to Π N/n when every stage has an
    fpc, else to 1. `lonely_psu` is R's ``options(survey.lonely.psu=)``.

    A design never changes: `subset` returns a domain design that keeps the whole sample, so its
    variances are R's unconditional domain variances. The weights live in one array that a
    calibrated design replaces (see `sampling.variance` for the score hook).

    The estimators (`mean`, `total`, `ratio`, `proportion`) take a column name and return an
    `Estimate`, or a list of names and return ``{name: result}`` from one shared pass. With
    ``by=`` (a column or a list of columns) each result is an `EstimateTable` keyed by the domain
    value (a tuple for several columns), as R's ``svyby``. ``na_rm=True`` drops rows with a
    missing value from the domain, as R's ``na.rm = TRUE``; without it missing values raise.
    Intervals use t with the design df of the domain; `Estimate.deff` is R's ``deff = TRUE``.
    """

    __slots__ = (
        "_cache",
        "_data",
        "_domain",
        "_n",
        "_names",
        "_replicates",
        "_steps",
        "_structure",
        "_weights",
    )

    _data: Any
    _names: frozenset[str]
    _n: int
    _weights: FloatArray
    _structure: VarianceStructure
    _domain: BoolArray | None
    _cache: dict[Any, Any]
    _steps: tuple[CalibrationStep, ...]
    _replicates: ReplicateWeights | None

    def __init__(
        self,
        data: Any,
        *,
        ids: str | Sequence[str | None] | None = None,
        strata: str | Sequence[str] | None = None,
        weights: str | None = None,
        probs: str | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        lonely_psu: Literal["fail", "remove", "certainty", "adjust", "average"] = "fail",
    ) -> None:
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, got {lonely_psu!r}")
        if weights is not None and probs is not None:
            raise ValueError("weights, probs: give one of them, not both")
        names = column_names(data)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_names", frozenset(names))
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_domain", None)
        object.__setattr__(self, "_steps", ())
        object.__setattr__(self, "_replicates", None)
        lengths = {len(data[name]) for name in names}
        if len(lengths) != 1:
            raise ValueError(f"data: columns must have one length, got lengths {sorted(lengths)}")
        n = lengths.pop()
        object.__setattr__(self, "_n", n)
        stage_ids = _as_list(ids, "ids", allow_rows=True)
        fpc_names = _as_list(fpc, "fpc")
        if fpc_names and len(fpc_names) != len(stage_ids):
            raise ValueError(
                f"fpc: give one column per stage of ids ({len(stage_ids)}), got {len(fpc_names)}"
            )
        stages = [
            StageInput(
                ids=None if name in _ROW_IDS else self._raw(str(name), "ids"),
                ids_name=str(name),
                fpc=numeric(self._raw(fpc_names[k], "fpc"), fpc_names[k]) if fpc_names else None,
                fpc_name=fpc_names[k] if fpc_names else "",
            )
            for k, name in enumerate(stage_ids)
        ]
        strata_inputs = []
        for name in _as_list(strata, "strata") or []:
            codes, labels = factorize(self._raw(name, "strata"))
            if (codes < 0).any():
                raise ValueError(f"strata: column {name!r} has missing values")
            strata_inputs.append((codes, labels, name))
        if not strata_inputs:
            strata_inputs.append((np.zeros(n, np.int64), [None], ""))
        structure, fpc_weights = build_structure(
            n, stages, strata_inputs, nest=nest, lonely_psu=lonely_psu, with_fpc=bool(fpc_names)
        )
        object.__setattr__(self, "_structure", structure)
        object.__setattr__(self, "_weights", self._design_weights(weights, probs, fpc_weights))

    def _design_weights(
        self, weights: str | None, probs: str | None, from_fpc: FloatArray | None
    ) -> FloatArray:
        if weights is not None:
            w = numeric(self._raw(weights, "weights"), weights)
            if not (np.isfinite(w) & (w > 0)).all():
                raise ValueError(f"weights: column {weights!r} must be positive and not missing")
        elif probs is not None:
            p = numeric(self._raw(probs, "probs"), probs)
            if not ((p > 0) & (p <= 1)).all():
                raise ValueError(f"probs: column {probs!r} must be in (0, 1] and not missing")
            w = 1.0 / p
        elif from_fpc is not None:
            if not np.isfinite(from_fpc).all():
                raise ValueError("weights: not given and fpc gives no finite population size")
            w = from_fpc
        else:
            w = np.ones(self._n)
        w = np.array(w, dtype=np.float64)
        w.flags.writeable = False
        return w

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            "Design is immutable; subset() and the weighting methods return new designs"
        )

    def __repr__(self) -> str:
        first = self._structure.stages[0]
        inside = self._n if self._domain is None else int(self._domain.sum())
        return (
            f"Design(rows={self._n}, domain_rows={inside}, psus={first.n_clusters}, "
            f"strata={first.n_strata}, lonely_psu={self._structure.lonely_psu!r})"
        )

    def _with(
        self,
        *,
        weights: FloatArray | None = None,
        domain: BoolArray | None = None,
        steps: tuple[CalibrationStep, ...] | None = None,
        replicates: ReplicateWeights | None = None,
    ) -> Design:
        """A design sharing this one's structure, with other weights, a narrower domain, more
        calibration steps or replicate weights."""
        clone = object.__new__(Design)
        for slot in Design.__slots__:
            object.__setattr__(clone, slot, getattr(self, slot))
        object.__setattr__(clone, "_cache", {})
        for slot, value in (
            ("_weights", weights),
            ("_domain", domain),
            ("_steps", steps),
            ("_replicates", replicates),
        ):
            if value is not None:
                object.__setattr__(clone, slot, value)
        return clone

    def poststratify(
        self, var_or_vars: str | Sequence[str], population: Mapping[Hashable, float]
    ) -> Design:
        """Post-stratified design (R ``postStratify``); see `sampling.weighting.design_methods`."""
        return weighting.poststratify(self, var_or_vars, population)

    def rake(
        self,
        margins: Mapping[str, Mapping[Hashable, float]],
        *,
        max_iter: int = 50,
        tolerance: float = 1e-7,
        accept_nonconvergence: bool = False,
    ) -> Design:
        """Raked design (R ``rake``, solved by Newton); see `sampling.weighting.design_methods`."""
        return weighting.rake(
            self,
            margins,
            max_iter=max_iter,
            tolerance=tolerance,
            accept_nonconvergence=accept_nonconvergence,
        )

    def calibrate(
        self,
        totals: Mapping[str, Mapping[Hashable, float] | float],
        *,
        method: Literal["linear", "raking", "logit"] = "linear",
        bounds: tuple[float, float] = (-np.inf, np.inf),
        population_size: float | None = None,
        max_iter: int = 50,
        tolerance: float = 1e-7,
        accept_nonconvergence: bool = False,
    ) -> Design:
        """Calibrated design (R ``calibrate``); see `sampling.weighting.design_methods`."""
        return weighting.calibrate(
            self,
            totals,
            method=method,
            bounds=bounds,
            population_size=population_size,
            max_iter=max_iter,
            tolerance=tolerance,
            accept_nonconvergence=accept_nonconvergence,
        )

    def trim_weights(
        self, lower: float = -np.inf, upper: float = np.inf, *, strict: bool = False
    ) -> Design:
        """Trimmed design (R ``trimWeights``); see `sampling.weighting.design_methods`."""
        return weighting.trim_weights(self, lower, upper, strict=strict)

    def replicate(
        self,
        type: Literal["JK1", "JKn", "bootstrap", "BRR"],
        *,
        replicates: int = 50,
        rng: np.random.Generator | None = None,
        fay_rho: float = 0.0,
        hadamard_matrix: npt.ArrayLike | None = None,
    ) -> Design:
        """Replicate-weight design (R ``as.svrepdesign``); see `sampling.weighting`."""
        return weighting.replicate(
            self,
            type,
            replicates=replicates,
            rng=rng,
            fay_rho=fay_rho,
            hadamard_matrix=hadamard_matrix,
        )

    @property
    def weight_diagnostics(self) -> WeightDiagnostics:
        """Kish deff (1 + CV²), effective n, min/max/ratio of the weights."""
        return weighting.diagnostics(self)

    @property
    def replicates(self) -> ReplicateWeights | None:
        """The replicate weights of a design made by `replicate` (None otherwise)."""
        return self._replicates

    def _weighted(
        self,
        stats: dict[str, est.DomainStatistic],
        bases: dict[str, est.DomainBase],
        domains: Grouping,
    ) -> dict[str, Any]:
        """Variances (and df) of a calibrated or replicate design for `build_results`."""
        if not self._steps and self._replicates is None:
            return {}
        variances = design_variances(
            self._structure,
            stats,
            {name: base.codes for name, base in bases.items()},
            len(domains.keys),
            steps=self._steps,
            replicates=self._replicates,
        )
        if self._replicates is None:
            return {"variances": variances}
        return {"variances": variances, "df": np.full(len(domains.keys), self._replicates.degf)}

    @property
    def weights(self) -> FloatArray:
        """The design weights (read-only)."""
        return self._weights

    @property
    def structure(self) -> VarianceStructure:
        """Clusters, strata and coefficients for `sampling.variance.linearised_variance`."""
        return self._structure

    @property
    def domain(self) -> BoolArray | None:
        """Rows of the domain for a design made by `subset`, None for the whole sample."""
        return self._domain

    def __len__(self) -> int:
        return self._n

    def _raw(self, name: str, argument: str) -> npt.NDArray[Any]:
        if not isinstance(name, str) or name not in self._names:
            raise ValueError(f"{argument}: unknown column {name!r}")
        key = ("column", name)
        if key not in self._cache:
            array = to_array(self._data[name], name)
            if len(array) != self._n:
                raise ValueError(
                    f"{argument}: column {name!r} has {len(array)} rows, not {self._n}"
                )
            self._cache[key] = array
        result: npt.NDArray[Any] = self._cache[key]
        return result

    def degf(self) -> int:
        """Design degrees of freedom: PSUs − strata (within the domain), R ``degf(design)``."""
        return int(self._grouping(None).df[0])

    def subset(self, mask: npt.ArrayLike | str) -> Design:
        """The domain `mask` (booleans per row, or a boolean column) as a design.

        It keeps the whole sample: rows outside count with score zero, so variances are R's
        ``svymean(~y, subset(design, mask))`` and df = PSUs − strata inside the domain.
        """
        raw = self._raw(mask, "mask") if isinstance(mask, str) else to_array(mask, "mask")
        if raw.dtype != np.bool_ or len(raw) != self._n:
            raise ValueError(
                f"mask: need {self._n} booleans (one per row), got {raw.dtype} x {len(raw)}"
            )
        combined = raw if self._domain is None else self._domain & raw
        combined = np.array(combined, dtype=np.bool_)
        if not combined.any():
            raise ValueError("mask: selects no rows")
        combined.flags.writeable = False
        return self._with(domain=combined)

    def _grouping(self, by: By) -> Grouping:
        names = tuple(_as_list(by, "by"))
        key = ("by", names)
        if key not in self._cache:
            factors = [factorize(self._raw(name, "by")) for name in names]
            self._cache[key] = grouping(
                self._structure, self._weights, factors, names, self._domain
            )
        cached: Grouping = self._cache[key]
        return cached

    def _variable(
        self, name: str, domains: Grouping, na_rm: bool, argument: str
    ) -> tuple[FloatArray, BoolArray | None]:
        """The column as float with missing values zeroed, and where they were (None: nowhere)."""
        y = numeric(self._raw(name, argument), name)
        if y.dtype.kind != "f":
            return y.astype(np.float64), None
        missing = np.isnan(y)
        if not missing.any():
            return y, None
        if not na_rm and (domains.codes[missing] >= 0).any():
            raise ValueError(f"{argument}: column {name!r} has missing values; pass na_rm=True")
        return np.where(missing, 0.0, y), missing

    def _base(self, domains: Grouping, missing: BoolArray | None) -> est.DomainBase:
        if missing is None:
            return domains.base
        codes = np.where(missing, -1, domains.codes)
        return est.DomainBase.of(self._weights, codes, len(domains.keys))

    def mean(
        self,
        variables: Variables,
        *,
        by: By = None,
        na_rm: bool = False,
        confidence_level: float = 0.95,
    ) -> Result:
        """Weighted mean Σ w y / Σ w with its linearised SE; R ``svymean(~y, d, deff=TRUE)``."""
        return self._linear(
            variables, by=by, na_rm=na_rm, confidence_level=confidence_level, statistic="mean"
        )

    def total(
        self,
        variables: Variables,
        *,
        by: By = None,
        na_rm: bool = False,
        confidence_level: float = 0.95,
    ) -> Result:
        """Horvitz–Thompson total Σ w y; R ``svytotal(~y, design, deff=TRUE)``."""
        return self._linear(
            variables, by=by, na_rm=na_rm, confidence_level=confidence_level, statistic="total"
        )

    def proportion(
        self,
        variables: Variables,
        *,
        by: By = None,
        method: str = DEFAULT_PROPORTION_METHOD,
        confidence_level: float = 0.95,
        na_rm: bool = False,
    ) -> Result:
        """Proportion of a 0/1 column with a `method` interval; R ``svyciprop(~y, design, method)``.

        Methods: see `sampling.intervals` (``logit`` is R's default). t uses the design df of the
        domain, as ``svyciprop``; the interval is defined at p̂ = 0 or 1.
        """
        if method not in PROPORTION_METHODS:
            raise ValueError(f"method must be one of {PROPORTION_METHODS}, got {method!r}")
        return self._linear(
            variables,
            by=by,
            na_rm=na_rm,
            confidence_level=confidence_level,
            statistic="proportion",
            method=method,
        )

    def ratio(
        self,
        numerator: Variables,
        denominator: str,
        *,
        by: By = None,
        na_rm: bool = False,
        confidence_level: float = 0.95,
    ) -> Result:
        """Ratio of totals Ŷ/X̂; R ``svyratio(~y, ~x, design, deff=TRUE)``."""
        _check_level(confidence_level)
        domains = self._grouping(by)
        x, x_missing = self._variable(denominator, domains, na_rm, "denominator")
        stats: dict[str, est.DomainStatistic] = {}
        bases: dict[str, est.DomainBase] = {}
        memo: dict[int, FloatArray] = {}
        for name in _variable_names(numerator, "numerator"):
            y, missing = self._variable(name, domains, na_rm, "numerator")
            if missing is None:
                missing = x_missing
            elif x_missing is not None:
                missing = missing | x_missing
            bases[name] = base = self._base(domains, missing)
            stat = est.domain_ratio(self._weights, y, x, base)
            stats[name] = self._summed(stat, base, domains, memo)
        return build_results(
            self._structure,
            stats,
            bases,
            domains,
            single=isinstance(numerator, str),
            confidence_level=confidence_level,
            statistic="ratio",
            **self._weighted(stats, bases, domains),
        )

    def _summed(
        self,
        stat: est.DomainStatistic,
        base: est.DomainBase,
        domains: Grouping,
        memo: dict[int, FloatArray],
    ) -> est.DomainStatistic:
        """`stat` with its score summed to the shared (domain, cluster) cells right away, so a
        call with many variables never holds their row-level columns at once."""
        weighted = self._steps or self._replicates is not None
        if weighted or base is not domains.base or not isinstance(stat.score, DomainScore):
            return stat
        totals = cell_totals(domains.pairs, stat.score, self._weights, memo)
        return dataclasses.replace(stat, score=totals)

    def _linear(
        self,
        variables: Variables,
        *,
        by: By,
        na_rm: bool,
        confidence_level: float,
        statistic: str,
        method: str = "wald",
    ) -> Result:
        _check_level(confidence_level)
        domains = self._grouping(by)
        stats: dict[str, est.DomainStatistic] = {}
        bases: dict[str, est.DomainBase] = {}
        fits: dict[str, tuple[FloatArray, FloatArray]] = {}
        memo: dict[int, FloatArray] = {}
        binary = statistic == "proportion"
        for name in _variable_names(variables, "variables"):
            y, missing = self._variable(name, domains, na_rm, "variables")
            bases[name] = base = self._base(domains, missing)
            if binary:
                check_binary(y, base, name)
            stat = est.domain_mean(
                self._weights, y, base, total=statistic == "total", binary=binary
            )
            if method == "likelihood":
                fits[name] = est.quasibinomial_fit(self._weights, y, base, stat.estimate)
            stats[name] = self._summed(stat, base, domains, memo)
        return build_results(
            self._structure,
            stats,
            bases,
            domains,
            single=isinstance(variables, str),
            confidence_level=confidence_level,
            statistic=statistic,
            method=method,
            glm_fits=fits,
            **self._weighted(stats, bases, domains),
        )


def _check_level(confidence_level: float) -> None:
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level!r}")


def _variable_names(variables: Variables, argument: str) -> list[str]:
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names or not all(isinstance(name, str) for name in names):
        raise ValueError(f"{argument}: give a column name or a list of column names")
    if len(set(names)) != len(names):
        raise ValueError(f"{argument}: column names repeat")
    return names


def _as_list(value: Any, argument: str, *, allow_rows: bool = False) -> list[Any]:
    if value is None:
        return [None] if allow_rows else []
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"{argument}: give column names, got {value!r}")
    for item in items:
        if not (isinstance(item, str) or (allow_rows and item is None)):
            raise ValueError(f"{argument}: give column names, got {item!r}")
    if not items:
        raise ValueError(f"{argument}: give at least one column name")
    return items
