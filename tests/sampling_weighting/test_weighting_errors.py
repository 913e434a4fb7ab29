"""Clear errors: each names the argument and the margin or level at fault."""

from __future__ import annotations

import numpy as np
import pytest

from sampling.weighting import (
    bootstrap_factors,
    brr_factors,
    calibrate_weights,
    jkn_factors,
    nonresponse_adjustment,
    poststratify_weights,
    rake_weights,
    trim_weights,
)

SEX = np.array(["m", "f", "m", "f", "m", "f"])
AGE = np.array([1, 1, 2, 2, 3, 3])
DATA = {"sex": SEX, "age": AGE, "income": np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])}
ONES = np.ones(6)
SEX_MARGIN = {"m": 50.0, "f": 50.0}
AGE_MARGIN = {1: 30.0, 2: 30.0, 3: 40.0}


def test_margins_whose_totals_disagree() -> None:
    with pytest.raises(ValueError, match=r"margins: margins disagree .* 'sex' sums to 100"):
        rake_weights(ONES, DATA, {"sex": SEX_MARGIN, "age": {1: 30.0, 2: 30.0, 3: 41.0}})


def test_level_without_respondents() -> None:
    with pytest.raises(ValueError, match="level 4 of 'age' has a population total but no resp"):
        rake_weights(ONES, DATA, {"age": {**AGE_MARGIN, 4: 10.0}})


def test_level_in_data_missing_from_margin() -> None:
    with pytest.raises(ValueError, match="level 3 of 'age' occurs in the data but not in the"):
        rake_weights(ONES, DATA, {"age": {1: 50.0, 2: 50.0}})
    with pytest.raises(ValueError, match="level 'm' of 'sex' occurs in the data but not"):
        calibrate_weights(ONES, DATA, {"sex": {"f": 50.0}})


@pytest.mark.parametrize("target", [0.0, -5.0, float("nan")])
def test_zero_negative_or_missing_targets(target: float) -> None:
    with pytest.raises(ValueError, match=r"target .* for level 'f' of 'sex' must be a positive"):
        calibrate_weights(ONES, DATA, {"sex": {"m": 50.0, "f": target}})


def test_unknown_column_and_empty_margins() -> None:
    with pytest.raises(ValueError, match="totals: unknown column 'district'"):
        calibrate_weights(ONES, DATA, {"district": {"a": 1.0}})
    with pytest.raises(ValueError, match="totals: give at least one margin"):
        calibrate_weights(ONES, DATA, {})
    with pytest.raises(ValueError, match="margin 'sex' must map levels"):
        rake_weights(ONES, DATA, {"sex": 100.0})  # type: ignore[dict-item]


def test_missing_values_in_a_margin_column() -> None:
    data = {"x": np.array([1.0, np.nan, 2.0])}
    with pytest.raises(ValueError, match="column 'x' has missing values"):
        calibrate_weights(np.ones(3), data, {"x": {1.0: 2.0, 2.0: 1.0}})


def test_nonconvergence_is_an_error_unless_accepted() -> None:
    """One sweep of proportional fitting and one Newton step do not rake unequal weights."""
    d = np.arange(1.0, 7.0)
    margins = {"sex": {"m": 20.0, "f": 80.0}, "age": AGE_MARGIN}
    with pytest.raises(ValueError, match="max_iter: calibration did not converge in 2 iter"):
        rake_weights(d, DATA, margins, max_iter=1)
    result = rake_weights(d, DATA, margins, max_iter=1, accept_nonconvergence=True)
    assert not result.convergence.converged
    assert result.convergence.iterations == 2
    assert result.convergence.max_relative_error > 1e-7
    with pytest.raises(ValueError, match="max_iter: calibration did not converge in 1 iter"):
        calibrate_weights(d, DATA, margins, method="raking", bounds=(0.1, 10.0), max_iter=1)


def test_bounds_that_cannot_be_met() -> None:
    # Level 'm' holds half the sample weight (3) but needs 90 of 100: g = 1.8 on average.
    with pytest.raises(ValueError, match=r"bounds: level 'm' of 'sex' needs g = 1\.8"):
        calibrate_weights(
            np.full(6, 100 / 6), DATA, {"sex": {"m": 90.0, "f": 10.0}}, bounds=(0.5, 1.5)
        )


