"""Weights, g-weights and SEs against R survey 4.1 (tests/reference/weighting_reference.R).

Each test names the R call that produced its numbers (the JSON keeps it under "r"). Tolerances:
rel 1e-8 for closed forms, 1e-6 for iterative methods (R stops at its own epsilon).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sampling import Design
from sampling.weighting import (
    CalibrationStep,
    brr_factors,
    calibrate_replicates,
    calibrate_weights,
    calibrated_variance,
    calibration_residuals,
    hadamard,
    jk1_factors,
    jkn_factors,
    nonresponse_adjustment,
    poststratify_weights,
    rake_weights,
    raking_residuals,
    trim_weights,
)

EXACT = 1e-8
ITERATIVE = 1e-6
POP_TYPES = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE = {"No": 1072.0, "Yes": 5122.0}
TOTALS99 = {"stype": POP_TYPES, "api99": 3914069.0}


def kalton_data(reference: dict[str, Any]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """R: ab <- expand.grid(a=factor(1:4), b=factor(1:3)); kaltonsample <- ab[rep(1:12, n), ]."""
    counts = np.array(reference["kalton"]["sample_counts"], dtype=np.int64)
    population = np.array(reference["kalton"]["population_counts"], dtype=np.float64)
    cell = np.repeat(np.arange(12), counts)
    return {"a": cell % 4 + 1, "b": cell // 4 + 1, "cell": cell}, cell, population


def kalton_margins(population: np.ndarray) -> dict[str, dict[Any, float]]:
    table = population.reshape(3, 4)
    return {
        "a": {a + 1: float(table[:, a].sum()) for a in range(4)},
        "b": {b + 1: float(table[b].sum()) for b in range(3)},
    }


def cell_g(weights: np.ndarray, cell: np.ndarray) -> np.ndarray:
    return np.bincount(cell, weights=weights) / np.bincount(cell)


def kalton_python(name: str, columns: dict[str, np.ndarray], population: np.ndarray) -> np.ndarray:
    ones = np.ones(len(columns["a"]))
    margins = kalton_margins(population)
    joint = {k: float(population[k]) for k in range(12)}
    if name == "poststratify":
        pairs = {(k % 4 + 1, k // 4 + 1): float(population[k]) for k in range(12)}
        return poststratify_weights(ones, columns, ["a", "b"], pairs).weights
    if name == "rake":
        return rake_weights(ones, columns, margins, tolerance=1e-12).weights
    if name == "calibrate_joint":
        return calibrate_weights(ones, columns, {"cell": joint}).weights
    if name == "calibrate_greg":
        a_num, b_num = columns["a"].astype(float), columns["b"].astype(float)
        totals = {
            "a_num": float(sum((k % 4 + 1) * population[k] for k in range(12))),
            "b_num": float(sum((k // 4 + 1) * population[k] for k in range(12))),
        }
        data = {"a_num": a_num, "b_num": b_num}
        return calibrate_weights(ones, data, totals, population_size=population.sum()).weights
    method, bounds = {
        "calibrate_raking": ("raking", (-np.inf, np.inf)),
        "calibrate_linear": ("linear", (-np.inf, np.inf)),
        "calibrate_truncated": ("linear", (0.5, 2.2)),
        "calibrate_logit": ("logit", (0.5, 2.2)),
    }[name]
    return calibrate_weights(
        ones, columns, margins, method=method, bounds=bounds, tolerance=1e-10
    ).weights


KALTON = [
    "poststratify",
    "rake",
    "calibrate_joint",
    "calibrate_raking",
    "calibrate_linear",
    "calibrate_truncated",
    "calibrate_logit",
    "calibrate_greg",
]


@pytest.mark.parametrize("name", KALTON)
def test_kalton_flores_cervantes_tables(reference: dict[str, Any], name: str) -> None:
    """Kalton & Flores-Cervantes (2003) tables A–G, as R survey's tests/kalton.R computes them:
    round(svytable(~a+b, d) / xtabs(~a+b, kaltonsample), 2) for each adjusted design d."""
    columns, cell, population = kalton_data(reference)
    case = reference["kalton"]["cases"][name]
    expected = np.array(case["cell_g"])
    got = cell_g(kalton_python(name, columns, population), cell)
    rtol = (
        EXACT
        if name in ("poststratify", "calibrate_joint", "calibrate_linear", "calibrate_greg")
        else ITERATIVE
    )
    np.testing.assert_allclose(got, expected, rtol=rtol, err_msg=case["r"])


def test_kalton_published_adjustment_factors(reference: dict[str, Any]) -> None:
    """Table A of Kalton & Flores-Cervantes (2003) (kalton.Rout.save): post-stratification
    factors 4.00 1.20 1.70 1.83 / 1.00 1.07 1.20 1.65 / 1.38 1.10 4.00 1.79."""
    columns, cell, population = kalton_data(reference)
    got = np.round(cell_g(kalton_python("poststratify", columns, population), cell), 2)
    expected = [4.00, 1.20, 1.70, 1.83, 1.00, 1.07, 1.20, 1.65, 1.38, 1.10, 4.00, 1.79]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def _api_weights(name: str, api: dict[str, Any]) -> np.ndarray:
    strat, clus1, srs = api["apistrat"], api["apiclus1"], api["apisrs"]
    if name == "strat_poststratify":
        return poststratify_weights(strat["pw"], strat, "stype", POP_TYPES).weights
    if name == "clus1_rake":
        margins = {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}
        return rake_weights(clus1["pw"], clus1, margins, tolerance=1e-12).weights
    if name in ("clus1_trim", "clus1_trim_strict"):
        calibrated = calibrate_weights(clus1["pw"], clus1, {"stype": POP_TYPES}).weights
        upper, strict = (40.0, False) if name == "clus1_trim" else (37.0, True)
        return trim_weights(calibrated, 29.0, upper, strict=strict).weights
    if name == "srs_unweighted_raking":
        return calibrate_weights(
            np.ones(200), srs, TOTALS99, method="raking", bounds=(0.5, 2.0), tolerance=1e-10
        ).weights
    method, bounds = {
        "clus1_linear": ("linear", (-np.inf, np.inf)),
        "clus1_linear_bounded": ("linear", (0.7, 1.7)),
        "clus1_raking": ("raking", (-np.inf, np.inf)),
        "clus1_raking_bounded": ("raking", (0.7, 1.7)),
        "clus1_logit": ("logit", (0.7, 1.7)),
    }[name]
    return calibrate_weights(
        clus1["pw"], clus1, TOTALS99, method=method, bounds=bounds, tolerance=1e-10
    ).weights


API_CASES = {
    "strat_poststratify": EXACT,
    "clus1_rake": ITERATIVE,
    "clus1_linear": EXACT,
    "clus1_linear_bounded": ITERATIVE,
    "clus1_raking": ITERATIVE,
    "clus1_raking_bounded": ITERATIVE,
    "clus1_logit": ITERATIVE,
    "clus1_trim": EXACT,
    "clus1_trim_strict": EXACT,
    "srs_unweighted_raking": ITERATIVE,
}


@pytest.mark.parametrize(("name", "rtol"), API_CASES.items())
def test_api_weights(
    reference: dict[str, Any], api: dict[str, Any], name: str, rtol: float
) -> None:
    """weights(<R call in the JSON>) row by row, e.g. postStratify(dstrat, ~stype, pop.types)."""
    case = reference[name]
    np.testing.assert_allclose(
        _api_weights(name, api), case["weights"], rtol=rtol, err_msg=case["r"]
    )


def test_nonresponse_classes_as_r(reference: dict[str, Any], api: dict[str, Any]) -> None:
    """weights(<R call in the JSON>): respondents post-stratified to their class's sample weight."""
    clus1 = api["apiclus1"]
    responded = clus1["snum"] % 3 != 0
    result = nonresponse_adjustment(clus1["pw"], clus1["stype"], responded)
    case = reference["clus1_nonresponse"]
    np.testing.assert_allclose(result.weights[responded], case["weights"], rtol=EXACT)
    assert [c.level for c in result.classes] == ["E", "H", "M"]


