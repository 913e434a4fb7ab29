"""AAPOR outcome rates from final disposition counts, weighted or not.

Formulas of the American Association for Public Opinion Research, *Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys* (9th ed. 2016; 10th ed. 2023), with
I complete interviews, P partials, R refusals and break-offs,
NC non-contacts, O other eligible non-interviews, UH unknown if household/occupied,
UO unknown other, and e the estimated share of eligible cases among those of unknown
eligibility:

    RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))       RR2 = (I+P) / ((I+P) + (R+NC+O) + (UH+UO))
    RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))      RR4 = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))
    RR5 = I / ((I+P) + (R+NC+O))                 RR6 = (I+P) / ((I+P) + (R+NC+O))
    COOP1 = I / ((I+P) + R + O)                  COOP2 = (I+P) / ((I+P) + R + O)
    COOP3 = I / ((I+P) + R)                      COOP4 = (I+P) / ((I+P) + R)
    REF1 = R / ((I+P) + (R+NC+O) + (UH+UO))      REF2 = R / ((I+P) + (R+NC+O) + e(UH+UO))
    REF3 = R / ((I+P) + (R+NC+O))
    CON1 = ((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO))
    CON2 = ((I+P) + R + O) / ((I+P) + (R+NC+O) + e(UH+UO))
    CON3 = ((I+P) + R + O) / ((I+P) + (R+NC+O))

Not-eligible cases (NE) enter no formula; they only inform e when e is not given.
Weighted rates use sums of base weights in place of counts, with the same formulas (AAPOR 2016
recommends them when selection probabilities differ).
A rate whose denominator is zero is NaN (undefined, e.g. COOP before any contact).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DispositionCounts:
    """Counts (or sums of weights) of cases in each AAPOR disposition group."""

    I: float  # noqa: E741 — AAPOR's symbol for complete interviews
    P: float
    R: float
    NC: float
    O: float  # noqa: E741 — AAPOR's symbol for other eligible non-interviews
    UH: float
    UO: float
    NE: float


@dataclass(frozen=True, slots=True)
class ResponseRates:
    """AAPOR response, cooperation, refusal and contact rates, with the inputs used."""

    counts: DispositionCounts
    e: float
    RR1: float
    RR2: float
    RR3: float
    RR4: float
    RR5: float
    RR6: float
    COOP1: float
    COOP2: float
    COOP3: float
    COOP4: float
    REF1: float
    REF2: float
    REF3: float
    CON1: float
    CON2: float
    CON3: float


def response_rates(
    *,
    I: float = 0.0,  # noqa: E741 — AAPOR's symbol
    P: float = 0.0,
    R: float = 0.0,
    NC: float = 0.0,
    O: float = 0.0,  # noqa: E741 — AAPOR's symbol
    UH: float = 0.0,
    UO: float = 0.0,
    NE: float = 0.0,
    e: float | None = None,
) -> ResponseRates:
    """AAPOR (2016/2023) RR1–RR6, COOP1–COOP4, REF1–REF3 and CON1–CON3 (formulas above).

    Counts may be weighted (floats). ``e`` in [0, 1] is the share of unknown-eligibility cases
    taken to be eligible; when None it is estimated as the eligible share among cases of known
    eligibility, e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) (the proportional-allocation, or CASRO,
    estimate that AAPOR 2016 describes). Check: I=5, P=3, R=2, NC=1, O=2, UH=1, UO=1, NE=1,
    e=0.5 gives RR1 = 1/3, RR2 = 8/15, RR3 = 5/14, RR4 = 4/7, RR5 = 5/13, RR6 = 8/13.
    """
    counts = DispositionCounts(
        I=_count("I", I),
        P=_count("P", P),
        R=_count("R", R),
        NC=_count("NC", NC),
        O=_count("O", O),
        UH=_count("UH", UH),
        UO=_count("UO", UO),
        NE=_count("NE", NE),
    )
    return _rates(counts, e)


def disposition_counts(
    codes: Iterable[str | float],
    weights: Iterable[float] | None = None,
) -> DispositionCounts:
    """Count (or sum ``weights`` of) final AAPOR disposition codes by group.

    Codes follow the AAPOR tables (2016, Tables 1–4), as text ("2.11", "2.20") or numbers
    (2.11, 2.2): 1.1 → I, 1.2 → P; 2.1x → R, 2.2x → NC, 2.3x and 2.9x → O; 3.1x → UH (unknown
    if household / address), other 3.x → UO; 4.x → NE. A code outside these groups, or a bare
    category such as 1.0 or 3.0, raises ``ValueError`` naming ``codes``.
    """
    labels = list(codes)
    amounts = [1.0] * len(labels) if weights is None else [float(w) for w in weights]
    if len(amounts) != len(labels):
        msg = f"weights must have one value per code: {len(amounts)} weights, {len(labels)} codes"
        raise ValueError(msg)
    totals = dict.fromkeys(("I", "P", "R", "NC", "O", "UH", "UO", "NE"), 0.0)
    for position, (code, amount) in enumerate(zip(labels, amounts, strict=True)):
        if not (math.isfinite(amount) and amount >= 0.0):
            msg = f"weights[{position}] must be a finite number >= 0, got {amount!r}"
            raise ValueError(msg)
        totals[_group(code, position)] += amount
    return DispositionCounts(**totals)


def response_rates_from_codes(
    codes: Iterable[str | float],
    weights: Iterable[float] | None = None,
    e: float | None = None,
) -> ResponseRates:
    """:func:`response_rates` of the counts :func:`disposition_counts` makes from ``codes``."""
    return _rates(disposition_counts(codes, weights), e)


_GROUPS = {
    ("1", "1"): "I",
    ("1", "2"): "P",
    ("2", "1"): "R",
    ("2", "2"): "NC",
    ("2", "3"): "O",
    ("2", "9"): "O",
    ("3", "1"): "UH",
}


def _group(code: str | float, position: int) -> str:
    text = str(code).strip()
    major, _, minor = text.partition(".")
    digit = minor[:1]
    if major == "4" and (digit == "" or digit.isdigit()):
        return "NE"
    if major == "3" and digit.isdigit() and digit not in {"0", "1"}:
        return "UO"
    group = _GROUPS.get((major, digit))
    if group is None or not minor.isdigit():
        msg = f"codes[{position}] = {code!r} is not an AAPOR final disposition code"
        raise ValueError(msg)
    return group


def _count(name: str, value: float) -> float:
    number = float(value)
    if not (math.isfinite(number) and number >= 0.0):
        msg = f"{name} must be a finite count >= 0, got {value!r}"
        raise ValueError(msg)
    return number


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0.0 else math.nan


def _rates(c: DispositionCounts, e: float | None) -> ResponseRates:
    eligible = c.I + c.P + c.R + c.NC + c.O
    if e is None:
        if eligible + c.NE == 0.0:
            msg = "e cannot be estimated without cases of known eligibility; give e"
            raise ValueError(msg)
        share = eligible / (eligible + c.NE)
    else:
        share = float(e)
        if not 0.0 <= share <= 1.0:
            msg = f"e must lie in [0, 1], got {e!r}"
            raise ValueError(msg)
    interviews = c.I + c.P
    unknown = c.UH + c.UO
    all_cases = eligible + unknown
    estimated = eligible + share * unknown
    contacted = interviews + c.R + c.O
    return ResponseRates(
        counts=c,
        e=share,
        RR1=_ratio(c.I, all_cases),
        RR2=_ratio(interviews, all_cases),
        RR3=_ratio(c.I, estimated),
        RR4=_ratio(interviews, estimated),
        RR5=_ratio(c.I, eligible),
        RR6=_ratio(interviews, eligible),
        COOP1=_ratio(c.I, contacted),
        COOP2=_ratio(interviews, contacted),
        COOP3=_ratio(c.I, interviews + c.R),
        COOP4=_ratio(interviews, interviews + c.R),
        REF1=_ratio(c.R, all_cases),
        REF2=_ratio(c.R, estimated),
        REF3=_ratio(c.R, eligible),
        CON1=_ratio(contacted, all_cases),
        CON2=_ratio(contacted, estimated),
        CON3=_ratio(contacted, eligible),
    )
