"""Realistic XLSForm workbooks written with openpyxl, as field teams make them elsewhere.

Tests get them through the fixtures at the end (the suite imports test modules with
``--import-mode=importlib``, so helpers live here rather than in an importable module).
"""

from __future__ import annotations

import copy
import io
import shutil
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

Rows = list[list[Any]]


def workbook(sheets: dict[str, Rows]) -> bytes:
    """An .xlsx with one sheet per entry (header row first), in the given order."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HOUSEHOLD_SURVEY: Rows = [
    [
        "type",
        "name",
        "label::中文 (zh)",
        "label::English (en)",
        "hint::中文 (zh)",
        "hint::English (en)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::中文 (zh)",
        "constraint_message::English (en)",
        "calculation",
        "choice_filter",
        "appearance",
    ],
    ["start", "start"],
    ["end", "end"],
    ["deviceid", "deviceid"],
    [
        "begin group",
        "respondent",
        "受访者",
        "Respondent",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "field-list",
    ],
    [
        "integer",
        "age",
        "您的年龄（周岁）",
        "Your age (years)",
        "请填写整数",
        "A whole number",
        "yes",
        None,
        ". >= 14 and . <= 110",
        "年龄须在14至110岁之间",
        "Age must be 14 to 110",
    ],
    ["select_one sex", "sex", "性别", "Sex", None, None, "yes"],
    ["select_one district", "district", "所在区", "District", None, None, "yes"],
    [
        "select_one street",
        "street",
        "所在街道",
        "Street",
        None,
        None,
        "yes",
        None,
        None,
        None,
        None,
        None,
        "district = ${district}",
    ],
    ["end group"],
    ["begin group", "views", "看法", "Views"],
    [
        "select_one satisfaction",
        "satisfaction",
        "您对本市创建工作是否满意？",
        "Are you satisfied with the creation work?",
        None,
        None,
        "yes",
    ],
    [
        "text",
        "why_not",
        "您不满意的主要原因是什么？",
        "Why are you not satisfied?",
        None,
        None,
        None,
        "${satisfaction} = 'dissatisfied' or ${satisfaction} = 'very_dissatisfied'",
    ],
    [
        "select_multiple media",
        "media",
        "您从哪些渠道了解创建工作？（可多选）",
        "Where did you hear about it? (choose all that apply)",
        None,
        None,
        None,
        None,
        "not(selected(., 'none') and count-selected(.) > 1)",
        "“都没有”不能与其他选项同选",
        "'None' cannot be combined with other options",
    ],
    ["end group"],
    [
        "integer",
        "household_size",
        "您家共有几口人？",
        "How many people live in your household?",
        None,
        None,
        "yes",
        None,
        ". >= 1 and . <= 20",
        "请填写1至20",
        "Enter 1 to 20",
    ],
    ["begin repeat", "members", "家庭成员", "Household members"],
    ["text", "member_name", "成员称呼", "Member (how you call them)"],
    [
        "integer",
        "member_age",
        "成员年龄",
        "Member's age",
        None,
        None,
        "yes",
        None,
        ". >= 0 and . <= 120",
    ],
    ["end repeat"],
    [
        "calculate",
        "is_senior",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "if(${age} >= 60, 'yes', 'no')",
    ],
    ["note", "thanks", "感谢您的参与！", "Thank you for taking part!"],
]

HOUSEHOLD_CHOICES: Rows = [
    ["list_name", "name", "label::中文 (zh)", "label::English (en)", "district"],
    ["sex", "male", "男", "Male"],
    ["sex", "female", "女", "Female"],
    ["district", "d1", "东湖区", "Donghu District"],
    ["district", "d2", "西山区", "Xishan District"],
    ["street", "d1_s1", "湖滨街道", "Hubin Street", "d1"],
    ["street", "d1_s2", "东城街道", "Dongcheng Street", "d1"],
    ["street", "d2_s1", "山前街道", "Shanqian Street", "d2"],
    ["satisfaction", "very_satisfied", "非常满意", "Very satisfied"],
    ["satisfaction", "satisfied", "满意", "Satisfied"],
    ["satisfaction", "neutral", "一般", "Neutral"],
    ["satisfaction", "dissatisfied", "不满意", "Dissatisfied"],
    ["satisfaction", "very_dissatisfied", "非常不满意", "Very dissatisfied"],
    ["satisfaction", "unsure", "说不清", "Cannot say"],
    ["media", "tv", "电视", "Television"],
    ["media", "internet", "网络", "Internet"],
    ["media", "poster", "宣传栏", "Posters"],
    ["media", "none", "都没有", "None of these"],
]

HOUSEHOLD_SETTINGS: Rows = [
    ["form_title", "form_title::English (en)", "form_id", "version", "default_language"],
    ["入户调查", "Household survey", "household_2026", 2026031501, "中文 (zh)"],
]


INTERCEPT_SURVEY: Rows = [
    ["Type", "Name", "Label", "Required", "Relevant", "Constraint", "jr:constraintMsg"],
    ["today", "today"],
    ["begin_group", "screening", "Screening"],
    ["select one yes_no", "resident", "Have you lived here for at least six months?", "TRUE"],
    [
        "date",
        "interview_date",
        "Interview date",
        True,
        None,
        ". <= today()",
        "The date cannot be in the future",
    ],
    ["end_group"],
    [
        "decimal",
        "monthly_hours",
        "Hours of volunteering last month",
        None,
        "${resident} = 1",
        ". >= 0",
    ],
]

INTERCEPT_CHOICES: Rows = [
    ["list_name", "name", "label"],
    ["yes_no", 1, "Yes"],
    ["yes_no", 0, "No"],
]


LEGAL_SETTINGS: Rows = [
    [
        "form_title",
        "form_id",
        "version",
        "default_language",
        "form_number",
        "issuing_authority",
        "approval_number",
        "valid_until",
        "privacy_notice::中文 (zh)",
    ],
    [
        "文明城市测评",
        "legal_demo",
        "1",
        "中文 (zh)",
        "文明表1号",
        "某市文明办",
        "某统制〔2026〕1号",
        datetime(2027, 12, 31),
        "您的回答仅用于统计。",
    ],
]


@pytest.fixture
def make_workbook() -> Callable[[dict[str, Rows]], bytes]:
    return workbook


@pytest.fixture
def household_sheets() -> dict[str, Rows]:
    """The two-language household form's sheets, a fresh copy each test may change."""
    return copy.deepcopy(
        {"survey": HOUSEHOLD_SURVEY, "choices": HOUSEHOLD_CHOICES, "settings": HOUSEHOLD_SETTINGS}
    )


@pytest.fixture
def household_xlsx(household_sheets: dict[str, Rows]) -> bytes:
    return workbook(household_sheets)


@pytest.fixture
def intercept_xlsx() -> bytes:
    """A one-language form: plain label columns, capitalised headers, no settings sheet."""
    return workbook({"survey": INTERCEPT_SURVEY, "choices": INTERCEPT_CHOICES})


@pytest.fixture
def legal_xlsx() -> bytes:
    """The household form with legal markings and a privacy notice in its settings."""
    return workbook(
        {"survey": HOUSEHOLD_SURVEY, "choices": HOUSEHOLD_CHOICES, "settings": LEGAL_SETTINGS}
    )


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable that runs the browser evaluator; the test is skipped without it."""
    path = shutil.which("node")
    if path is None:
        pytest.skip("node is not installed, so the JavaScript evaluator cannot run")
    return path
