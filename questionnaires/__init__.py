"""Questionnaires: model, skip logic, XLSForm, indicators (no web, no database)."""

from questionnaires.checks import check_questionnaire, validate_questionnaire
from questionnaires.errors import (
    DefinitionError,
    DefinitionProblem,
    ExpressionError,
    IndicatorError,
    QuestionnaireError,
    SheetProblem,
    SubmissionError,
    TemplateError,
    XLSFormError,
)
from questionnaires.expressions import evaluate, evaluate_boolean, parse
from questionnaires.indicators import (
    Direction,
    Indicator,
    IndicatorVariable,
    check_indicator,
    derive_indicator,
    describe_indicator,
    validate_indicator,
)
from questionnaires.model import (
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
from questionnaires.outline import outline
from questionnaires.pages import pages, visible_questions
from questionnaires.serialization import from_json, to_json
from questionnaires.templates import Template, list_templates, load_template
from questionnaires.text import Language, Text, localize
from questionnaires.validation import (
    AnswerProblem,
    ValidationResult,
    relevant_names,
    validate_answers,
)
from questionnaires.xform import to_xform
from questionnaires.xform_submission import Submission, read_submission, write_submission
from questionnaires.xlsform_export import write_xlsform
from questionnaires.xlsform_import import read_xlsform

__all__ = [
    "AnswerProblem",
    "Choice",
    "ChoiceList",
    "DefinitionError",
    "DefinitionProblem",
    "Direction",
    "ExpressionError",
    "Group",
    "Indicator",
    "IndicatorError",
    "IndicatorVariable",
    "Item",
    "Language",
    "LegalMarkings",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Repeat",
    "SheetProblem",
    "Submission",
    "SubmissionError",
    "Template",
    "TemplateError",
    "Text",
    "ValidationResult",
    "XLSFormError",
    "check_indicator",
    "check_questionnaire",
    "derive_indicator",
    "describe_indicator",
    "evaluate",
    "evaluate_boolean",
    "from_json",
    "list_templates",
    "load_template",
    "localize",
    "outline",
    "pages",
    "parse",
    "read_submission",
    "read_xlsform",
    "relevant_names",
    "to_json",
    "to_xform",
    "validate_answers",
    "validate_indicator",
    "validate_questionnaire",
    "visible_questions",
    "write_submission",
    "write_xlsform",
]
