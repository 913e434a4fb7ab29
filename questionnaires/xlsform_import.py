"""Read an XLSForm workbook (``survey``, ``choices``, ``settings`` sheets) into a Questionnaire.

Every problem is collected and raised together as one :class:`XLSFormError` whose problems name
the sheet, the row (1-based, as the spreadsheet shows it) and the column (letter and header).
Headers may carry a language, ``label::中文 (zh)``; plain ``label`` columns are in the settings'
``default_language``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any, cast

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from questionnaires.checks import check_questionnaire
from questionnaires.errors import SheetProblem, XLSFormError
from questionnaires.model import (
    QUESTION_TYPES,
    SELECT_TYPES,
    Choice,
    ChoiceList,
    Group,
    Item,
    LegalMarkings,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
)
from questionnaires.text import Language, Text
from questionnaires.xlsform_columns import (
    LEGAL_FIELDS,
    SETTINGS_TEXT_FIELDS,
    SURVEY_TEXT_FIELDS,
    parse_header,
    parse_language,
)
from questionnaires.xlsform_problems import ProblemLocator

_TYPE_ALIASES = {"int": "integer", "string": "text"}
_SUPPORTED = (
    "Minyi reads "
    + ", ".join(t for t in QUESTION_TYPES if t not in SELECT_TYPES)
    + ", select_one <list>, select_multiple <list>, begin/end group and begin/end repeat"
)
_REQUIRED = {
    "yes": "true()",
    "true": "true()",
    "true()": "true()",
    "no": "",
    "false": "",
    "false()": "",
}
_IGNORED_CHOICE_COLUMNS = frozenset({"list_name", "name", "label", "image", "audio", "video"})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Sheet:
    """A sheet's header row and its non-blank rows as ``(row number, {column: text})``."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        header = rows[0] if rows else ()
        titles = {i: _cell_text(value).strip() for i, value in enumerate(header)}
        self.titles = {i: title for i, title in titles.items() if title}
        self.headers = {i: parse_header(title) for i, title in self.titles.items()}
        self.rows: list[tuple[int, dict[int, str]]] = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {i: _cell_text(v) for i, v in enumerate(row) if i in self.headers}
            if any(text.strip() for text in cells.values()):
                self.rows.append((number, cells))

    def column(self, field: str) -> str | None:
        """``"C (relevant)"`` for the first column filling ``field``."""
        for index, header in self.headers.items():
            if header.field == field:
                return f"{get_column_letter(index + 1)} ({self.titles[index]})"
        return None

    def value(self, cells: dict[int, str], field: str) -> str:
        return next(
            (
                cells.get(i, "")
                for i, h in self.headers.items()
                if h.field == field and h.language is None
            ),
            "",
        )

    def languages(self) -> Iterable[Language]:
        return (h.language for h in self.headers.values() if h.language is not None)

    def has_plain_text(self, fields: tuple[str, ...]) -> bool:
        return any(h.field in fields and h.language is None for h in self.headers.values())


