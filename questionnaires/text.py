"""Translated text: a mapping from language code (``zh``, ``en``) to the words in that language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeAlias

import msgspec

Text: TypeAlias = dict[str, str]
"""Language code -> text, e.g. ``{"zh": "您的年龄", "en": "Your age"}``; JSON is the same object."""


class Language(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A language of a questionnaire: ``code`` keys every :data:`Text`, ``name`` is what XLSForm
    column headers show, e.g. ``Language("zh", "中文")`` for ``label::中文 (zh)``."""

    code: str
    name: str

    @property
    def column_suffix(self) -> str:
        """The XLSForm header suffix, ``中文 (zh)``; just the name when it is the code."""
        return self.name if self.name == self.code else f"{self.name} ({self.code})"


def localize(text: Mapping[str, str], language: str, fallbacks: Iterable[str] = ()) -> str:
    """The text in ``language``; else in the first of ``fallbacks`` that has it; else any text.

    Empty strings count as missing, so a half-translated form still shows something. Returns
    ``""`` when ``text`` is empty.
    """
    for code in (language, *fallbacks):
        if text.get(code):
            return text[code]
    return next((value for value in text.values() if value), "")
