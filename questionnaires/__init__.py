"""Questionnaires: model, skip logic, XLSForm, indicators (no web, no database)."""

from questionnaires.errors import (
    DefinitionError,
    DefinitionProblem,
    ExpressionError,
    IndicatorError,
    QuestionnaireError,
    SheetProblem,
    TemplateError,
    XLSFormError,
)

__all__ = [
    "DefinitionError",
    "DefinitionProblem",
    "ExpressionError",
    "IndicatorError",
    "QuestionnaireError",
    "SheetProblem",
    "TemplateError",
    "XLSFormError",
]
