"""Place a definition problem (item, choice or setting + field) on its XLSForm sheet cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Protocol

from questionnaires.errors import DefinitionProblem, SheetProblem
from questionnaires.xlsform_columns import SETTINGS_FIELDS


class _Sheet(Protocol):
    def column(self, field: str) -> str | None: ...


class ProblemLocator:
    """Remembers the rows items and choices came from, then locates definition problems.

    A name used several times has several rows; the n-th ``duplicate_*`` problem for a name
    points at its (n+1)-th row, every other problem at its first row.
    """

    def __init__(self, sheets: Mapping[str, _Sheet]) -> None:
        self.sheets = sheets
        self.items: defaultdict[str, list[int]] = defaultdict(list)
        self.choices: defaultdict[tuple[str, str], list[int]] = defaultdict(list)

    def item_row(self, name: str, row: int) -> None:
        self.items[name].append(row)

    def choice_row(self, list_name: str, name: str, row: int) -> None:
        self.choices[(list_name, name)].append(row)
        self.choices[(list_name, "")].append(row)

    def locate(self, problems: list[DefinitionProblem]) -> list[SheetProblem]:
        seen: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        located = []
        for problem in problems:
            if problem.item:
                sheet, rows = "survey", sorted(self.items.get(problem.item, []))
            elif problem.choice_list:
                sheet = "choices"
                rows = sorted(self.choices.get((problem.choice_list, problem.choice), []))
            else:
                sheet, rows = "settings", [2]
            key = (problem.item, problem.choice_list, problem.choice)
            index = 0
            if problem.code.startswith("duplicate_") and sheet != "settings":
                seen[key] += 1
                index = seen[key]
            row = rows[min(index, len(rows) - 1)] if rows else None
            located.append(
                SheetProblem(sheet, row, self.column(sheet, problem.field), problem.message)
            )
        return located

    def column(self, sheet: str, field: str) -> str | None:
        if sheet == "settings" and field not in SETTINGS_FIELDS:
            return None
        found = self.sheets.get(sheet)
        return found.column(field) if found else None
