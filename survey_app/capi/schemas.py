"""What the tablet app and the server say to each other (JSON)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from survey_app.fieldwork.schemas import AssignmentView

MAX_BATCH = 50

RowId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
"""A row id as the database keeps it (a 32-bit integer)."""
MAX_NESTING = 8
"""Lists and objects inside one another in answers or paradata (a multiple choice in a repeat
inside a repeat is six deep)."""
Document = Annotated[
    dict[str, Any],
    msgspec.Meta(
        description=f"JSON nested at most {MAX_NESTING} levels deep, without NUL characters"
    ),
]


def unstorable(value: Any, depth: int = 1) -> str:
    """Why the database could not keep `value` as sent, or "" when it can (PostgreSQL keeps no
    NUL character in text or JSON)."""
    if isinstance(value, str):
        return "holds a NUL character" if "\x00" in value else ""
    if not isinstance(value, dict | list):
        return ""
    if depth > MAX_NESTING:
        return f"is nested more than {MAX_NESTING} levels deep"
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    return next(
        (why for key, item in pairs if (why := unstorable(key) or unstorable(item, depth + 1))),
        "",
    )


class DispositionView(msgspec.Struct, frozen=True):
    code: str
    label: str
    without_interview: bool


class QuestionnaireView(msgspec.Struct, frozen=True):
    version_id: int
    survey_slug: str
    survey_title: str
    wave_id: int
    wave_name: str
    definition: dict[str, Any]
    outcome_rules: list[tuple[str, str]]


class Bootstrap(msgspec.Struct, frozen=True):
    """Everything the app needs to work offline: who, where, which forms, which codes."""

    username: str
    display_name: str
    assignments: list[AssignmentView]
    questionnaires: dict[str, QuestionnaireView]
    """Wave id (as text) → the questionnaire interviews in that wave answer."""
    dispositions: list[DispositionView]
    quota_fields: list[str]


class InterviewUpload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    uuid: str
    assignment_id: RowId
    questionnaire_version_id: RowId
    disposition: str
    answers: Document = {}
    paradata: Document = {}

    def __post_init__(self) -> None:
        for name, document in (("answers", self.answers), ("paradata", self.paradata)):
            if why := unstorable(document):
                raise ValueError(f"{name} {why}")


class SyncRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    device_id: str = ""
    interviews: list[InterviewUpload] = []

    def __post_init__(self) -> None:
        if why := unstorable(self.device_id):
            raise ValueError(f"device_id {why}")


ItemStatus = Literal["stored", "duplicate", "revised", "conflict", "invalid"]


class ItemResult(msgspec.Struct, frozen=True):
    uuid: str
    status: ItemStatus
    message: str = ""
    problems: dict[str, str] = {}


class SyncResult(msgspec.Struct, frozen=True):
    results: list[ItemResult]


class ReturnedInterview(msgspec.Struct, frozen=True):
    """A rejected interview going back to its enumerator, with the supervisor's comment."""

    uuid: str
    assignment_id: int | None
    questionnaire_version_id: int
    disposition: str
    answers: dict[str, Any]
    paradata: dict[str, Any]
    comment: str


class ReviewStates(msgspec.Struct, frozen=True):
    states: dict[str, str]
    """Client UUID → review state of every interview the enumerator has sent this wave."""
    returned: list[ReturnedInterview]
