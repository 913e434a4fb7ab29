"""XLSForm column headers shared by import and export: fields, aliases and language suffixes."""

from __future__ import annotations

import re

from questionnaires.text import Language

SURVEY_TEXT_FIELDS = ("label", "hint", "required_message", "constraint_message")
SURVEY_PLAIN_FIELDS = (
    "required",
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "appearance",
    "default",
    "repeat_count",
)
SETTINGS_TEXT_FIELDS = ("form_title", "privacy_notice")
LEGAL_FIELDS = ("form_number", "issuing_authority", "approval_number", "valid_until")
"""Minyi's settings columns for 表号, 制定机关, 批准文号 and 有效期至."""
SETTINGS_FIELDS = (*SETTINGS_TEXT_FIELDS, "form_id", "version", "default_language", *LEGAL_FIELDS)

ALIASES = {
    "constraint message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "required message": "required_message",
    "jr:requiredmsg": "required_message",
    "calculate": "calculation",
    "jr:count": "repeat_count",
    "repeat count": "repeat_count",
    "choice filter": "choice_filter",
    "list name": "list_name",
    "form title": "form_title",
    "form id": "form_id",
    "default language": "default_language",
}

_LANGUAGE = re.compile(r"(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*")


class Header:
    """One parsed header cell: the field it fills and, for translated text, its language."""

    def __init__(self, field: str, language: Language | None) -> None:
        self.field = field
        self.language = language


def parse_language(text: str) -> Language:
    """``中文 (zh)`` -> ``Language("zh", "中文")``; ``English`` -> ``Language("English", ...)``."""
    text = text.strip()
    match = _LANGUAGE.fullmatch(text)
    if match and match.group("name"):
        return Language(match.group("code").strip(), match.group("name"))
    return Language(text, text)


def parse_header(cell: str) -> Header:
    """Split ``label::中文 (zh)`` into field ``label`` and its language; plain headers have none."""
    field, separator, language = cell.partition("::")
    field = field.strip().lower()
    field = ALIASES.get(field, field)
    return Header(field, parse_language(language) if separator else None)


def text_header(field: str, language: Language) -> str:
    """``label`` and ``Language("zh", "中文")`` -> ``label::中文 (zh)``."""
    return f"{field}::{language.column_suffix}"
