"""Write a Questionnaire as an XLSForm workbook that :func:`read_xlsform` reads back equal.

Translated columns are written for every language (``label::中文 (zh)``); optional columns only
when some row uses them. ``required`` of ``true()`` is written ``yes``. The settings sheet also
carries Minyi's legal-marking and privacy-notice columns, which other XLSForm tools ignore.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from questionnaires.model import Choice, Item, Question, Questionnaire, Repeat
from questionnaires.text import Language
from questionnaires.xlsform_columns import (
    SURVEY_PLAIN_FIELDS,
    SURVEY_TEXT_FIELDS,
    text_header,
)


def _rows(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """One mapping per survey row: field -> value (translated fields hold a Text)."""
    rows: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Question):
            kind = f"{item.type} {item.list_name}" if item.list_name else item.type
            fields = {
                field: getattr(item, field)
                for field in (*SURVEY_TEXT_FIELDS, *SURVEY_PLAIN_FIELDS)
                if hasattr(item, field)
            }
            fields["required"] = "yes" if item.required == "true()" else item.required
            rows.append({"type": kind, "name": item.name, **fields})
            continue
        kind = "repeat" if isinstance(item, Repeat) else "group"
        begin: dict[str, Any] = {
            "type": f"begin {kind}",
            "name": item.name,
            "label": item.label,
            "relevant": item.relevant,
            "appearance": item.appearance,
        }
        if isinstance(item, Repeat):
            begin["repeat_count"] = item.repeat_count
        rows.extend([begin, *_rows(item.children), {"type": f"end {kind}"}])
    return rows


def _used(rows: list[dict[str, Any]], field: str) -> bool:
    return any(row.get(field) for row in rows)


def _write(
    sheet: Worksheet, headers: list[tuple[str, str, Language | None]], rows: list[dict[str, Any]]
) -> None:
    """``headers`` are (header text, field, language for translated fields)."""
    sheet.append([header for header, _, _ in headers])
    for row in rows:
        cells = []
        for _, field, language in headers:
            value = row.get(field, "")
            if language is not None:
                value = value.get(language.code, "") if isinstance(value, dict) else ""
            cells.append(value or None)
        sheet.append(cells)


def _text_headers(
    field: str, languages: tuple[Language, ...]
) -> list[tuple[str, str, Language | None]]:
    return [(text_header(field, language), field, language) for language in languages]


def _survey(form: Questionnaire, sheet: Worksheet) -> None:
    rows = _rows(form.items)
    headers: list[tuple[str, str, Language | None]] = [
        ("type", "type", None),
        ("name", "name", None),
    ]
    for field in (
        "label",
        "hint",
        "required",
        "required_message",
        "relevant",
        "constraint",
        "constraint_message",
        "calculation",
        "choice_filter",
        "appearance",
        "default",
        "repeat_count",
    ):
        if field == "label" or _used(rows, field):
            if field in SURVEY_TEXT_FIELDS:
                headers.extend(_text_headers(field, form.languages))
            else:
                headers.append((field, field, None))
    _write(sheet, headers, rows)


def _choices(form: Questionnaire, sheet: Worksheet) -> None:
    columns: dict[str, None] = {}
    rows: list[dict[str, Any]] = []
    for choice_list in form.choice_lists:
        for choice in choice_list.choices:
            columns.update(dict.fromkeys(choice.filters))
            rows.append(_choice_row(choice_list.name, choice))
    headers: list[tuple[str, str, Language | None]] = [
        ("list_name", "list_name", None),
        ("name", "name", None),
    ]
    headers.extend(_text_headers("label", form.languages))
    headers.extend((column, column, None) for column in columns)
    _write(sheet, headers, rows)


def _choice_row(list_name: str, choice: Choice) -> dict[str, Any]:
    return {**choice.filters, "list_name": list_name, "name": choice.name, "label": choice.label}


def _settings(form: Questionnaire, sheet: Worksheet) -> None:
    default = next(lang for lang in form.languages if lang.code == form.default_language)
    others = tuple(lang for lang in form.languages if lang.code != form.default_language)
    row: dict[str, Any] = {
        "form_title": form.title,
        "form_id": form.id,
        "version": form.version,
        "default_language": default.column_suffix,
        "privacy_notice": form.privacy_notice,
    }
    headers: list[tuple[str, str, Language | None]] = [("form_title", "form_title", default)]
    headers.extend(_text_headers("form_title", others))
    headers.extend(
        [
            ("form_id", "form_id", None),
            ("version", "version", None),
            ("default_language", "default_language", None),
        ]
    )
    if any(form.privacy_notice.values()):
        headers.extend(_text_headers("privacy_notice", form.languages))
    if form.legal is not None:
        row.update(
            form_number=form.legal.form_number,
            issuing_authority=form.legal.authority,
            approval_number=form.legal.approval_number,
            valid_until=form.legal.valid_until.isoformat(),
        )
        headers.extend(
            (field, field, None)
            for field in ("form_number", "issuing_authority", "approval_number", "valid_until")
        )
    _write(sheet, headers, [row])


def write_xlsform(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as the bytes of an ``.xlsx`` XLSForm workbook."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    _survey(questionnaire, survey)
    _choices(questionnaire, workbook.create_sheet("choices"))
    _settings(questionnaire, workbook.create_sheet("settings"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
