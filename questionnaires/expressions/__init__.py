"""XLSForm expressions: tokenizer, parser, evaluator and writer (never Python ``eval``)."""

from questionnaires.expressions.evaluator import evaluate, evaluate_boolean
from questionnaires.expressions.nodes import (
    Binary,
    Call,
    ChoiceColumn,
    Current,
    Node,
    NumberLiteral,
    Reference,
    TextLiteral,
    Unary,
    references,
    walk,
)
from questionnaires.expressions.parser import FUNCTIONS, parse
from questionnaires.expressions.source import to_source, to_xpath
from questionnaires.expressions.tokenizer import Token, tokenize
from questionnaires.expressions.values import (
    Answer,
    Value,
    from_answer,
    to_boolean,
    to_number,
    to_string,
)

__all__ = [
    "FUNCTIONS",
    "Answer",
    "Binary",
    "Call",
    "ChoiceColumn",
    "Current",
    "Node",
    "NumberLiteral",
    "Reference",
    "TextLiteral",
    "Token",
    "Unary",
    "Value",
    "evaluate",
    "evaluate_boolean",
    "from_answer",
    "parse",
    "references",
    "to_boolean",
    "to_number",
    "to_source",
    "to_string",
    "to_xpath",
    "tokenize",
    "walk",
]