def _with_replacement_variance(scores: np.ndarray) -> float:
    """One-stage with-replacement variance n/(n−1) Σ (e − ē)² (R's svyrecvar, id=~1, no fpc)."""
    n = len(scores)
    return float(n / (n - 1) * np.sum((scores - scores.mean()) ** 2))


@pytest.mark.parametrize("name", ["poststratify", "rake", "linear", "raking", "logit"])
def test_one_stage_se_after_calibration(
    reference: dict[str, Any], api: dict[str, Any], name: str
) -> None:
    """svymean(~api00, d) and svytotal(~enroll, d) SEs for d = <calibration of
    svydesign(id=~1, weights=~pw, data=apisrs)>: residualised scores + with-replacement variance."""
    srs = api["apisrs"]
    case = reference["srs_se"][name]
    d = srs["pw"]
    if name == "poststratify":
        result = poststratify_weights(d, srs, "stype", POP_TYPES)
    elif name == "rake":
        result = rake_weights(
            d, srs, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, tolerance=1e-12
        )
    else:
        bounds = (0.7, 1.7) if name == "logit" else (-np.inf, np.inf)
        result = calibrate_weights(d, srs, TOTALS99, method=name, bounds=bounds, tolerance=1e-10)
    w = result.weights
    rtol = EXACT if name in ("poststratify", "linear") else ITERATIVE
    np.testing.assert_allclose(w, case["weights"], rtol=rtol, err_msg=case["r"])
    y, enroll = srs["api00"], srs["enroll"]
    mean = np.sum(w * y) / np.sum(w)
    scores = np.column_stack([w * (y - mean) / np.sum(w), w * enroll])
    if name == "rake":
        residual = raking_residuals(scores, result.model, w)
    else:
        residual = calibration_residuals(scores, result.model, d, result.g)
    se = [np.sqrt(_with_replacement_variance(residual[:, j])) for j in range(2)]
    np.testing.assert_allclose(mean, case["mean_api00"], rtol=rtol)
    np.testing.assert_allclose(
        se, [case["se_mean_api00"], case["se_total_enroll"]], rtol=rtol, err_msg=case["r"]
    )