class _Importer:
    def __init__(self, sheets: dict[str, _Sheet]) -> None:
        self.sheets = sheets
        self.problems: list[SheetProblem] = []
        self.locator = ProblemLocator(sheets)
        self.settings_cells: dict[int, str] = {}
        settings = sheets.get("settings")
        if settings and settings.rows:
            self.settings_cells = settings.rows[0][1]
        self.languages, self.default_language = self.find_languages()

    def problem(self, sheet: str, row: int | None, field: str | None, message: str) -> None:
        column = self.sheets[sheet].column(field) if field and sheet in self.sheets else None
        self.problems.append(SheetProblem(sheet, row, column, message))

    def setting(self, field: str) -> str:
        settings = self.sheets.get("settings")
        return settings.value(self.settings_cells, field).strip() if settings else ""

    def find_languages(self) -> tuple[tuple[Language, ...], str]:
        found: dict[str, Language] = {}
        for sheet in self.sheets.values():
            for language in sheet.languages():
                found.setdefault(language.code, language)
        declared = self.setting("default_language")
        plain = any(
            sheet.has_plain_text((*SURVEY_TEXT_FIELDS, *SETTINGS_TEXT_FIELDS))
            for sheet in self.sheets.values()
        )
        if declared:
            default = parse_language(declared)
            found.setdefault(default.code, default)
            return tuple(found.values()), default.code
        if plain or not found:
            found.setdefault("default", Language("default", "default"))
            return tuple(found.values()), "default"
        return tuple(found.values()), next(iter(found))

    def text(self, sheet: _Sheet, cells: dict[int, str], field: str) -> Text:
        text: Text = {}
        for index, header in sheet.headers.items():
            value = cells.get(index, "")
            if header.field != field or not value:
                continue
            code = header.language.code if header.language else self.default_language
            if header.language is not None or code not in text:
                text[code] = value
        return text

    def survey(self) -> tuple[Item, ...]:
        sheet = self.sheets["survey"]
        missing = [field for field in ("type", "name") if sheet.column(field) is None]
        for field in missing:
            self.problem("survey", 1, None, f"the survey sheet has no {field!r} column")
        if missing:
            return ()
        stack: list[tuple[str, int, dict[int, str], list[Item]]] = [("", 1, {}, [])]
        for number, cells in sheet.rows:
            kind = " ".join(sheet.value(cells, "type").split())
            lowered = kind.lower().replace("_", " ")
            if lowered in ("begin group", "begin repeat"):
                stack.append((lowered.split()[1], number, cells, []))
            elif lowered in ("end group", "end repeat"):
                self.close(stack, lowered.split()[1], number)
            else:
                stack[-1][3].append(self.question(sheet, number, cells, kind))
        while len(stack) > 1:
            opened, number, cells, _ = stack.pop()
            name = sheet.value(cells, "name")
            self.problem("survey", number, "type", f"{opened} {name!r} is never closed")
        return tuple(stack[0][3])

    def close(
        self, stack: list[tuple[str, int, dict[int, str], list[Item]]], kind: str, number: int
    ) -> None:
        if len(stack) == 1:
            self.problem("survey", number, "type", f"'end {kind}' without a 'begin {kind}'")
            return
        opened, begun, cells, children = stack[-1]
        if opened != kind:
            self.problem(
                "survey", number, "type", f"'end {kind}' closes the {opened} begun at row {begun}"
            )
            return
        stack.pop()
        sheet = self.sheets["survey"]
        common: dict[str, Any] = {
            "name": self.name(sheet, begun, cells),
            "label": self.text(sheet, cells, "label"),
            "relevant": sheet.value(cells, "relevant").strip(),
            "appearance": sheet.value(cells, "appearance").strip(),
            "children": tuple(children),
        }
        if kind == "repeat":
            item: Item = Repeat(repeat_count=sheet.value(cells, "repeat_count").strip(), **common)
        else:
            item = Group(**common)
        stack[-1][3].append(item)

    def name(self, sheet: _Sheet, number: int, cells: dict[int, str]) -> str:
        """The row's name; a nameless row is reported and given a placeholder name."""
        name = sheet.value(cells, "name").strip()
        if not name:
            self.problem("survey", number, "name", "the name is empty")
            name = f"_row{number}"
        self.locator.item_row(name, number)
        return name

    def question(self, sheet: _Sheet, number: int, cells: dict[int, str], kind: str) -> Item:
        name = self.name(sheet, number, cells)
        base, _, list_name = kind.partition(" ")
        base = _TYPE_ALIASES.get(base.lower(), base.lower())
        if kind.lower().startswith(("select one ", "select multiple ")):
            base = "select_" + kind.split()[1].lower()
            list_name = " ".join(kind.split()[2:])
        if not kind:
            self.problem("survey", number, "type", "the type is empty")
        elif base not in QUESTION_TYPES or (list_name and base not in SELECT_TYPES):
            self.problem("survey", number, "type", f"unknown question type {kind!r}; {_SUPPORTED}")
        if base not in QUESTION_TYPES or not kind:
            base, list_name = "text", ""
        required = sheet.value(cells, "required").strip()
        return Question(
            type=cast(QuestionType, base),
            name=name,
            list_name=list_name.strip(),
            label=self.text(sheet, cells, "label"),
            hint=self.text(sheet, cells, "hint"),
            required=_REQUIRED.get(required.lower(), required),
            required_message=self.text(sheet, cells, "required_message"),
            relevant=sheet.value(cells, "relevant").strip(),
            constraint=sheet.value(cells, "constraint").strip(),
            constraint_message=self.text(sheet, cells, "constraint_message"),
            calculation=sheet.value(cells, "calculation").strip(),
            choice_filter=sheet.value(cells, "choice_filter").strip(),
            appearance=sheet.value(cells, "appearance").strip(),
            default=sheet.value(cells, "default"),
        )

    def choice_lists(self) -> tuple[ChoiceList, ...]:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return ()
        for field in ("list_name", "name"):
            if sheet.column(field) is None:
                self.problem("choices", 1, None, f"the choices sheet has no {field!r} column")
        lists: dict[str, list[Choice]] = {}
        for number, cells in sheet.rows:
            list_name = sheet.value(cells, "list_name").strip()
            name = sheet.value(cells, "name").strip()
            self.locator.choice_row(list_name, name, number)
            if not list_name:
                self.problem("choices", number, "list_name", "the list_name is empty")
                continue
            filters = {
                sheet.titles[i]: value.strip()
                for i, value in cells.items()
                if sheet.headers[i].language is None
                and value.strip()
                and sheet.headers[i].field not in _IGNORED_CHOICE_COLUMNS
            }
            label = self.text(sheet, cells, "label")
            lists.setdefault(list_name, []).append(Choice(name=name, label=label, filters=filters))
        return tuple(ChoiceList(name, tuple(choices)) for name, choices in lists.items())

    def legal(self) -> LegalMarkings | None:
        values = {field: self.setting(field) for field in LEGAL_FIELDS}
        if not any(values.values()):
            return None
        missing = [field for field, value in values.items() if not value]
        if missing:
            self.problem(
                "settings", 2, missing[0], "legal markings need all of " + ", ".join(LEGAL_FIELDS)
            )
            return None
        try:
            valid_until = date.fromisoformat(values["valid_until"])
        except ValueError:
            self.problem("settings", 2, "valid_until", "valid_until must be a date (YYYY-MM-DD)")
            return None
        return LegalMarkings(
            values["form_number"],
            values["issuing_authority"],
            values["approval_number"],
            valid_until,
        )

    def questionnaire(self, fallback_id: str) -> Questionnaire:
        settings = self.sheets.get("settings")
        items = self.survey()
        choice_lists = self.choice_lists()
        uses_lists = any(
            isinstance(i, Question) and i.type in SELECT_TYPES for i in _flatten(items)
        )
        if uses_lists and "choices" not in self.sheets:
            self.problem(
                "choices",
                None,
                None,
                "the workbook has no 'choices' sheet but uses select questions",
            )
        form_id = self.setting("form_id") or fallback_id
        title = self.text(settings, self.settings_cells, "form_title") if settings else {}
        form = Questionnaire(
            id=form_id,
            version=self.setting("version") or "1",
            title=title or {self.default_language: form_id},
            languages=self.languages,
            default_language=self.default_language,
            items=items,
            choice_lists=choice_lists,
            legal=self.legal(),
            privacy_notice=(
                self.text(settings, self.settings_cells, "privacy_notice") if settings else {}
            ),
        )
        self.problems.extend(self.locator.locate(check_questionnaire(form)))
        return form


