"""The public API of sampling: inputs, domain tables, subsets, missing values, errors, results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sampling import (
    PROPORTION_METHODS,
    Design,
    Estimate,
    EstimateTable,
    linearised_variance,
    verdict,
)

Api = Callable[[str], dict[str, np.ndarray]]


class _Series:
    """Stands in for a pandas or polars column: only ``to_numpy`` is used."""

    def __init__(self, values: list[Any]) -> None:
        self._values = values

    def to_numpy(self) -> np.ndarray:
        return np.array(self._values, dtype=object)

    def __len__(self) -> int:
        return len(self._values)


class _Frame:
    """Stands in for a pandas or polars DataFrame: ``columns`` and ``frame[name]``."""

    def __init__(self, data: dict[str, list[Any]]) -> None:
        self._data = data
        self.columns = list(data)

    def __getitem__(self, name: str) -> _Series:
        return _Series(self._data[name])


def _clus1(api: Api) -> Design:
    return Design(api("apiclus1"), ids="dnum", weights="pw", fpc="fpc")


def test_dict_of_lists_frame_and_numpy_give_one_answer(api: Api) -> None:
    data = api("apistrat")
    columns = ["stype", "pw", "fpc", "api00", "yes"]
    as_lists = {name: data[name].tolist() for name in columns}
    frame = _Frame(as_lists)
    results = [
        Design(source, strata="stype", weights="pw", fpc="fpc").proportion("yes")
        for source in (data, as_lists, frame)
    ]
    assert results[0] == results[1] == results[2]


def test_domain_table_reads_like_a_mapping(api: Api) -> None:
    data = api("apiclus1")
    data["district"] = np.where(data["stype"] == "E", "东城", "西城")
    table = Design(data, ids="dnum", weights="pw", fpc="fpc").proportion("yes", by="district")
    assert isinstance(table, EstimateTable)
    assert list(table) == ["东城", "西城"]
    assert isinstance(table["东城"], Estimate)
    assert len(table) == 2
    rows = table.to_rows()
    assert rows[0]["district"] == "东城"
    assert rows[0]["variable"] == "yes"
    assert rows[0]["estimate"] == table["东城"].estimate


def test_two_by_columns_give_tuple_keys(api: Api) -> None:
    table = _clus1(api).mean("api00", by=["stype", "both"])
    assert isinstance(table, EstimateTable)
    assert ("E", "Yes") in table
    assert table.to_rows()[0].keys() >= {"stype", "both", "estimate"}


def test_list_of_variables_matches_one_at_a_time(api: Api) -> None:
    design = _clus1(api)
    together = design.mean(["api00", "api99"], by="stype")
    assert isinstance(together, dict)
    assert together["api99"] == design.mean("api99", by="stype")
    assert design.proportion(["yes"]) == {"yes": design.proportion("yes")}


def test_subset_equals_the_by_domain(api: Api) -> None:
    design = _clus1(api)
    data = api("apiclus1")
    domain = design.subset(data["stype"] == "H")
    table = design.proportion("yes", by="stype", method="beta")
    assert isinstance(table, EstimateTable)
    assert domain.proportion("yes", method="beta") == table["H"]
    assert domain.degf() == table["H"].df == 7
    assert design.degf() == 14
    nested = domain.subset(data["both"] == "Yes")
    both = design.mean("api00", by=["stype", "both"])
    assert isinstance(both, EstimateTable)
    assert nested.mean("api00") == both[("H", "Yes")]


def test_missing_values_need_na_rm(api: Api) -> None:
    data = api("apiclus1")
    design = _clus1(api)
    with pytest.raises(ValueError, match=r"variables: column 'target' has missing values"):
        design.mean("target")
    kept = design.mean("target", na_rm=True)
    observed = design.subset(~np.isnan(data["target"])).mean("target")
    assert isinstance(kept, Estimate)
    assert isinstance(observed, Estimate)
    # As R: svymean(~target, d, na.rm=TRUE) is the domain of observed rows, with the design's df.
    assert (kept.estimate, kept.se, kept.deff, kept.n) == (
        observed.estimate,
        observed.se,
        observed.deff,
        observed.n,
    )
    assert kept.df == design.degf()


def test_estimates_are_frozen(api: Api) -> None:
    design = _clus1(api)
    estimate = design.mean("api00")
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.se = 0.0  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        design.lonely_psu = "remove"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="read-only"):
        design.weights[0] = 1.0


def test_rows_as_final_stage_equal_unique_ids(api: Api) -> None:
    data = api("apiclus2")
    by_id = Design(data, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"]).mean("api00")
    by_row = Design(data, ids=["dnum", None], fpc=["fpc1", "fpc2"]).mean("api00")
    assert by_id == by_row


def test_linearised_variance_by_domain_equals_zeroed_scores(api: Api) -> None:
    design = _clus1(api)
    rng = np.random.default_rng(7)
    scores = rng.normal(size=(len(design), 2))
    domain = rng.integers(-1, 3, len(design))
    by_domain = linearised_variance(design.structure, scores, domain, 3)
    for d in range(3):
        zeroed = np.where((domain == d)[:, None], scores, 0.0)
        np.testing.assert_allclose(
            by_domain[d], linearised_variance(design.structure, zeroed), rtol=1e-12
        )


@pytest.mark.parametrize("method", PROPORTION_METHODS)
def test_zero_and_one_proportions_have_defined_intervals(method: str) -> None:
    data = {
        "psu": np.repeat(np.arange(10), 5),
        "w": np.linspace(1, 3, 50),
        "never": np.zeros(50),
        "always": np.ones(50),
    }
    design = Design(data, ids="psu", weights="w")
    never = design.proportion("never", method=method)
    always = design.proportion("always", method=method)
    assert isinstance(never, Estimate)
    assert isinstance(always, Estimate)
    assert never.ci_low == 0.0
    assert 0.0 < never.ci_high < 0.2
    assert always.ci_high == 1.0
    assert math.isclose(always.ci_low, 1.0 - never.ci_high)
    # Korn & Graubard (1998): with p = 1 the effective n is the 50 rows, df-corrected (df = 9).
    assert verdict(always, 0.95).status == "inconclusive"
    assert verdict(always, 0.9).status == "met"
    assert verdict(never, 0.5).status == "not_met"


def test_flags_follow_nchs() -> None:
    reliable = Estimate(0.9, 0.01, 0.88, 0.92, df=40, n=900, n_eff=900)
    assert reliable.flags == ()
    shaky = Estimate(0.1, 0.1, 0.0, 0.4, df=5, n=20, n_eff=9)
    assert shaky.flags == ("low_n_eff", "low_df", "wide_ci", "wide_relative_ci")
    mean = Estimate(650.0, 20.0, 600.0, 700.0, df=30, n=200, n_eff=150, statistic="mean")
    assert mean.flags == ()


@pytest.mark.parametrize(
    ("low", "high", "direction", "status"),
    [
        (0.91, 0.95, ">=", "met"),
        (0.85, 0.89, ">=", "not_met"),
        (0.88, 0.93, ">=", "inconclusive"),
        (0.85, 0.90, "<=", "met"),
        (0.91, 0.95, "<=", "not_met"),
        (0.88, 0.93, "<=", "inconclusive"),
    ],
)
def test_verdicts(low: float, high: float, direction: str, status: str) -> None:
    estimate = Estimate(0.9, 0.01, low, high, method="logit", confidence_level=0.9)
    result = verdict(estimate, threshold=0.90, direction=direction)  # type: ignore[arg-type]
    assert result.status == status
    assert (result.confidence_level, result.method) == (0.9, "logit")


def test_verdict_rejects_bad_arguments() -> None:
    estimate = Estimate(0.9, 0.01, 0.88, 0.92)
    with pytest.raises(ValueError, match="direction"):
        verdict(estimate, 0.9, direction=">")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        verdict(estimate, math.nan)
    with pytest.raises(ValueError, match="estimate"):
        verdict(0.9, 0.9)  # type: ignore[arg-type]


def test_polars_frame_when_installed(api: Api) -> None:
    pl = pytest.importorskip("polars")
    data = api("apiclus1")
    columns = ["dnum", "pw", "fpc", "stype", "api00", "target"]
    frame = pl.DataFrame({name: data[name].tolist() for name in columns})
    from_frame = Design(frame, ids="dnum", weights="pw", fpc="fpc")
    from_numpy = Design(data, ids="dnum", weights="pw", fpc="fpc")
    assert from_frame.mean("api00", by="stype") == from_numpy.mean("api00", by="stype")
    assert from_frame.mean("target", na_rm=True) == from_numpy.mean("target", na_rm=True)


def test_contract_names_import_from_sampling() -> None:
    import sampling  # noqa: PLC0415

    names = {"Design", "verdict", "sample_size_proportion", "allocate", "select", "response_rates"}
    assert names <= set(sampling.__all__)
    assert all(callable(getattr(sampling, name)) for name in names)


@pytest.mark.parametrize("distinct", [50, 5000])
def test_text_domains_are_coded_in_sorted_order(distinct: int) -> None:
    from sampling._columns import factorize  # noqa: PLC0415

    rng = np.random.default_rng(distinct)
    labels = np.array([f"区{i:04d}" for i in range(distinct)])
    values = labels[rng.integers(0, distinct, 20_000)]
    expected_levels, expected_codes = np.unique(values, return_inverse=True)
    for column in (values, values.astype(object)):
        codes, levels = factorize(column)
        assert levels == expected_levels.tolist()
        np.testing.assert_array_equal(codes, expected_codes)
