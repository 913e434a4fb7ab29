"""Validation at the public boundary: every error names the argument at fault."""

import math
from collections.abc import Mapping


def probability(name: str, value: float) -> float:
    """Return ``value`` as a float strictly inside (0, 1), else raise naming ``name``."""
    number = float(value)
    if not 0.0 < number < 1.0:
        msg = f"{name} must lie strictly between 0 and 1, got {value!r}"
        raise ValueError(msg)
    return number


def fraction(name: str, value: float) -> float:
    """Return ``value`` as a float in (0, 1], else raise naming ``name``."""
    number = float(value)
    if not 0.0 < number <= 1.0:
        msg = f"{name} must lie in (0, 1], got {value!r}"
        raise ValueError(msg)
    return number


def positive(name: str, value: float) -> float:
    """Return ``value`` as a finite float > 0, else raise naming ``name``."""
    number = float(value)
    if not (math.isfinite(number) and number > 0.0):
        msg = f"{name} must be a finite number > 0, got {value!r}"
        raise ValueError(msg)
    return number


def at_least_one(name: str, value: float) -> float:
    """Return ``value`` as a finite float >= 1, else raise naming ``name``."""
    number = float(value)
    if not (math.isfinite(number) and number >= 1.0):
        msg = f"{name} must be a finite number >= 1, got {value!r}"
        raise ValueError(msg)
    return number


def count(name: str, value: int, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= ``minimum`` (bools and fractions refused)."""
    if isinstance(value, bool) or int(value) != value:
        msg = f"{name} must be an integer, got {value!r}"
        raise ValueError(msg)
    number = int(value)
    if number < minimum:
        msg = f"{name} must be >= {minimum}, got {value!r}"
        raise ValueError(msg)
    return number


def per_stratum(
    name: str,
    values: float | Mapping[str, float],
    strata: tuple[str, ...],
) -> dict[str, float]:
    """Spread one number over ``strata`` or check a mapping has exactly those keys."""
    if not isinstance(values, Mapping):
        return dict.fromkeys(strata, float(values))
    missing = [key for key in strata if key not in values]
    extra = [key for key in values if key not in strata]
    if missing or extra:
        msg = f"{name} must have one value per stratum; missing {missing}, unknown {extra}"
        raise ValueError(msg)
    return {key: float(values[key]) for key in strata}
