"""A plain-text preview of a questionnaire in one language (CLI, review, diffs between versions).

Pages are headed, questions numbered in form order, options listed with their codes, and skip
logic, constraints and calculations shown as written, so a reviewer reads the whole contract.
"""

from __future__ import annotations

from questionnaires.model import INPUT_TYPES, Group, Item, Question, Questionnaire, Repeat

_WORDS = {
    "zh": {
        "integer": "整数",
        "decimal": "数字",
        "text": "文字",
        "date": "日期",
        "select_one": "单选",
        "select_multiple": "多选",
        "required": "必答",
        "relevant": "显示条件",
        "constraint": "取值要求",
        "calculate": "计算",
        "note": "说明",
        "repeat": "可重复",
        "choice_filter": "选项筛选",
        "form_number": "表号",
        "authority": "制定机关",
        "approval_number": "批准文号",
        "valid_until": "有效期至",
        "privacy": "隐私告知",
        "separator": "：",
        "list": "；",
    },
    "en": {
        "integer": "whole number",
        "decimal": "number",
        "text": "text",
        "date": "date",
        "select_one": "choose one",
        "select_multiple": "choose any",
        "required": "required",
        "relevant": "shown when",
        "constraint": "allowed when",
        "calculate": "calculated",
        "note": "note",
        "repeat": "repeatable",
        "choice_filter": "options filtered by",
        "form_number": "Form number",
        "authority": "Issued by",
        "approval_number": "Approval number",
        "valid_until": "Valid until",
        "privacy": "Privacy notice",
        "separator": ": ",
        "list": "; ",
    },
}


def _words(language: str) -> dict[str, str]:
    return _WORDS["en" if language == "en" else "zh"]


def front_matter(form: Questionnaire, language: str) -> list[str]:
    """What a form shows before its questions, as lines in ``language``: the legal markings of
    a statistical survey and the privacy notice (each only when the form has it)."""
    words = _words(language)
    lines = []
    if form.legal is not None:
        legal = form.legal
        parts = [
            (words["form_number"], legal.form_number),
            (words["authority"], legal.authority),
            (words["approval_number"], legal.approval_number),
            (words["valid_until"], legal.valid_until.isoformat()),
        ]
        lines.append(words["list"].join(f"{k}{words['separator']}{v}" for k, v in parts))
    if any(form.privacy_notice.values()):
        notice = form.localize(form.privacy_notice, language)
        lines.append(f"{words['privacy']}{words['separator']}{notice}")
    return lines


class _Writer:
    def __init__(self, form: Questionnaire, language: str) -> None:
        self.form = form
        self.language = language
        self.words = _words(language)
        self.lines: list[str] = []
        self.number = 0

    def text(self, text: dict[str, str]) -> str:
        return self.form.localize(text, self.language)

    def header(self) -> None:
        form = self.form
        self.lines.append(f"{self.text(form.title)} ({form.id} {form.version})")
        self.lines.extend(front_matter(form, self.language))

    def items(self, items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            if isinstance(item, Question):
                self.question(item, depth)
                continue
            self.lines.append("")
            kind = f" ({self.words['repeat']})" if isinstance(item, Repeat) else ""
            self.lines.append(
                f"{'  ' * depth}== {self.text(item.label) or item.name}{kind} [{item.name}]"
            )
            self.condition(item, depth + 1)
            self.items(item.children, depth + 1)

    def condition(self, item: Group | Repeat | Question, depth: int) -> None:
        if item.relevant:
            self.lines.append(
                f"{'  ' * depth}{self.words['relevant']}{self.words['separator']}{item.relevant}"
            )

    def question(self, question: Question, depth: int) -> None:
        indent, words = "  " * depth, self.words
        if question.type == "calculate":
            self.lines.append(
                f"{indent}{words['calculate']} {question.name} = {question.calculation}"
            )
            return
        if question.type not in (*INPUT_TYPES, "note"):
            return
        if question.type == "note":
            self.lines.append(
                f"{indent}{words['note']}{words['separator']}"
                f"{self.text(question.label)} [{question.name}]"
            )
        else:
            self.number += 1
            kinds = [words[question.type]]
            if question.required:
                kinds.append(
                    words["required"]
                    if question.required == "true()"
                    else f"{words['required']}: {question.required}"
                )
            self.lines.append(
                f"{indent}{self.number}. {self.text(question.label)} "
                f"({', '.join(kinds)}) [{question.name}]"
            )
        if any(question.hint.values()):
            self.lines.append(f"{indent}   {self.text(question.hint)}")
        self.options(question, indent)
        self.condition(question, depth + 1)
        if question.constraint:
            message = self.text(question.constraint_message)
            self.lines.append(
                f"{indent}  {words['constraint']}{words['separator']}"
                f"{question.constraint}" + (f" — {message}" if message else "")
            )

    def options(self, question: Question, indent: str) -> None:
        choice_list = self.form.choice_list(question.list_name)
        if choice_list is None:
            return
        for choice in choice_list.choices:
            self.lines.append(f"{indent}   - {self.text(choice.label)} ({choice.name})")
        if question.choice_filter:
            self.lines.append(
                f"{indent}  {self.words['choice_filter']}{self.words['separator']}"
                f"{question.choice_filter}"
            )


def outline(questionnaire: Questionnaire, language: str = "zh") -> str:
    """The questionnaire as indented text in ``language`` (``zh`` or ``en`` words)."""
    writer = _Writer(questionnaire, language)
    writer.header()
    writer.items(questionnaire.items, 0)
    return "\n".join(writer.lines) + "\n"
