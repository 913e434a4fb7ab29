"""The browser's skip logic (formState in expressions.js) agrees with server validation."""

from __future__ import annotations

import json
import random
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from questionnaires import (
    Question,
    Questionnaire,
    load_template,
    to_json,
    validate_answers,
)
from questionnaires.validation import relevant_names

HERE = Path(__file__).parent
TODAY = date(2026, 11, 22)


def _random_answers(form: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """A plausible, sometimes incomplete answer set with some answers that skip logic clears."""
    answers: dict[str, Any] = {}
    for question in form.questions():
        if rng.random() < 0.15:
            continue
        answers_for = _choices(form, question)
        if question.type == "integer":
            answers[question.name] = rng.choice([9, 13, 14, 15, 29, 30, 45, 59, 60, 88])
        elif question.type == "select_one":
            answers[question.name] = rng.choice(answers_for)
        elif question.type == "select_multiple":
            answers[question.name] = rng.sample(answers_for, rng.randint(1, 3))
        elif question.type == "text":
            answers[question.name] = rng.choice(["", "意见", "ok"])
        elif question.type in ("calculate", "note"):
            answers[question.name] = "sent by a client"
    return answers


def _choices(form: Questionnaire, question: Question) -> list[str]:
    choice_list = form.choice_list(question.list_name)
    return list(choice_list.codes()) if choice_list else []


def _run_browser(node: str, form: Questionnaire, answer_sets: list[dict[str, Any]]) -> Any:
    payload = {
        "definition": json.loads(to_json(form)),
        "answer_sets": answer_sets,
        "today": TODAY.isoformat(),
    }
    completed = subprocess.run(
        [node, str(HERE / "run_form_state.js")],
        input=json.dumps(payload),
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    return json.loads(completed.stdout)


def test_browser_and_server_agree_on_the_demo_survey(node: str) -> None:
    form = load_template("civilized_city_resident").questionnaire
    rng = random.Random(6)
    answer_sets = [_random_answers(form, rng) for _ in range(300)]
    calculated = [q.name for q in form.questions() if q.type == "calculate"]
    disagreements = []
    for answers, state in zip(answer_sets, _run_browser(node, form, answer_sets), strict=True):
        server = validate_answers(form, answers, today=TODAY)
        expected = {
            "relevant": relevant_names(form, answers, today=TODAY),
            "dropped": list(server.dropped),
            "calculated": {n: server.answers[n] for n in calculated if n in server.answers},
        }
        browser = {
            "relevant": state["relevant"],
            "dropped": state["dropped"],
            "calculated": {n: state["values"][n] for n in calculated if n in state["values"]},
        }
        if browser != expected:
            disagreements.append((answers, expected, browser))
    assert disagreements == []
    shown = {len(state["relevant"]) for state in _run_browser(node, form, answer_sets[:50])}
    assert len(shown) > 3


def test_browser_state_for_an_ineligible_resident(node: str) -> None:
    form = load_template("civilized_city_resident").questionnaire
    (state,) = _run_browser(
        node, form, [{"consent": "agree", "resident_6m": "yes", "age": "12", "sex": "male"}]
    )
    assert state == {
        "relevant": [
            "start",
            "end",
            "today",
            "deviceid",
            "intro",
            "consent",
            "resident_6m",
            "age",
            "eligible",
            "ineligible_end",
        ],
        "values": {"consent": "agree", "resident_6m": "yes", "age": "12", "eligible": "no"},
        "dropped": ["sex"],
    }
