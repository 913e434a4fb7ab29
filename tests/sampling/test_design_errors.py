"""Bad arguments raise a ValueError that names the argument."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sampling import Design

Api = Callable[[str], dict[str, np.ndarray]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"ids": "district"}, r"ids: unknown column 'district'"),
        ({"strata": "region"}, r"strata: unknown column 'region'"),
        ({"weights": "weight"}, r"weights: unknown column 'weight'"),
        ({"probs": "p"}, r"probs: unknown column 'p'"),
        ({"ids": "dnum", "fpc": "N"}, r"fpc: unknown column 'N'"),
        ({"lonely_psu": "drop"}, r"lonely_psu must be one of"),
        ({"weights": "pw", "probs": "pw"}, r"weights, probs: give one of them"),
        ({"ids": ["dnum", "snum"], "fpc": "fpc"}, r"fpc: give one column per stage"),
        ({"ids": 3}, r"ids: give column names"),
    ],
)
def test_design_arguments(api: Api, arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Design(api("apiclus1"), **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_weights_must_be_positive(api: Api, bad: float) -> None:
    data = api("apiclus1")
    data["pw"][3] = bad
    with pytest.raises(ValueError, match=r"weights: column 'pw' must be positive"):
        Design(data, ids="dnum", weights="pw")


def test_probs_must_be_probabilities(api: Api) -> None:
    data = api("apiclus1")
    data["p"] = 1 / data["pw"]
    data["p"][0] = 1.5
    with pytest.raises(ValueError, match=r"probs: column 'p' must be in \(0, 1\]"):
        Design(data, ids="dnum", probs="p")


def test_fpc_below_sample_size(api: Api) -> None:
    data = api("apiclus1")
    data["fpc"] = np.full(len(data["fpc"]), 10.0)  # 15 districts sampled out of 10
    with pytest.raises(ValueError, match=r"fpc: column 'fpc' gives population size 10 below"):
        Design(data, ids="dnum", weights="pw", fpc="fpc")


def test_fpc_mixing_sizes_and_fractions(api: Api) -> None:
    data = api("apistrat")
    data["fpc"][data["stype"] == "E"] = 0.1
    with pytest.raises(ValueError, match=r"fpc: column 'fpc' mixes population sizes"):
        Design(data, strata="stype", weights="pw", fpc="fpc")


def test_psu_in_two_strata_needs_nest(api: Api) -> None:
    with pytest.raises(ValueError, match=r"nest: PSU .* is in strata .*pass nest=True"):
        Design(api("apistrat"), ids="dnum", strata="stype", weights="pw")


def test_single_psu_stratum_with_fail(api: Api) -> None:
    with pytest.raises(ValueError, match=r"lonely_psu: stratum 413\.0 has only one PSU at stage 1"):
        Design(api("apiclus1"), strata="dnum", weights="pw", lonely_psu="fail")


def test_certainty_stratum_is_not_lonely(api: Api) -> None:
    # svydesign(id=~1, weights=~pw, strata=~dnum, fpc=~fpc_lonely, data=apiclus1): "fail" works
    assert Design(api("apiclus1"), strata="dnum", weights="pw", fpc="fpc_lonely").degf() == 168


def test_one_psu_design(api: Api) -> None:
    data = api("apiclus1")
    data["one"] = np.ones(len(data["pw"]))
    with pytest.raises(ValueError, match=r"ids: the design has only one primary sampling unit"):
        Design(data, ids="one", weights="pw")


def test_missing_cluster_ids(api: Api) -> None:
    data = api("apiclus1")
    data["dnum"][0] = np.nan
    with pytest.raises(ValueError, match=r"ids: column 'dnum' has missing values"):
        Design(data, ids="dnum", weights="pw")


@pytest.fixture
def design(api: Api) -> Design:
    return Design(api("apiclus1"), ids="dnum", weights="pw", fpc="fpc")


def test_proportion_column_must_be_binary(design: Design) -> None:
    with pytest.raises(ValueError, match=r"variables: proportion column 'api00' must hold only 0"):
        design.proportion("api00")


def test_text_column_is_not_numeric(design: Design) -> None:
    with pytest.raises(ValueError, match=r"column 'stype' must be numeric"):
        design.mean("stype")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: d.mean("income"), r"variables: unknown column 'income'"),
        (lambda d: d.mean("api00", by="district"), r"by: unknown column 'district'"),
        (lambda d: d.ratio("api00", "api98"), r"denominator: unknown column 'api98'"),
        (lambda d: d.ratio("api01", "api99"), r"numerator: unknown column 'api01'"),
        (lambda d: d.proportion("yes", method="wald"), r"method must be one of"),
        (lambda d: d.proportion("yes", confidence_level=95), r"confidence_level must be in"),
        (lambda d: d.mean([]), r"variables: give a column name"),
        (lambda d: d.mean(["api00", "api00"]), r"variables: column names repeat"),
        (lambda d: d.subset([True, False]), r"mask: need 183 booleans"),
        (lambda d: d.subset(np.zeros(183, dtype=bool)), r"mask: selects no rows"),
    ],
)
def test_estimation_arguments(
    design: Design, call: Callable[[Design], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(design)
