"""What the resident's questionnaire passes between its controllers, services and views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from questionnaires.model import CONSENT_QUESTION, Group, Questionnaire
from survey_app.models import PartialResponse, Survey, Wave

Action = Literal["next", "back", "save", "refresh"]


@dataclass(frozen=True, slots=True)
class SurveyTarget:
    """What a resident's page needs: the survey, its open wave and current questionnaire."""

    survey: Survey
    wave: Wave
    version_id: int
    questionnaire: Questionnaire

    @property
    def asks_consent(self) -> bool:
        """Whether the form has its own consent question; otherwise the page adds a box."""
        return self.questionnaire.question(CONSENT_QUESTION) is not None


@dataclass(frozen=True, slots=True)
class PagePost:
    """One posted page: its fields, the button pressed and what the page itself reported."""

    fields: Mapping[str, list[str]]
    action: Action
    shown_at: str
    javascript: bool
    consent: bool
    start_uuid: str = ""


@dataclass(frozen=True, slots=True)
class Moved:
    """The page was saved; show `page` next (None: the questionnaire is finished)."""

    page: str | None
    saved: bool = False


@dataclass(frozen=True, slots=True)
class Finished:
    """The questionnaire is finished and stored: show the thank-you page."""


@dataclass(frozen=True, slots=True)
class Problems:
    """The page was saved but cannot be left yet: messages by question name."""

    page: str
    problems: dict[str, str]


@dataclass(frozen=True, slots=True)
class ResidentPage:
    """A resident's questionnaire and the page they are looking at."""

    target: SurveyTarget
    partial: PartialResponse
    page: Group
    slug: str
    resume_token: str
    """The survey's slug and the resume token, read before anything can expire them."""
