"""Every string a user sees is in both catalogs, and translated into Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from survey_app.i18n import LOCALE_DIR, SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("survey_app/**.py", "python"), ("survey_app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_messages() -> set[str]:
    found = extract_from_dir(str(ROOT), METHOD_MAP, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_holds_every_source_string(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    in_catalog = {message.id for message in catalog if message.id and not message.fuzzy}
    assert _source_messages() - in_catalog == set(), "run `make messages` and translate"


def test_chinese_catalog_translates_every_source_string() -> None:
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_CN")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(_source_messages() - translated) == []
