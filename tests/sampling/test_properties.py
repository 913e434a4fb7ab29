"""Invariants of the estimators, checked on random stratified cluster samples (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from sampling import PROPORTION_METHODS, Design, Estimate, EstimateTable, verdict


@st.composite
def samples(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """A stratified two-stage sample: 1–3 strata, 2–5 PSUs each, 1–6 rows per PSU."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    strata = draw(st.integers(1, 3))
    psus = [draw(st.integers(2, 5)) for _ in range(strata)]
    rows: dict[str, list[float]] = {"stratum": [], "psu": [], "w": [], "y": [], "x": [], "g": []}
    rate = draw(st.floats(0.05, 0.95))
    psu_id = 0
    for h, count in enumerate(psus):
        for _ in range(count):
            size = int(rng.integers(1, 7))
            psu_rate = float(np.clip(rate + rng.normal(0, 0.15), 0.01, 0.99))
            rows["stratum"] += [h] * size
            rows["psu"] += [psu_id] * size
            rows["w"] += list(rng.uniform(1, 10, size))
            rows["y"] += list((rng.random(size) < psu_rate).astype(float))
            rows["x"] += list(rng.gamma(2.0, 3.0, size) + 0.5)
            rows["g"] += list(rng.integers(0, 2, size).astype(float))
            psu_id += 1
    return {name: np.array(values) for name, values in rows.items()}


def _design(data: dict[str, np.ndarray]) -> Design:
    return Design(data, ids="psu", strata="stratum", weights="w")


def _single(result: object) -> Estimate:
    assert isinstance(result, Estimate)
    return result


@settings(max_examples=60, deadline=None)
@given(samples(), st.sampled_from(PROPORTION_METHODS), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_interval_contains_estimate(data: dict[str, np.ndarray], method: str, level: float) -> None:
    table = _design(data).proportion("y", by="g", method=method, confidence_level=level)
    assert isinstance(table, EstimateTable)
    for estimate in table.values():
        assert not np.isnan([estimate.ci_low, estimate.ci_high]).any()
        assert estimate.ci_low <= estimate.estimate + 1e-12
        assert estimate.estimate <= estimate.ci_high + 1e-12
        if method != "mean":
            assert 0.0 <= estimate.ci_low <= estimate.ci_high <= 1.0


@settings(max_examples=40, deadline=None)
@given(samples(), st.floats(0.01, 1000.0), st.sampled_from(PROPORTION_METHODS))
def test_scaling_weights_leaves_means_unchanged(
    data: dict[str, np.ndarray], factor: float, method: str
) -> None:
    scaled = dict(data, w=data["w"] * factor)
    before, after = _design(data), _design(scaled)
    for statistic in ("mean", "ratio"):
        one = before.mean("x") if statistic == "mean" else before.ratio("y", "x")
        two = after.mean("x") if statistic == "mean" else after.ratio("y", "x")
        one, two = _single(one), _single(two)
        np.testing.assert_allclose([two.estimate, two.se], [one.estimate, one.se], rtol=1e-9)
    p1 = _single(before.proportion("y", method=method))
    p2 = _single(after.proportion("y", method=method))
    np.testing.assert_allclose(
        [p2.estimate, p2.ci_low, p2.ci_high], [p1.estimate, p1.ci_low, p1.ci_high], rtol=1e-7
    )
    t1, t2 = _single(before.total("x")), _single(after.total("x"))
    np.testing.assert_allclose(
        [t2.estimate, t2.se], [factor * t1.estimate, factor * t1.se], rtol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(samples(), st.sampled_from(["mean", "logit", "wilson"]), st.sampled_from([0.9, 0.95]))
def test_one_sided_test_at_the_bound_gives_the_level(
    data: dict[str, np.ndarray], method: str, level: float
) -> None:
    e = _single(_design(data).proportion("y", method=method, confidence_level=level))
    if not 0 < e.estimate < 1:
        return
    df = max(e.df, 1.0)
    for bound, side in ((e.ci_low, 1.0), (e.ci_high, -1.0)):
        if method == "mean":
            statistic = (e.estimate - bound) / e.se
        elif method == "logit":
            statistic = (special.logit(e.estimate) - special.logit(bound)) / (
                e.se / (e.estimate * (1 - e.estimate))
            )
        else:
            n_eff = e.estimate * (1 - e.estimate) / e.se**2
            statistic = (e.estimate - bound) / np.sqrt(bound * (1 - bound) / n_eff)
        # rel 1e-5: a bound within 1e-9 of 0 or 1 loses digits when taken back to the logit scale
        assert stats.t.sf(side * statistic, df) == pytest.approx((1 - level) / 2, rel=1e-5)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_domains_add_up_and_subsets_match(data: dict[str, np.ndarray]) -> None:
    design = _design(data)
    whole = _single(design.total("x"))
    parts = design.total("x", by="g")
    assert isinstance(parts, EstimateTable)
    assert sum(e.estimate for e in parts.values()) == pytest.approx(whole.estimate, rel=1e-12)
    means = design.mean("x", by="g")
    assert isinstance(means, EstimateTable)
    for key, estimate in means.items():
        subset = _single(design.subset(data["g"] == key).mean("x"))
        np.testing.assert_equal(subset.to_dict(), estimate.to_dict())


@settings(max_examples=60, deadline=None)
@given(samples(), st.floats(0.05, 0.95), st.sampled_from([">=", "<="]))
def test_verdict_agrees_with_the_interval(
    data: dict[str, np.ndarray], threshold: float, direction: str
) -> None:
    e = _single(_design(data).proportion("y"))
    status = verdict(e, threshold, direction).status  # type: ignore[arg-type]
    above, below = e.ci_low >= threshold, e.ci_high < threshold
    if direction == ">=":
        expected = "met" if above else "not_met" if below else "inconclusive"
    else:
        expected = (
            "met"
            if e.ci_high <= threshold
            else "not_met"
            if e.ci_low > threshold
            else "inconclusive"
        )
    assert status == expected
