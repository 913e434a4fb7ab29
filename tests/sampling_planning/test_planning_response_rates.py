"""AAPOR Standard Definitions (2016; 2023) outcome rates."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import disposition_counts, response_rates, response_rates_from_codes

# The check in docs/statistics.md; every rate worked by hand from the AAPOR formulas with
# I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1 (NE=1 enters no formula), e=0.5.
EXPECTED = {
    "RR1": Fraction(5, 15),
    "RR2": Fraction(8, 15),
    "RR3": Fraction(5, 14),
    "RR4": Fraction(8, 14),
    "RR5": Fraction(5, 13),
    "RR6": Fraction(8, 13),
    "COOP1": Fraction(5, 12),
    "COOP2": Fraction(8, 12),
    "COOP3": Fraction(5, 10),
    "COOP4": Fraction(8, 10),
    "REF1": Fraction(2, 15),
    "REF2": Fraction(2, 14),
    "REF3": Fraction(2, 13),
    "CON1": Fraction(12, 15),
    "CON2": Fraction(12, 14),
    "CON3": Fraction(12, 13),
}


GROUPS = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


@pytest.mark.parametrize(("rate", "value"), EXPECTED.items())
def test_the_statistics_contract_check(rate: str, value: Fraction) -> None:
    r = response_rates(I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=1, e=0.5)
    # Integer counts and e = 1/2 keep every numerator and denominator exact in floating point,
    # so each rate is the correctly rounded value of its fraction.
    assert getattr(r, rate) == float(value)


def test_rr1_and_rr6_are_the_contract_s_end_points() -> None:
    r = response_rates(I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=1, e=0.5)
    assert Fraction(r.RR1).limit_denominator(100) == Fraction(1, 3)
    assert Fraction(r.RR6).limit_denominator(100) == Fraction(8, 13)
    assert r.e == 0.5


def test_not_eligible_cases_do_not_change_the_rates_for_a_given_e() -> None:
    few = response_rates(I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=1, e=0.5)
    many = response_rates(I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=500, e=0.5)
    assert dataclass_rates(few) == dataclass_rates(many)


def test_e_is_estimated_from_known_eligibility_when_not_given() -> None:
    r = response_rates(I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=1)
    assert r.e == pytest.approx(13 / 14, rel=1e-15)
    assert math.isclose(r.RR3, 5 / (13 + 2 * 13 / 14), rel_tol=1e-15)


def test_undefined_rates_are_nan() -> None:
    r = response_rates(NC=4, UH=2, e=0.5)
    assert r.RR1 == 0.0
    assert math.isnan(r.COOP1)


def test_codes_are_grouped_as_aapor_tables() -> None:
    codes: list[str | float] = [
        "1.1",
        "1.2",
        2.11,
        "2.112",
        2.12,
        "2.20",
        2.21,
        "2.30",
        2.33,
        "2.90",
        3.10,
        3.19,
    ]
    codes += ["3.21", 3.9, 4.10, "4.7"]
    counts = disposition_counts(codes)
    assert (counts.I, counts.P, counts.R, counts.NC, counts.O) == (1, 1, 3, 2, 3)
    assert (counts.UH, counts.UO, counts.NE) == (2, 2, 2)


def test_weighted_codes_equal_weighted_counts() -> None:
    codes = ["1.1", "1.1", "1.2", "2.11", "2.20", "3.10", "4.10"]
    weights = [1.5, 2.0, 1.0, 3.0, 0.5, 2.0, 1.0]
    r = response_rates_from_codes(codes, weights, e=0.5)
    direct = response_rates(I=3.5, P=1.0, R=3.0, NC=0.5, UH=2.0, NE=1.0, e=0.5)
    assert r == direct


@given(st.lists(st.sampled_from(["1.1", "1.2", "2.11", "2.20", "2.30", "3.10", "3.20"])))
def test_unweighted_codes_count_cases(codes: list[str]) -> None:
    counts = disposition_counts(codes)
    total = counts.I + counts.P + counts.R + counts.NC + counts.O + counts.UH + counts.UO
    assert total == len(codes)


@given(
    st.lists(st.floats(0, 1000), min_size=8, max_size=8).filter(lambda c: c[0] + c[1] > 0),
    st.floats(0, 1),
)
def test_rates_are_ordered_as_aapor_defines_them(counts: list[float], e: float) -> None:
    r = response_rates(**dict(zip(GROUPS, counts, strict=True)), e=e)
    ordered = [
        (0.0, r.RR1),
        (r.RR1, r.RR3),
        (r.RR3, r.RR5),
        (r.RR2, r.RR4),
        (r.RR4, r.RR6),
        (r.RR1, r.RR2),
        (r.COOP1, r.COOP3),
        (r.CON3, 1.0),
    ]
    for low, high in ordered:
        assert low <= high + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"I": -1}, "I"), ({"UH": math.nan}, "UH"), ({"I": 1, "e": 1.5}, "e")],
)
def test_errors_name_the_argument(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        response_rates(**kwargs)


def test_e_needs_known_eligibility_when_estimated() -> None:
    with pytest.raises(ValueError, match="e "):
        response_rates(UH=3)


@pytest.mark.parametrize("code", ["1.0", "3.0", "5.1", "2.4", "x", 2.0])
def test_unknown_codes_are_refused(code: str | float) -> None:
    with pytest.raises(ValueError, match=r"codes\[1\]"):
        disposition_counts(["1.1", code])


def test_weights_must_match_codes() -> None:
    with pytest.raises(ValueError, match="weights"):
        disposition_counts(["1.1", "1.2"], [1.0])
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        disposition_counts(["1.1"], [-1.0])


def dataclass_rates(r: object) -> dict[str, float]:
    return {name: getattr(r, name) for name in EXPECTED}
