"""What the review pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class ReviewRow(msgspec.Struct, frozen=True):
    id: int
    submitted_at: dt.datetime
    enumerator: str
    community: str
    disposition: str
    duration_seconds: float | None
    state: str
    flags: list[str]


class ReviewList(msgspec.Struct, frozen=True):
    rows: list[ReviewRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    """Review state → number of the team's interviews in it."""


class AnswerLine(msgspec.Struct, frozen=True):
    name: str
    question: str
    answer: str


class HistoryStep(msgspec.Struct, frozen=True):
    at: dt.datetime
    action: str
    actor: str
    comment: str


class OtherVersion(msgspec.Struct, frozen=True):
    """A conflicting version kept beside the response, or content a correction replaced."""

    at: dt.datetime
    disposition: str
    differs: list[str]
    """Questions whose answers differ from the stored response's."""


class ReviewDetail(msgspec.Struct, frozen=True):
    id: int
    client_uuid: str
    mode: str
    state: str
    disposition: str
    enumerator: str
    community: str
    submitted_at: dt.datetime
    answers: list[AnswerLine]
    paradata: dict[str, Any]
    flags: list[str]
    history: list[HistoryStep]
    conflicts: list[OtherVersion]
    revisions: list[OtherVersion]


class ReviewForm(msgspec.Struct):
    comment: str = ""
