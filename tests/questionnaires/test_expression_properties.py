"""Properties of the expression parser and writer, checked with Hypothesis."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from questionnaires import ExpressionError, parse
from questionnaires.expressions import (
    Binary,
    Call,
    ChoiceColumn,
    Current,
    Node,
    NumberLiteral,
    Reference,
    TextLiteral,
    Unary,
    evaluate,
    references,
    to_source,
    to_xpath,
    tokenize,
)
from questionnaires.expressions.parser import FUNCTIONS, LEVELS

_NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in {"and", "or", "div", "mod"}
)
_LEAVES: st.SearchStrategy[Node] = st.one_of(
    st.builds(
        TextLiteral,
        st.text(st.characters(exclude_characters="'\"$/", exclude_categories=("Cs",)), max_size=6),
        st.just(0),
    ),
    st.builds(NumberLiteral, st.integers(0, 10_000).map(float), st.just(0)),
    st.builds(NumberLiteral, st.integers(0, 10_000).map(lambda n: n / 16), st.just(0)),
    st.builds(Reference, _NAMES, st.just(0)),
    st.builds(ChoiceColumn, _NAMES, st.just(0)),
    st.just(Current(0)),
)
_OPERATORS = [operator for level in LEVELS for operator in level]


def _most(name: str) -> int:
    most = FUNCTIONS[name][1]
    return 3 if most is None else most


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    calls = st.sampled_from(sorted(FUNCTIONS)).flatmap(
        lambda name: st.lists(children, min_size=FUNCTIONS[name][0], max_size=_most(name)).map(
            lambda args: Call(name, tuple(args), 0)
        )
    )
    return st.one_of(
        st.builds(Binary, st.sampled_from(_OPERATORS), children, children, st.just(0)),
        st.builds(Unary, children, st.just(0)),
        calls,
    )


TREES = st.recursive(_LEAVES, _extend, max_leaves=12)


def _without_positions(node: Node) -> Node:
    if isinstance(node, Unary):
        return Unary(_without_positions(node.operand), 0)
    if isinstance(node, Binary):
        return Binary(
            node.operator, _without_positions(node.left), _without_positions(node.right), 0
        )
    if isinstance(node, Call):
        return Call(node.function, tuple(_without_positions(a) for a in node.arguments), 0)
    return type(node)(
        *[0 if field == "position" else getattr(node, field) for field in node.__struct_fields__]
    )


@given(TREES)
def test_writing_then_parsing_gives_the_same_tree(tree: Node) -> None:
    assert _without_positions(parse(to_source(tree))) == tree


@given(TREES)
def test_written_text_is_stable(tree: Node) -> None:
    text = to_source(tree)
    assert to_source(parse(text)) == text


@given(TREES)
def test_xpath_rewrites_every_reference_and_nothing_else(tree: Node) -> None:
    text = to_source(tree)
    xpath = to_xpath(text, lambda name: f"/data/{name}")
    assert "${" not in xpath
    assert xpath.count("/data/") == len(references(parse(text)))


@given(st.text(max_size=30))
def test_parser_only_ever_raises_expression_errors(text: str) -> None:
    position = 0
    try:
        parse(text)
    except ExpressionError as error:
        position = error.position
    assert 0 <= position <= len(text)


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_arithmetic_matches_python(a: int, b: int) -> None:
    answers = {"a": a, "b": b}
    assert evaluate("${a} + ${b} * 2", answers) == a + b * 2
    assert evaluate("${a} - ${b}", answers) == a - b
    if b != 0:
        assert evaluate("${a} div ${b}", answers) == a / b
        assert evaluate("${a} mod ${b}", answers) == math.fmod(a, b)


def test_token_positions_point_into_the_source() -> None:
    source = "${age} >= 14 and selected(${m}, 'a')"
    assert [(t.kind, t.text, t.position) for t in tokenize(source)] == [
        ("reference", "age", 0),
        ("operator", ">=", 7),
        ("number", "14", 10),
        ("name", "and", 13),
        ("name", "selected", 17),
        ("operator", "(", 25),
        ("reference", "m", 26),
        ("operator", ",", 30),
        ("string", "a", 32),
        ("operator", ")", 35),
        ("end", "", 36),
    ]


def test_precedence_follows_xpath() -> None:
    assert to_source(parse("(1 + 2) * 3 - -(4 - 5)")) == "(1 + 2) * 3 - -(4 - 5)"
    assert to_source(parse("((1 = 1) or (2 = 2)) and 3")) == "(1 = 1 or 2 = 2) and 3"
    assert evaluate("1 + 2 * 3 = 7 and not(2 > 3)", {}) is True