def test_bounds_met_per_level_but_not_jointly(api: dict[str, dict[str, np.ndarray]]) -> None:
    """R: calibrate(dclus1, ~stype+api99, pop.totals99, bounds=c(0.8, 1.6)) fails to converge
    ("Failed to converge ... Calibration failed"), though each level alone fits the bounds."""
    clus1 = api["apiclus1"]
    totals = {"stype": {"E": 4421.0, "H": 755.0, "M": 1018.0}, "api99": 3914069.0}
    with pytest.raises(ValueError, match=r"did not converge.*bounds \(0\.8, 1\.6\) may not be"):
        calibrate_weights(clus1["pw"], clus1, totals, bounds=(0.8, 1.6))


def test_invalid_options() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        calibrate_weights(ONES, DATA, {"sex": SEX_MARGIN}, method="probit")
    with pytest.raises(ValueError, match="bounds: need lower < 1 < upper"):
        calibrate_weights(ONES, DATA, {"sex": SEX_MARGIN}, bounds=(1.2, 3.0))
    with pytest.raises(ValueError, match="logit calibration needs finite bounds"):
        calibrate_weights(ONES, DATA, {"sex": SEX_MARGIN}, method="logit")
    with pytest.raises(ValueError, match="weights: must be positive"):
        calibrate_weights(-ONES, DATA, {"sex": SEX_MARGIN})
    with pytest.raises(ValueError, match="population_size must be positive"):
        calibrate_weights(ONES, DATA, {"income": 21.0}, population_size=0.0)
    with pytest.raises(ValueError, match=r"margins disagree .* 'population_size' sums to 90"):
        calibrate_weights(ONES, DATA, {"sex": SEX_MARGIN}, population_size=90.0)


def test_poststratify_errors() -> None:
    with pytest.raises(ValueError, match="variables: unknown column 'district'"):
        poststratify_weights(ONES, DATA, "district", {"a": 1.0})
    with pytest.raises(ValueError, match=r"population: key \('m',\) must be a tuple of 2"):
        poststratify_weights(ONES, DATA, ["sex", "age"], {("m",): 1.0})
    with pytest.raises(ValueError, match="population: level 'f' of 'sex' has a population"):
        poststratify_weights(ONES[:1], {"sex": SEX[:1]}, "sex", SEX_MARGIN)


def test_nonresponse_class_without_respondents() -> None:
    responded = np.array([True, True, True, True, False, False])
    with pytest.raises(ValueError, match="classes: weighting class 3 has 2 sampled units and no"):
        nonresponse_adjustment(ONES, AGE, responded)
    with pytest.raises(ValueError, match="responded: need booleans"):
        nonresponse_adjustment(ONES, AGE, responded.astype(int))


def test_trimming_errors() -> None:
    with pytest.raises(ValueError, match="need lower < upper"):
        trim_weights(ONES, 2.0, 1.0)
    with pytest.raises(ValueError, match=r"bounds cannot be met .* mean weight 3\.5 is outside"):
        trim_weights(np.arange(1.0, 7.0), 1.0, 3.0, strict=True)
    with pytest.raises(ValueError, match="every weight is outside"):
        trim_weights(np.array([5.0, 6.0]), 1.0, 2.0)


def test_replicate_errors() -> None:
    with pytest.raises(ValueError, match="lonely_psu: stratum 'b' has only one PSU"):
        jkn_factors(["a", "a", "b"], [1, 2, 3])
    with pytest.raises(ValueError, match=r"BRR needs two PSUs per stratum .* 'b' has 3"):
        brr_factors(["a", "a", "b", "b", "b"], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match=r"rng: give a numpy\.random\.Generator"):
        bootstrap_factors(None, [1, 2, 3], rng=np.random.RandomState(1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fay_rho must be in"):
        brr_factors(["a", "a"], [1, 2], fay_rho=1.0)
