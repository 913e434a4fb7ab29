"""Replicate weights: compact storage, bootstrap with an rng, calibration of every replicate."""

from __future__ import annotations

import numpy as np

from sampling.weighting import (
    bootstrap_factors,
    calibrate_replicates,
    hadamard,
    is_hadamard,
    jk1_factors,
    jkn_factors,
    rake_weights,
    replicate_variance,
)


def test_jkn_with_two_thousand_psus_stays_compact() -> None:
    """2,000 PSUs in 100 strata, 200,000 rows: 2,000 × 2,000 PSU factors (32 MB), not 200,000 ×
    2,000 weights (3.2 GB); the variance of a total equals the stratified with-replacement one."""
    rng = np.random.default_rng(3)
    n_psu, rows_per_psu = 2000, 100
    psu = np.repeat(np.arange(n_psu), rows_per_psu)
    strata = psu // 20
    reps = jkn_factors(strata, psu)
    assert reps.factors.shape == (n_psu, n_psu)
    assert reps.degf == n_psu - 100
    w = rng.uniform(1, 5, len(psu))
    y = rng.normal(size=len(psu))
    totals = reps.totals(w, y)
    variance = reps.variance(totals, np.sum(w * y))
    psu_totals = np.bincount(psu, weights=w * y)
    by_stratum = psu_totals.reshape(100, 20)
    expected = np.sum(20 / 19 * ((by_stratum - by_stratum.mean(axis=1, keepdims=True)) ** 2))
    np.testing.assert_allclose(variance, expected, rtol=1e-9)


def test_jk1_variance_of_a_total_is_the_with_replacement_formula() -> None:
    rng = np.random.default_rng(5)
    psu = rng.integers(0, 12, 300)
    y = rng.uniform(0, 10, 300)
    reps = jk1_factors(psu)
    totals = reps.totals(np.ones(300), y)
    t = np.bincount(psu, weights=y)
    expected = 12 / 11 * np.sum((t - t.mean()) ** 2)
    np.testing.assert_allclose(reps.variance(totals, y.sum()), expected, rtol=1e-10)
    assert reps.degf == 11


def test_bootstrap_is_reproducible_and_resamples_within_strata() -> None:
    strata = np.repeat([0, 1, 2], [4, 6, 10])
    psu = np.arange(20)
    first = bootstrap_factors(strata, psu, replicates=200, rng=np.random.default_rng(11))
    second = bootstrap_factors(strata, psu, replicates=200, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(first.factors, second.factors)
    for s, size in ((0, 4), (1, 6), (2, 10)):
        np.testing.assert_array_equal(first.factors[strata == s].sum(axis=0), size)
    assert abs(first.factors.mean() - 1) < 0.05
    harmonic = 3 / (1 / 4 + 1 / 6 + 1 / 10)
    np.testing.assert_allclose(first.scale, harmonic / ((harmonic - 1) * 199), rtol=1e-14)
    # R's degf: rank of the weight matrix − 1; each stratum's factors sum to n_h in every
    # replicate, so the 20 PSUs of 3 strata span 20 − 3 + 1 dimensions.
    assert first.degf == 17


def test_bootstrap_scale_matches_r(reference: dict, api: dict) -> None:
    """as.svrepdesign(dstrat, type="bootstrap", replicates=60)$scale (the numbers drawn differ:
    R's RNG is not numpy's)."""
    strat = api["apistrat"]
    reps = bootstrap_factors(
        strat["stype"],
        np.arange(200),
        replicates=60,
        rng=np.random.default_rng(1),
        population=strat["fpc"],
    )
    np.testing.assert_allclose(reps.scale, reference["bootstrap"]["scale"], rtol=1e-12)
    np.testing.assert_array_equal(reps.factors.sum(axis=0), 200)


def test_calibrated_replicates_hit_the_margins_and_stay_compact() -> None:
    rng = np.random.default_rng(8)
    n = 5000
    psu = np.repeat(np.arange(50), n // 50)
    strata = psu // 10
    columns = {"sex": rng.integers(0, 2, n), "age": rng.integers(0, 5, n)}
    d = rng.uniform(10, 30, n)
    margins = {"sex": {0: 50000.0, 1: 52000.0}, "age": dict.fromkeys(range(5), 102000.0 / 5)}
    result = rake_weights(d, columns, margins, tolerance=1e-11)
    reps = calibrate_replicates(jkn_factors(strata, psu), d, result, tolerance=1e-11)
    assert reps.cell_factors is not None
    assert reps.cell_factors.shape == (10, 50)
    indicators = np.column_stack(
        [columns["sex"] == 0, columns["sex"] == 1] + [columns["age"] == k for k in range(5)]
    ).astype(float)
    totals = reps.totals(result.weights, indicators)
    expected = [50000.0, 52000.0] + [20400.0] * 5
    np.testing.assert_allclose(totals, np.tile(expected, (50, 1)), rtol=1e-9)
    dense = reps.row_factors(slice(0, 3)) * result.weights[:, None]
    np.testing.assert_allclose(dense.T @ indicators, np.tile(expected, (3, 1)), rtol=1e-9)


def test_replicate_variance_mse_centres_on_the_estimate() -> None:
    thetas = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(replicate_variance(thetas, 2.5, 0.5, np.ones(3)), 1.0)
    np.testing.assert_allclose(replicate_variance(thetas, 2.5, 0.5, np.ones(3), mse=True), 1.375)


def test_hadamard_matrices_are_hadamard() -> None:
    for n in (1, 4, 7, 11, 24, 27, 33, 50, 99, 130, 300):
        matrix = hadamard(n)
        assert matrix.shape[0] > n
        assert is_hadamard(matrix)
