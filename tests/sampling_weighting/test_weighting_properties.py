"""Invariants of the weighting functions (Hypothesis) and their reports."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.weighting import (
    calibrate_weights,
    calibration_residuals,
    nonresponse_adjustment,
    poststratify_weights,
    rake_weights,
    trim_weights,
    weight_diagnostics,
)

FAST = settings(max_examples=40, deadline=None)


@st.composite
def samples(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Rows with two categorical variables (every crossed cell present, so raking has a
    solution), design weights, and a positive population table for the cells."""
    levels_a = draw(st.integers(2, 5))
    levels_b = draw(st.integers(2, 4))
    extra = draw(st.integers(0, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = np.concatenate([np.repeat(np.arange(levels_a), levels_b), rng.integers(0, levels_a, extra)])
    b = np.concatenate([np.tile(np.arange(levels_b), levels_a), rng.integers(0, levels_b, extra)])
    d = rng.uniform(0.5, 20.0, len(a))
    table = rng.uniform(10.0, 1000.0, (levels_a, levels_b))
    return {"a": a, "b": b}, d, table


def margins_of(table: np.ndarray) -> dict[str, dict[object, float]]:
    return {
        "a": {int(i): float(table[i].sum()) for i in range(table.shape[0])},
        "b": {int(j): float(table[:, j].sum()) for j in range(table.shape[1])},
    }


@FAST
@given(samples())
def test_raked_weights_hit_their_margins(sample: tuple) -> None:
    columns, d, table = sample
    result = rake_weights(d, columns, margins_of(table), tolerance=1e-10, max_iter=200)
    for name, axis in (("a", 1), ("b", 0)):
        got = np.bincount(columns[name], weights=result.weights)
        np.testing.assert_allclose(got, table.sum(axis=axis), rtol=1e-8)
    assert result.convergence.converged
    assert all(abs(fit.relative_error) < 1e-8 for fit in result.margins)
    np.testing.assert_allclose(result.weights, d * result.g, rtol=1e-14)


@FAST
@given(samples(), st.floats(0.05, 50.0), st.sampled_from(["linear", "raking"]))
def test_scaling_design_weights_leaves_calibrated_weights(
    sample: tuple, factor: float, method: str
) -> None:
    """With categorical margins (the intercept in their span) w = d·g does not depend on the
    scale of d: g absorbs it."""
    columns, d, table = sample
    margins = margins_of(table)
    first = calibrate_weights(d, columns, margins, method=method, tolerance=1e-11, max_iter=200)
    second = calibrate_weights(
        d * factor, columns, margins, method=method, tolerance=1e-11, max_iter=200
    )
    np.testing.assert_allclose(second.weights, first.weights, rtol=1e-7)
    np.testing.assert_allclose(second.g * factor, first.g, rtol=1e-7)


@FAST
@given(samples())
def test_poststratified_cells_sum_to_population(sample: tuple) -> None:
    columns, d, table = sample
    cells = columns["a"] * table.shape[1] + columns["b"]
    present = np.unique(cells)
    population = {int(c): float(table.ravel()[c]) for c in present}
    result = poststratify_weights(d, {"cell": cells}, "cell", population)
    got = np.bincount(cells, weights=result.weights)[present]
    np.testing.assert_allclose(got, [population[int(c)] for c in present], rtol=1e-12)


@FAST
@given(samples())
def test_calibration_variables_have_zero_residuals(sample: tuple) -> None:
    """A score that is a calibration variable times w is fitted exactly: its residual is 0."""
    columns, d, table = sample
    result = calibrate_weights(
        d, columns, margins_of(table), method="raking", tolerance=1e-11, max_iter=200
    )
    indicator = (columns["a"] == 0).astype(float)
    scores = np.column_stack([result.weights * indicator, result.weights])
    residual = calibration_residuals(scores, result.model, d, result.g)
    np.testing.assert_allclose(residual, 0.0, atol=1e-9 * result.weights.max())


@FAST
@given(
    st.lists(st.floats(0.1, 100.0), min_size=3, max_size=60),
    st.floats(0.5, 5.0),
    st.floats(10.0, 80.0),
    st.booleans(),
)
def test_trimming_keeps_the_total(
    weights: list[float], lower: float, upper: float, strict: bool
) -> None:
    w = np.array(weights)
    if strict and not lower <= w.mean() <= upper:
        return
    if ((w < lower) | (w > upper)).all():
        return
    result = trim_weights(w, lower, upper, strict=strict)
    np.testing.assert_allclose(result.weights.sum(), w.sum(), rtol=1e-12)
    if strict:
        assert (result.weights >= lower - 1e-9).all()
        assert (result.weights <= upper + 1e-9).all()


def test_linear_calibration_is_the_closed_form() -> None:
    """g = 1 + xᵀ(XᵀDX)⁻¹(t − Xᵀd) (Deville & Särndal 1992, eq. 3.4); one Newton step."""
    rng = np.random.default_rng(7)
    x = rng.uniform(1, 10, 50)
    d = rng.uniform(1, 3, 50)
    totals = {"x": 600.0}
    result = calibrate_weights(d, {"x": x}, totals, population_size=120.0)
    design = np.column_stack([np.ones(50), x])
    t = np.array([120.0, 600.0])
    lam = np.linalg.solve(design.T @ (design * d[:, None]), t - design.T @ d)
    np.testing.assert_allclose(result.g, 1 + design @ lam, rtol=1e-12)
    assert result.convergence.iterations == 1
    assert [fit.variable for fit in result.margins] == ["x"]


def test_nonresponse_adjustment_report() -> None:
    """Respondents carry their class's weight: class 1 has 10 + 20 + 30 sampled, 10 + 20
    responding, factor 2; class 2 has factor 1."""
    d = np.array([10.0, 20.0, 30.0, 5.0, 5.0])
    classes = np.array([1, 1, 1, 2, 2])
    responded = np.array([True, True, False, True, True])
    result = nonresponse_adjustment(d, classes, responded)
    np.testing.assert_allclose(result.weights, [20.0, 40.0, 0.0, 5.0, 5.0])
    first, second = result.classes
    assert (first.level, first.n_sampled, first.n_respondents) == (1, 3, 2)
    assert (first.weight_sampled, first.weight_respondents, first.factor) == (60.0, 30.0, 2.0)
    assert (second.level, second.factor) == (2, 1.0)
    assert result.weights.sum() == d.sum()


def test_weight_diagnostics() -> None:
    """Kish: deff = n Σw²/(Σw)² = 4 · 30 / 100 = 1.2, n_eff = 100/30, CV = √0.2."""
    result = weight_diagnostics([1.0, 2.0, 3.0, 4.0])
    assert result.kish_deff == pytest.approx(1.2, rel=1e-15)
    assert result.n_effective == pytest.approx(100 / 30, rel=1e-15)
    assert result.cv == pytest.approx(np.sqrt(0.2), rel=1e-15)
    assert (result.minimum, result.maximum, result.ratio, result.total) == (1.0, 4.0, 4.0, 10.0)


def test_strict_trimming_takes_several_passes() -> None:
    """One pass of R's trimWeights(upper=4) on 1, 3.5, 3.5, 6 shares the excess 2 equally
    (1.667, 4.167, 4.167, 4); strict=TRUE repeats until no weight is above 4."""
    w = np.array([1.0, 3.5, 3.5, 6.0])
    once = trim_weights(w, upper=4.0)
    np.testing.assert_allclose(once.weights, [1 + 2 / 3, 3.5 + 2 / 3, 3.5 + 2 / 3, 4.0])
    assert (once.passes, once.n_trimmed) == (1, 1)
    strict = trim_weights(w, upper=4.0, strict=True)
    assert strict.passes > 2
    assert strict.n_trimmed == 3
    assert (strict.weights <= 4.0 + 1e-9).all()
    np.testing.assert_allclose(strict.weights.sum(), 14.0, rtol=1e-15)
