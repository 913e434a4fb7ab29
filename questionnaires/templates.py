"""The questionnaire templates shipped with Minyi (``questionnaires/templates/*.json``).

Each template is a complete questionnaire version with consent, legal markings (placeholders to
replace with the survey's own approval), screening, demographics for weighting, the indicator
questions in Chinese and English, and its indicators with default thresholds.
"""

from __future__ import annotations

from importlib import resources

import msgspec

from questionnaires.checks import validate_questionnaire
from questionnaires.errors import TemplateError
from questionnaires.indicators import Indicator, validate_indicator
from questionnaires.model import Questionnaire
from questionnaires.text import Text


class Template(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A shipped starting point: a questionnaire and the indicators defined on it."""

    name: str
    title: Text
    description: Text
    questionnaire: Questionnaire
    indicators: tuple[Indicator, ...]


def _folder() -> resources.abc.Traversable:
    return resources.files("questionnaires").joinpath("templates")


def list_templates() -> list[str]:
    """Names of the shipped templates, sorted."""
    return sorted(
        entry.name.removesuffix(".json")
        for entry in _folder().iterdir()
        if entry.name.endswith(".json")
    )


def load_template(name: str) -> Template:
    """The template ``name``, checked; raise :class:`TemplateError` for an unknown name."""
    if name not in list_templates():
        raise TemplateError(f"no template named {name!r}; shipped: {', '.join(list_templates())}")
    data = _folder().joinpath(f"{name}.json").read_bytes()
    template = msgspec.json.decode(data, type=Template)
    validate_questionnaire(template.questionnaire)
    for indicator in template.indicators:
        validate_indicator(indicator, template.questionnaire)
    return template
