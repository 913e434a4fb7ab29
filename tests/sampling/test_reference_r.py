"""Parity with R survey 4.1 on R's api data.

The expected numbers come from tests/reference/api_reference.R (run it to regenerate
tests/reference/api_reference.json); each case carries the R call that produced it, printed when
the case fails. Tolerances are the contract's: rtol 1e-8 for estimates, SEs and design effects,
1e-6 for interval bounds (R iterates for the logit and likelihood intervals).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sampling import Design, Estimate, EstimateTable, linearised_variance

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "reference" / "api_reference.json").read_text("utf-8")
)
TOLERANCE = {"estimate": 1e-8, "se": 1e-8, "deff": 1e-8, "ci_low": 1e-6, "ci_high": 1e-6}


def _design(name: str, api: Callable[[str], dict[str, np.ndarray]]) -> Design:
    spec = REFERENCE["designs"][name]
    return Design(api(spec["data"]), **spec["python"])


def _run(case: dict[str, Any], design: Design) -> Estimate | EstimateTable:
    if case["subset"]:
        column, value = case["subset"]
        design = design.subset(np.asarray(design_column(design, column)) == value)
    by = case["by"]
    kind = case["kind"]
    level = case["level"]
    if kind == "ratio":
        return design.ratio(
            case["variable"],
            case["denominator"],
            by=by,
            na_rm=case["na_rm"],
            confidence_level=level,
        )
    if kind in ("proportion", "proportion_deff"):
        method = case["method"] or "logit"
        return design.proportion(case["variable"], by=by, method=method, confidence_level=level)
    statistic = design.mean if kind == "mean" else design.total
    return statistic(case["variable"], by=by, na_rm=case["na_rm"], confidence_level=level)


def design_column(design: Design, column: str) -> np.ndarray:
    return design._raw(column, "subset")


def _label(case: dict[str, Any]) -> str:
    return f"{case['design']}: {case['r']}"


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=_label)
def test_matches_r(case: dict[str, Any], api: Callable[[str], dict[str, np.ndarray]]) -> None:
    result = _run(case, _design(case["design"], api))
    expected = dict(case["expected"])
    if isinstance(result, EstimateTable):
        keys = [tuple(key) if isinstance(key, list) else key for key in expected.pop("keys")]
        estimates = [result[key] for key in keys]
        assert len(result) == len(keys)
    else:
        assert isinstance(result, Estimate)
        estimates = [result]
    for field, values in expected.items():
        got = np.array([getattr(estimate, field) for estimate in estimates])
        want = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if field == "df":
            np.testing.assert_array_equal(got, want, err_msg=_label(case))
        else:
            np.testing.assert_allclose(got, want, rtol=TOLERANCE[field], err_msg=_label(case))


def test_published_stratified_and_two_stage_means(
    api: Callable[[str], dict[str, np.ndarray]],
) -> None:
    # R survey's saved test output (and ?svydesign):
    # > dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)
    # > svymean(~api00, dstrat)          # 662.29  SE 9.4089
    # > dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)
    # > svymean(~api00, dclus2)          # 670.81  SE 30.099
    strat = Design(api("apistrat"), strata="stype", weights="pw", fpc="fpc").mean("api00")
    clus2 = Design(api("apiclus2"), ids=["dnum", "snum"], fpc=["fpc1", "fpc2"]).mean("api00")
    assert isinstance(strat, Estimate)
    assert isinstance(clus2, Estimate)
    assert (round(strat.estimate, 2), round(strat.se, 4)) == (662.29, 9.4089)
    assert (round(clus2.estimate, 2), round(clus2.se, 3)) == (670.81, 30.099)


def test_lonely_psu_fail_is_refused(api: Callable[[str], dict[str, np.ndarray]]) -> None:
    # > ds <- svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1)
    # > options(survey.lonely.psu="fail"); svymean(~api00, ds)
    # Error: Stratum (413) has only one PSU at stage 1
    with pytest.raises(ValueError, match=r"lonely_psu: stratum 413\.0 has only one PSU"):
        Design(api("apiclus1"), strata="dnum", weights="pw")


def test_score_covariance_matches_svyrecvar(api: Callable[[str], dict[str, np.ndarray]]) -> None:
    case = REFERENCE["covariance"]  # vcov(svymean(~api00+api99, dclus2))
    design = _design(case["design"], api)
    data = api("apiclus2")
    w = design.weights
    scores = np.column_stack(
        [w * (data[v] - np.sum(w * data[v]) / w.sum()) / w.sum() for v in ("api00", "api99")]
    )
    got = linearised_variance(design.structure, scores, covariance=True)
    np.testing.assert_allclose(got, np.array(case["value"]), rtol=1e-8, err_msg=case["r"])
