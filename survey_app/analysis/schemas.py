"""Analysis forms as posted by the pages (strings, checked by `settings_from_form`)."""

from __future__ import annotations

import msgspec

from sampling import DEFAULT_PROPORTION_METHOD
from survey_app.analysis.estimation import DEFAULT_DOMAINS, EstimateSettings
from survey_app.analysis.weighting import WeightingSettings
from survey_app.errors import InvalidInputError


class RunForm(msgspec.Struct):
    """Weighting settings and the estimate settings to run right after."""

    survey: str = ""
    design_id: str = ""
    method: str = "raking"
    margins: str = "district;age_group*sex"
    bounds: str = ""
    trim: str = ""
    open_link: str = "separate"
    interval_method: str = DEFAULT_PROPORTION_METHOD
    confidence_level: str = "0.95"
    domains: list[str] | str = msgspec.field(default_factory=lambda: list(DEFAULT_DOMAINS))


class EstimateForm(msgspec.Struct):
    interval_method: str = DEFAULT_PROPORTION_METHOD
    confidence_level: str = "0.95"
    domains: list[str] | str = msgspec.field(default_factory=lambda: list(DEFAULT_DOMAINS))


def _number(text: str, field: str) -> float:
    try:
        return float(text.strip())
    except ValueError as error:
        raise InvalidInputError(
            f"{field}: {text!r} is not a number", details=[{"field": field, "message": "number"}]
        ) from error


def _pair(text: str, field: str) -> tuple[float, float] | None:
    parts = [p for p in text.replace("，", ",").split(",") if p.strip()]
    if not parts:
        return None
    if len(parts) != 2:
        raise InvalidInputError(f"{field}: give two numbers, low and high, e.g. 0.3, 3")
    return _number(parts[0], field), _number(parts[1], field)


def weighting_from_form(form: RunForm) -> WeightingSettings:
    """The weighting settings of a posted form; InvalidInputError names what is wrong."""
    method = form.method if form.method in ("raking", "linear", "logit", "poststratify") else ""
    if not method:
        raise InvalidInputError(f"method: unknown weighting method {form.method!r}")
    if form.open_link not in ("separate", "combined", "excluded"):
        raise InvalidInputError(f"open_link: unknown choice {form.open_link!r}")
    margins = tuple(
        tuple(v.strip() for v in m.split("*") if v.strip())
        for m in form.margins.split(";")
        if m.strip()
    )
    design = form.design_id.strip()
    if design and not design.isdigit():
        raise InvalidInputError(f"design_id: {design!r} is not a design number")
    return WeightingSettings(
        design_id=int(design) if design else None,
        margins=margins,
        method=method,  # type: ignore[arg-type]
        bounds=_pair(form.bounds, "bounds"),
        trim=_pair(form.trim, "trim"),
        open_link=form.open_link,  # type: ignore[arg-type]
    ).check()


def estimates_from_form(form: RunForm | EstimateForm) -> EstimateSettings:
    return EstimateSettings(
        method=form.interval_method,
        confidence_level=_number(form.confidence_level, "confidence_level"),
        domains=(form.domains,) if isinstance(form.domains, str) else tuple(form.domains),
    ).check()
