"""The library's own answer-validation messages in Chinese (default) and English."""

from __future__ import annotations

from questionnaires.text import localize

MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "此题为必答题。", "en": "This question is required."},
    "constraint": {"zh": "答案不符合要求。", "en": "This answer is not allowed."},
    "integer": {"zh": "请输入整数。", "en": "Enter a whole number."},
    "decimal": {"zh": "请输入数字。", "en": "Enter a number."},
    "date": {"zh": "请输入有效日期（年-月-日）。", "en": "Enter a valid date (YYYY-MM-DD)."},
    "text": {"zh": "请输入文字。", "en": "Enter text."},
    "select_one": {"zh": "请只选择一项。", "en": "Choose one option."},
    "select_multiple": {"zh": "选项格式不正确。", "en": "The selected options are malformed."},
    "choice": {"zh": "“{code}”不是本题的选项。", "en": "'{code}' is not an option here."},
    "choice_filter": {
        "zh": "选项“{code}”与前面的回答不符。",
        "en": "Option '{code}' does not fit the earlier answers.",
    },
    "unknown_question": {
        "zh": "问卷中没有这道题。",
        "en": "This question is not in the questionnaire.",
    },
    "repeat": {
        "zh": "重复组的答案应为若干组回答的列表。",
        "en": "A repeat's answers must be a list of answer sets.",
    },
    "expression": {
        "zh": "问卷逻辑无法计算：{error}",
        "en": "The questionnaire logic failed: {error}",
    },
}


def message(key: str, language: str, /, **values: str) -> str:
    """The message ``key`` in ``language`` (Chinese when neither zh nor en)."""
    return localize(MESSAGES[key], language, ("zh",)).format(**values)