def _flatten(items: tuple[Item, ...]) -> Iterable[Item]:
    for item in items:
        yield item
        if not isinstance(item, Question):
            yield from _flatten(item.children)


def read_xlsform(source: str | os.PathLike[str] | bytes | IO[bytes]) -> Questionnaire:
    """Import an XLSForm (a path, the file's bytes or a binary file object).

    Raises :class:`XLSFormError` listing every problem (sheet, row, column, message) when the
    workbook cannot be read, a sheet is missing, or the form is not consistent.
    """
    name = "form"
    if isinstance(source, str | os.PathLike):
        name = os.path.splitext(os.path.basename(os.fspath(source)))[0]
    try:
        workbook = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True,
            data_only=True,
        )
    except Exception as error:  # openpyxl raises many unrelated types for a bad file
        raise XLSFormError(
            [SheetProblem("", None, None, f"not an .xlsx workbook: {error}")]
        ) from error
    sheets = {
        ws.title.strip().lower(): _Sheet(list(ws.iter_rows(values_only=True)))
        for ws in workbook.worksheets
    }
    workbook.close()
    if "survey" not in sheets:
        raise XLSFormError(
            [SheetProblem("survey", None, None, "the workbook has no 'survey' sheet")]
        )
    importer = _Importer(sheets)
    form = importer.questionnaire(name)
    if importer.problems:
        raise XLSFormError(importer.problems)
    return form