def _replicate_case(name: str, api: dict[str, Any]) -> tuple[Any, np.ndarray, dict[str, Any]]:
    clus1, strat = api["apiclus1"], api["apistrat"]
    if name.startswith("jkn"):
        data = strat
        population = strat["fpc"] if name != "jkn_nofpc" else None
        reps = jkn_factors(strat["stype"], np.arange(200), population=population)
    else:
        data = clus1
        reps = jk1_factors(clus1["dnum"], population=clus1["fpc"])
    d = data["pw"]
    if name in ("jk1", "jkn", "jkn_nofpc"):
        return reps, d, data
    if name == "jk1_poststratify":
        result = poststratify_weights(d, data, "stype", POP_TYPES)
    elif name == "jk1_rake":
        result = rake_weights(
            d, data, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, tolerance=1e-12
        )
    elif name == "jkn_raking":
        totals = {"sch.wide": POP_SCHWIDE, "api99": 3914069.0}
        result = calibrate_weights(d, data, totals, method="raking", tolerance=1e-10)
    else:
        method, bounds = (
            ("logit", (0.4, 2.5)) if name == "jk1_logit" else ("linear", (-np.inf, np.inf))
        )
        result = calibrate_weights(d, data, TOTALS99, method=method, bounds=bounds, tolerance=1e-10)
    return calibrate_replicates(reps, d, result, tolerance=1e-10), result.weights, data


REPLICATE_CASES = [
    "jk1",
    "jkn",
    "jkn_nofpc",
    "jk1_poststratify",
    "jk1_rake",
    "jk1_linear",
    "jk1_logit",
    "jkn_raking",
]


@pytest.mark.parametrize("name", REPLICATE_CASES)
def test_replicate_designs(reference: dict[str, Any], api: dict[str, Any], name: str) -> None:
    """svymean(~api00, r) and svytotal(~enroll, r) with their SEs, degf(r), r$scale, r$rscales
    for r = <R call in the JSON> (as.svrepdesign, then postStratify / rake / calibrate)."""
    case = reference["replicates"][name]
    reps, w, data = _replicate_case(name, api)
    rtol = (
        EXACT
        if name in ("jk1", "jkn", "jkn_nofpc", "jk1_poststratify", "jk1_linear")
        else ITERATIVE
    )
    y, enroll = data["api00"], data["enroll"]
    values = np.column_stack([y, np.ones(len(y)), enroll])
    totals = reps.totals(w, values)
    mean = np.sum(w * y) / np.sum(w)
    se_mean = np.sqrt(reps.variance(totals[:, 0] / totals[:, 1], mean))
    se_total = np.sqrt(reps.variance(totals[:, 2], np.sum(w * enroll)))
    assert reps.n_replicates == case["n_replicates"]
    assert reps.degf == case["degf"]
    np.testing.assert_allclose(reps.scale, case["scale"], rtol=EXACT)
    np.testing.assert_allclose(reps.rscales, case["rscales"], rtol=EXACT)
    np.testing.assert_allclose(mean, case["mean_api00"], rtol=rtol)
    codes = (data["sch.wide"] == "Yes").astype(np.int64)
    by = reps.totals(w, np.column_stack([y, np.ones(len(y))]), codes, 2)
    sizes = np.bincount(codes, weights=w)
    means = np.bincount(codes, weights=w * y) / sizes
    se_by = np.sqrt(reps.variance(by[:, :, 0] / by[:, :, 1], means))
    np.testing.assert_allclose(means, case["by_schwide"], rtol=rtol)
    np.testing.assert_allclose(se_by, case["se_by_schwide"], rtol=rtol, err_msg=case["r"])
    np.testing.assert_allclose(
        [se_mean, se_total],
        [case["se_mean_api00"], case["se_total_enroll"]],
        rtol=rtol,
        err_msg=case["r"],
    )


