"""`Design.poststratify / rake / calibrate / trim_weights / replicate` against R survey 4.1.

The numbers are those of tests/reference/weighting_reference.R (the R call of each case is in the
JSON under "r" and printed on failure); rtol 1e-8, 1e-6 for iterative calibrations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sampling import Design, Estimate, EstimateTable

EXACT = 1e-8
ITERATIVE = 1e-6
POP_TYPES = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE = {"No": 1072.0, "Yes": 5122.0}
TOTALS99 = {"stype": POP_TYPES, "api99": 3914069.0}


def clus1(api: dict[str, Any]) -> Design:
    return Design(api["apiclus1"], ids="dnum", weights="pw", fpc="fpc")


def weighted(design: Design, name: str) -> Design:
    if name == "poststratify":
        return design.poststratify("stype", POP_TYPES)
    if name == "rake":
        return design.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, tolerance=1e-12)
    if name == "trimmed":
        return design.calibrate({"stype": POP_TYPES}).trim_weights(29.0, 40.0)
    if name == "logit":
        return design.calibrate(TOTALS99, method="logit", bounds=(0.7, 1.7), tolerance=1e-10)
    method = "linear" if name == "twostage" else name
    return design.calibrate(TOTALS99, method=method, tolerance=1e-10)  # type: ignore[arg-type]


CASES = {
    "poststratify": EXACT,
    "rake": ITERATIVE,
    "linear": EXACT,
    "raking": ITERATIVE,
    "logit": ITERATIVE,
    "trimmed": EXACT,
    "twostage": EXACT,
}


@pytest.mark.parametrize(("name", "rtol"), CASES.items())
def test_calibrated_design_estimates(
    reference: dict[str, Any], api: dict[str, Any], name: str, rtol: float
) -> None:
    """svymean(~api00, d), svytotal(~enroll, d), svyby(~api00, ~sch.wide, d, svymean) for
    d = <R call in the JSON>."""
    case = reference["clus_se"][name]
    if name == "twostage":
        base = Design(api["apiclus2"], ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    else:
        base = clus1(api)
    design = weighted(base, name)
    mean = design.mean("api00")
    assert isinstance(mean, Estimate)
    np.testing.assert_allclose(
        [mean.estimate, mean.se],
        [case["mean_api00"], case["se_mean_api00"]],
        rtol=rtol,
        err_msg=case["r"],
    )
    if name == "twostage":
        return
    total = design.total("enroll")
    assert isinstance(total, Estimate)
    np.testing.assert_allclose(
        [total.estimate, total.se], [case["total_enroll"], case["se_total_enroll"]], rtol=rtol
    )
    table = design.mean("api00", by="sch.wide")
    assert isinstance(table, EstimateTable)
    got = [[table[key].estimate, table[key].se] for key in ("No", "Yes")]
    expected = np.column_stack([case["by_schwide"], case["se_by_schwide"]])
    np.testing.assert_allclose(got, expected, rtol=rtol, err_msg=case["r"])


def replicate_design(name: str, api: dict[str, Any]) -> Design:
    if name.startswith("jkn"):
        fpc = None if name == "jkn_nofpc" else "fpc"
        design = Design(api["apistrat"], strata="stype", weights="pw", fpc=fpc).replicate("JKn")
    else:
        design = clus1(api).replicate("JK1")
    if name == "jk1_poststratify":
        return design.poststratify("stype", POP_TYPES)
    if name == "jk1_rake":
        return design.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, tolerance=1e-12)
    if name == "jk1_linear":
        return design.calibrate(TOTALS99)
    if name == "jk1_logit":
        return design.calibrate(TOTALS99, method="logit", bounds=(0.4, 2.5), tolerance=1e-10)
    if name == "jkn_raking":
        totals = {"sch.wide": POP_SCHWIDE, "api99": 3914069.0}
        return design.calibrate(totals, method="raking", tolerance=1e-10)
    return design


REPLICATE_CASES = {
    "jk1": EXACT,
    "jkn": EXACT,
    "jkn_nofpc": EXACT,
    "jk1_poststratify": EXACT,
    "jk1_rake": ITERATIVE,
    "jk1_linear": EXACT,
    "jk1_logit": ITERATIVE,
    "jkn_raking": ITERATIVE,
}


@pytest.mark.parametrize(("name", "rtol"), REPLICATE_CASES.items())
def test_replicate_design_estimates(
    reference: dict[str, Any], api: dict[str, Any], name: str, rtol: float
) -> None:
    """Estimates, SEs, svyby and degf of the replicate designs of the R calls in the JSON."""
    case = reference["replicates"][name]
    design = replicate_design(name, api)
    mean = design.mean("api00")
    total = design.total("enroll")
    assert isinstance(mean, Estimate)
    assert isinstance(total, Estimate)
    assert mean.df == case["degf"]
    np.testing.assert_allclose(
        [mean.estimate, mean.se, total.estimate, total.se],
        [case["mean_api00"], case["se_mean_api00"], case["total_enroll"], case["se_total_enroll"]],
        rtol=rtol,
        err_msg=case["r"],
    )
    table = design.mean("api00", by="sch.wide")
    assert isinstance(table, EstimateTable)
    got = [[table[key].estimate, table[key].se] for key in ("No", "Yes")]
    expected = np.column_stack([case["by_schwide"], case["se_by_schwide"]])
    np.testing.assert_allclose(got, expected, rtol=rtol, err_msg=case["r"])


@pytest.mark.parametrize(("name", "rho"), [("brr", 0.0), ("fay", 0.3)])
def test_brr_design_on_scd(
    reference: dict[str, Any], api: dict[str, Any], name: str, rho: float
) -> None:
    """as.svrepdesign(svydesign(data=scd, prob=~1, id=~ambulance, strata=~ESA, nest=TRUE),
    type="BRR" | "Fay", fay.rho=0.3): svymean(~alive), svyratio(~alive, ~arrests)."""
    case = reference["scd"][name]
    design = Design(api["scd"], ids="ambulance", strata="ESA", nest=True).replicate(
        "BRR", fay_rho=rho
    )
    mean = design.mean("alive")
    ratio = design.ratio("alive", "arrests")
    assert isinstance(mean, Estimate)
    assert isinstance(ratio, Estimate)
    np.testing.assert_allclose(
        [mean.estimate, mean.se, ratio.estimate, ratio.se],
        [case["mean_alive"], case["se_mean_alive"], case["ratio"], case["se_ratio"]],
        rtol=EXACT,
        err_msg=case["r"],
    )


def test_weighting_needs_the_whole_design(api: dict[str, Any]) -> None:
    design = clus1(api)
    domain = design.subset(api["apiclus1"]["stype"] == "E")
    with pytest.raises(ValueError, match=r"rake: weight the whole design, then take subset\(\)"):
        domain.rake({"sch.wide": POP_SCHWIDE})
    with pytest.raises(ValueError, match="type: JK1 is for unstratified designs"):
        Design(api["apistrat"], strata="stype", weights="pw").replicate("JK1")
    with pytest.raises(ValueError, match="rng: the bootstrap needs"):
        design.replicate("bootstrap")
    with pytest.raises(ValueError, match=r"margins: level 'No' of 'sch\.wide' occurs in the data"):
        design.rake({"sch.wide": {"Yes": 5122.0, "Maybe": 1072.0}})


def test_weighting_returns_new_designs(api: dict[str, Any]) -> None:
    design = clus1(api)
    raked = design.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    assert raked is not design
    np.testing.assert_array_equal(design.weights, api["apiclus1"]["pw"])
    np.testing.assert_allclose(raked.weights.sum(), 6194.0, rtol=1e-9)
    assert raked.weight_diagnostics.kish_deff > 1.0
    boot = design.replicate("bootstrap", replicates=20, rng=np.random.default_rng(4))
    assert boot.replicates is not None
    assert boot.replicates.n_replicates == 20
    assert boot.subset(api["apiclus1"]["stype"] == "E").mean("api00").se > 0
