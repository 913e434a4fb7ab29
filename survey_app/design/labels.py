"""Readable labels for census cells: `age_14_29` → 14–29 岁, `male` → 男."""

from __future__ import annotations

import re
from collections.abc import Callable

from survey_app.i18n import N_

_RANGE = re.compile(r"^age_(\d+)_(\d+)$")
_OPEN = re.compile(r"^age_(\d+)_plus$")
_SEXES = {"male": N_("male"), "female": N_("female")}


def age_label(code: str, gettext: Callable[[str], str]) -> str:
    if match := _RANGE.match(code):
        return gettext(N_("{low}–{high} years")).format(low=match[1], high=match[2])
    if match := _OPEN.match(code):
        return gettext(N_("{low} years and over")).format(low=match[1])
    return code


def sex_label(code: str, gettext: Callable[[str], str]) -> str:
    return gettext(_SEXES[code]) if code in _SEXES else code
