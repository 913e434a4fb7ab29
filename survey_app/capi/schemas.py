"""What the tablet app and the server say to each other (JSON)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from survey_app.fieldwork.schemas import AssignmentView

MAX_BATCH = 50


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
    assignment_id: int
    questionnaire_version_id: int
    disposition: str
    answers: dict[str, Any] = {}
    paradata: dict[str, Any] = {}


class SyncRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    device_id: str = ""
    interviews: list[InterviewUpload] = []


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
