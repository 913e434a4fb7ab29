"""Locales (zh_CN first, English second): gettext catalogs and locale-aware formatting.

The catalogs are the `.po` files under `survey_app/locale/`; they are compiled in memory the
first time a locale is used, so a catalog on disk can never be stale.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANGUAGE_COOKIE = "minyi_lang"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark `message` for the catalogs; it is translated where it is shown."""
    return message


def negotiate(requested: str | None) -> str:
    """Map a requested code (`en`, `zh`, `zh-CN`, `zh_CN`) to a supported locale."""
    if requested:
        code = requested.replace("-", "_")
        for supported in SUPPORTED_LOCALES:
            if code.lower() in (supported.lower(), supported.split("_")[0].lower()):
                return supported
    return DEFAULT_LOCALE


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def translations(locale: str) -> Translations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def translations_for_language(language: str) -> Translations:
    """The catalog for a questionnaire language code (`zh`, `en`)."""
    return translations(negotiate(language))


class Formatter:
    """Numbers, percentages and dates in the conventions of one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = Locale.parse(locale)

    def number(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, digits: int = 1) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return format_percent(value, format=pattern, locale=self.locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: dt.datetime) -> str:
        return format_datetime(value, format="medium", locale=self.locale)
