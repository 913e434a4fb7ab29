"""The one exception hierarchy of the questionnaires library.

Every error the library raises on bad input derives from :class:`QuestionnaireError`, so an
application maps a single base class to its error responses.
"""

from __future__ import annotations

import msgspec


class QuestionnaireError(Exception):
    """Base class of every error raised by the questionnaires library."""


class ExpressionError(QuestionnaireError):
    """An XLSForm expression that cannot be parsed or evaluated.

    ``position`` is the 0-based character offset in ``expression`` where the problem starts.
    """

    def __init__(self, message: str, expression: str, position: int) -> None:
        super().__init__(f"{message} at position {position} in {expression!r}")
        self.reason = message
        self.expression = expression
        self.position = position


class DefinitionProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One problem in a questionnaire definition.

    ``code`` names the kind of problem (``duplicate_name``, ``unknown_reference``, ...). The
    problem concerns the item ``item`` or the choice list ``choice_list`` (and its choice
    ``choice``), or the settings when both are empty; ``field`` is the XLSForm column.
    """

    code: str
    message: str
    field: str
    item: str = ""
    choice_list: str = ""
    choice: str = ""

    def __str__(self) -> str:
        if self.item:
            where = self.item
        elif self.choice_list:
            where = "/".join(filter(None, (self.choice_list, self.choice)))
        else:
            where = "settings"
        return f"{where}.{self.field}: {self.message}"


class DefinitionError(QuestionnaireError):
    """A questionnaire definition that is not consistent (names, references, choice lists)."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        lines = "; ".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the questionnaire: {lines}")
        self.problems = tuple(problems)


class SheetProblem(msgspec.Struct, frozen=True):
    """One problem in an XLSForm workbook, located by sheet, row (1-based) and column.

    ``row`` and ``column`` are ``None`` when the problem concerns a whole sheet or a whole row;
    ``column`` is the spreadsheet letter followed by the header, e.g. ``"F (relevant)"``.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class XLSFormError(QuestionnaireError):
    """An XLSForm workbook that cannot be imported; carries every problem found."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the XLSForm:\n" + "\n".join(str(p) for p in problems)
        )
        self.problems = tuple(problems)


class IndicatorError(QuestionnaireError):
    """An indicator that does not fit its questionnaire (question, codes, threshold)."""

    def __init__(self, indicator_id: str, problems: list[str]) -> None:
        super().__init__(f"indicator {indicator_id!r}: " + "; ".join(problems))
        self.indicator_id = indicator_id
        self.problems = tuple(problems)


class TemplateError(QuestionnaireError):
    """A template name that is not shipped with the library."""


class SubmissionError(QuestionnaireError):
    """An ODK submission (instance XML) that cannot be read for its questionnaire version."""
