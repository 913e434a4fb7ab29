"""The shared expression table passes in Python and in the JavaScript evaluator (under node)."""

from __future__ import annotations

import json
import math
import shutil
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


def _python_result(case: dict[str, Any]) -> dict[str, Any]:
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


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_evaluator(case: dict[str, Any]) -> None:
    assert _python_result(case) == _expected(case)


@pytest.fixture(scope="module")
def javascript_results() -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the JavaScript evaluator cannot run")
    completed = subprocess.run(
        [node, str(HERE / "run_expression_cases.js")],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_javascript_evaluator(index: int, javascript_results: list[dict[str, Any]]) -> None:
    assert javascript_results[index] == _expected(CASES[index])
