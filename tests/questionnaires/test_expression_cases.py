"""The shared expression table passes in Python and in the JavaScript evaluator (under node)."""

from __future__ import annotations

import json
import math
import random
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from questionnaires import ExpressionError
from questionnaires.expressions import Value, evaluate

HERE = Path(__file__).parent
CASES: list[dict[str, Any]] = json.loads((HERE / "expression_cases.json").read_text("utf-8"))[
    "cases"
]
IDS = [case["expression"] or "<empty>" for case in CASES]


def _encode(value: Value) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolean": value}
    if isinstance(value, str):
        return {"string": value}
    if math.isnan(value):
        return {"number": "NaN"}
    if math.isinf(value):
        return {"number": "Infinity" if value > 0 else "-Infinity"}
    return {"number": value}


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    if "error" in case:
        return {"error": case["error"]}
    return {"value": case["expected"]}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_evaluator(case: dict[str, Any]) -> None:
    assert python_result(case) == _expected(case)


def run_javascript(node: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate ``cases`` with the browser evaluator under ``node``."""
    completed = subprocess.run(
        [node, str(HERE / "run_expression_cases.js")],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def python_result(case: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one case with the Python evaluator, encoded as the node runner encodes it."""
    today = date.fromisoformat(case["today"]) if "today" in case else None
    try:
        value = evaluate(
            case["expression"],
            case.get("answers", {}),
            current=case.get("current"),
            choice=case.get("choice"),
            today=today,
        )
    except ExpressionError as error:
        return {"error": {"reason": error.reason, "position": error.position}}
    return {"value": _encode(value)}


@pytest.fixture(scope="module")
def javascript_results(node: str) -> list[dict[str, Any]]:
    return run_javascript(node, CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_javascript_evaluator(index: int, javascript_results: list[dict[str, Any]]) -> None:
    assert javascript_results[index] == _expected(CASES[index])


_ANSWERS: dict[str, Any] = {
    "a": 3,
    "b": "x y",
    "c": "",
    "d": "2026-01-05",
    "n": "12.5",
    "m": ["p", "q"],
    "z": 0,
    "neg": -7.25,
}
_OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
_CALLS = {
    "not": 1,
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "if": 3,
    "coalesce": 2,
    "int": 1,
    "number": 1,
    "string": 1,
    "concat": 3,
    "boolean": 1,
    "contains": 2,
    "starts-with": 2,
    "today": 0,
    "true": 0,
    "false": 0,
    "floor": 1,
    "ceiling": 1,
    "abs": 1,
    "round": 2,
    "substr": 3,
    "selected-at": 2,
    "regex": 2,
}


def _random_expression(rng: random.Random, depth: int) -> str:
    """A random well-formed expression over ``_ANSWERS``, ``.`` and literals."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(
            [
                "${" + rng.choice([*_ANSWERS, "missing"]) + "}",
                ".",
                "'x'",
                "'p'",
                "''",
                "'2026-01-01'",
                "' 4 '",
                str(rng.randint(0, 20)),
                f"{rng.randint(0, 99) / 8}",
            ]
        )
    kind = rng.random()
    if kind < 0.5:
        operator = rng.choice(_OPERATORS)
        left = _random_expression(rng, depth - 1)
        right = _random_expression(rng, depth - 1)
        return f"({left} {operator} {right})"
    if kind < 0.6:
        return "-" + _random_expression(rng, depth - 1)
    name = rng.choice(sorted(_CALLS))
    arguments = [_random_expression(rng, depth - 1) for _ in range(_CALLS[name])]
    return f"{name}({', '.join(arguments)})"


def test_python_and_javascript_agree_on_generated_expressions(node: str) -> None:
    """Differential check: 400 seeded random expressions give identical results in both."""
    rng = random.Random(20261122)
    cases = [
        {
            "expression": _random_expression(rng, 4),
            "answers": _ANSWERS,
            "current": rng.choice([5, "", "p q", "2026-02-01"]),
            "today": "2026-11-22",
        }
        for _ in range(400)
    ]
    javascript = run_javascript(node, cases)
    disagreements = [
        (case["expression"], python_result(case), js)
        for case, js in zip(cases, javascript, strict=True)
        if python_result(case) != js
    ]
    assert disagreements == []


def test_javascript_loads_as_a_classic_browser_script(node: str) -> None:
    """In a page (no ``module``), the file defines one global, ``MinyiExpressions``."""
    script = (
        "const vm = require('vm'); const fs = require('fs');"
        "const page = {}; page.self = page; vm.createContext(page);"
        "vm.runInContext(fs.readFileSync(process.argv[1], 'utf8'), page);"
        "const api = page.MinyiExpressions;"
        "process.stdout.write(JSON.stringify({globals: Object.keys(page).sort(),"
        " value: api.evaluateBoolean(\"selected(${m}, 'b')\", {m: ['a', 'b']})}));"
    )
    source = HERE.parents[1] / "questionnaires" / "js" / "expressions.js"
    completed = subprocess.run(
        [node, "-e", script, str(source)],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert json.loads(completed.stdout) == {"globals": ["MinyiExpressions", "self"], "value": True}