@pytest.mark.parametrize(("name", "rho"), [("brr", 0.0), ("fay", 0.3)])
def test_scd_brr_and_fay(
    reference: dict[str, Any], api: dict[str, Any], name: str, rho: float
) -> None:
    """?svrepdesign: as.svrepdesign(scdnofpc, type="BRR" | "Fay", fay.rho=0.3); svymean(~alive)
    and svyratio(~alive, ~arrests) with SEs; the replicate factors themselves."""
    scd = api["scd"]
    case = reference["scd"][name]
    reps = brr_factors(scd["ESA"], scd["ambulance"], fay_rho=rho)
    factors = np.array(case["factors"])[np.array(case["index"]) - 1]
    np.testing.assert_allclose(reps.row_factors(slice(None)), factors, rtol=EXACT)
    assert (reps.n_replicates, reps.degf) == (case["n_replicates"], case["degf"])
    w = np.ones(6)
    totals = reps.totals(w, np.column_stack([scd["alive"], w, scd["arrests"]]))
    mean = scd["alive"].mean()
    ratio = scd["alive"].sum() / scd["arrests"].sum()
    se_mean = np.sqrt(reps.variance(totals[:, 0] / totals[:, 1], mean))
    se_ratio = np.sqrt(reps.variance(totals[:, 0] / totals[:, 2], ratio))
    np.testing.assert_allclose([mean, ratio], [case["mean_alive"], case["ratio"]], rtol=EXACT)
    np.testing.assert_allclose(
        [se_mean, se_ratio],
        [case["se_mean_alive"], case["se_ratio"]],
        rtol=EXACT,
        err_msg=case["r"],
    )


def test_scd_jkn(reference: dict[str, Any], api: dict[str, Any]) -> None:
    """as.svrepdesign(scdnofpc, type="JKn"): svymean(~alive) SE."""
    scd = api["scd"]
    case = reference["scd"]["jkn"]
    reps = jkn_factors(scd["ESA"], scd["ambulance"])
    totals = reps.totals(np.ones(6), np.column_stack([scd["alive"], np.ones(6)]))
    se = np.sqrt(reps.variance(totals[:, 0] / totals[:, 1], scd["alive"].mean()))
    assert reps.degf == case["degf"]
    np.testing.assert_allclose(se, case["se_mean_alive"], rtol=EXACT, err_msg=case["r"])


def test_brr_forty_strata(reference: dict[str, Any], api: dict[str, Any]) -> None:
    """BRR with R's Paley matrix of order 44 (40 pairs of apipop schools)."""
    case = reference["brr40"]
    pop = api["apipop"]
    position = {value: k for k, value in enumerate(pop["cds"].tolist())}
    rows = np.array([position[float(value)] for value in case["cds"]])
    y = pop["api00"][rows]
    reps = brr_factors(np.repeat(np.arange(40), 2), np.arange(80))
    w = np.full(80, 100.0)
    totals = reps.totals(w, np.column_stack([y, np.ones(80)]))
    se = np.sqrt(reps.variance(totals[:, 0] / totals[:, 1], y.mean()))
    assert (reps.n_replicates, reps.degf) == (case["n_replicates"], case["degf"])
    np.testing.assert_allclose(se, case["se_mean_api00"], rtol=EXACT, err_msg=case["r"])


def test_hadamard_matches_r(reference: dict[str, Any]) -> None:
    """survey:::hadamard(n) for n = 1, 3, 5, 8, 12, 13, 20, 40, 45, 60, 63, 100."""
    for entry in reference["hadamard"]:
        np.testing.assert_array_equal(
            hadamard(entry["n"]), np.array(entry["matrix"]), err_msg=f"n = {entry['n']}"
        )


def _clus_steps(name: str, data: dict[str, Any], d: np.ndarray) -> tuple[np.ndarray, list]:
    if name == "poststratify":
        result = poststratify_weights(d, data, "stype", POP_TYPES)
        return result.weights, [CalibrationStep.of(result, d)]
    if name == "rake":
        margins = {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}
        result = rake_weights(d, data, margins, tolerance=1e-12)
        return result.weights, [CalibrationStep.of(result, d, kind="raking")]
    if name == "trimmed":
        result = calibrate_weights(d, data, {"stype": POP_TYPES})
        return trim_weights(result.weights, 29.0, 40.0).weights, [CalibrationStep.of(result, d)]
    method, bounds = ("logit", (0.7, 1.7)) if name == "logit" else (name, (-np.inf, np.inf))
    if name == "twostage":
        method = "linear"
    result = calibrate_weights(d, data, TOTALS99, method=method, bounds=bounds, tolerance=1e-10)
    return result.weights, [CalibrationStep.of(result, d)]


CLUSTER_CASES = {
    "poststratify": EXACT,
    "rake": ITERATIVE,
    "linear": EXACT,
    "raking": ITERATIVE,
    "logit": ITERATIVE,
    "trimmed": EXACT,
    "twostage": EXACT,
}


@pytest.mark.parametrize(("name", "rtol"), CLUSTER_CASES.items())
def test_cluster_design_se_after_calibration(
    reference: dict[str, Any], api: dict[str, Any], name: str, rtol: float
) -> None:
    """svymean(~api00, d), svytotal(~enroll, d) and svyby(~api00, ~sch.wide, d, svymean) with
    SEs, d = <R call in the JSON> on dclus1 = svydesign(id=~dnum, weights=~pw, fpc=~fpc,
    data=apiclus1) (twostage: dclus2 = svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2))."""
    case = reference["clus_se"][name]
    if name == "twostage":
        data = api["apiclus2"]
        design = Design(data, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    else:
        data = api["apiclus1"]
        design = Design(data, ids="dnum", weights="pw", fpc="fpc")
    d = design.weights
    w, steps = _clus_steps(name, data, d)
    y = data["api00"]
    mean = np.sum(w * y) / np.sum(w)
    columns = [w * (y - mean) / np.sum(w)]
    if name != "twostage":
        columns.append(w * data["enroll"])
    se = np.sqrt(calibrated_variance(design.structure, np.column_stack(columns), steps))
    expected = [case["se_mean_api00"]] + ([case["se_total_enroll"]] if name != "twostage" else [])
    np.testing.assert_allclose(mean, case["mean_api00"], rtol=rtol)
    np.testing.assert_allclose(se, expected, rtol=rtol, err_msg=case["r"])
    if name == "twostage":
        return
    codes = (data["sch.wide"] == "Yes").astype(np.int64)
    sizes = np.bincount(codes, weights=w)
    means = np.bincount(codes, weights=w * y) / sizes
    scores = w * (y - means[codes]) / sizes[codes]
    domain_se = np.sqrt(calibrated_variance(design.structure, scores, steps, codes, 2)[:, 0])
    np.testing.assert_allclose(means, case["by_schwide"], rtol=rtol)
    np.testing.assert_allclose(domain_se, case["se_by_schwide"], rtol=rtol, err_msg=case["r"])


@pytest.mark.parametrize("index", range(4))
def test_jkn_lonely_stratum(reference: dict[str, Any], api: dict[str, Any], index: int) -> None:
    """options(survey.lonely.psu=<option>); svymean(~api00, as.svrepdesign(svydesign(id=~1,
    strata=~st2, weights=~pw, data=apistrat_lonely), type="JKn")) with the first school alone
    in stratum "X"."""
    case = reference["jkn_lonely"][index]
    strat = api["apistrat"]
    strata = strat["stype"].astype(object)
    strata[0] = "X"
    reps = jkn_factors(strata, np.arange(200), lonely_psu=case["option"])
    w, y = strat["pw"], strat["api00"]
    totals = reps.totals(w, np.column_stack([y, np.ones(200)]))
    se = np.sqrt(reps.variance(totals[:, 0] / totals[:, 1], np.sum(w * y) / np.sum(w)))
    assert (reps.degf, reps.n_replicates) == (case["degf"], len(case["rscales"]))
    np.testing.assert_allclose(reps.scale, case["scale"], rtol=EXACT)
    np.testing.assert_allclose(np.sort(reps.rscales), np.sort(case["rscales"]), rtol=EXACT)
    np.testing.assert_allclose(se, case["se_mean_api00"], rtol=EXACT, err_msg=case["r"])
