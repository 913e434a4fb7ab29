"""Survey schemas."""

from __future__ import annotations

import datetime as dt

import msgspec


class SurveySummary(msgspec.Struct, frozen=True):
    id: int
    slug: str
    title: str
    wave_name: str
    web_responses: int
    capi_responses: int
    completes: int
    target: int


class DistrictProgress(msgspec.Struct, frozen=True):
    code: str
    name: str
    completes: int
    target: int

    @property
    def share(self) -> float:
        return self.completes / self.target if self.target else 0.0


class Survey(msgspec.Struct, frozen=True):
    """A survey as scripts and the survey list see it."""

    slug: str
    title: str
    description: str
    wave_name: str
    form_id: str
    current_version: str
    versions: int
    indicators: int


class SurveyCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new survey from a shipped template; `title` and `wave_name` have defaults."""

    slug: str
    template: str
    title: str = ""
    wave_name: str = ""


class TemplateInfo(msgspec.Struct, frozen=True):
    name: str
    title: dict[str, str]
    description: dict[str, str]
    indicators: list[str]


class QuestionnaireVersionInfo(msgspec.Struct, frozen=True):
    """One stored, immutable version and how many responses answered it."""

    id: int
    version: str
    form_id: str
    title: str
    created_at: dt.datetime
    responses: int


class IndicatorInfo(msgspec.Struct, frozen=True):
    """An indicator with its definition in words (`definition`, in the asked language)."""

    code: str
    label: dict[str, str]
    question: str
    numerator: list[str]
    denominator: list[str]
    threshold: float
    direction: str
    domains: list[str]
    definition: str


class SurveyDetail(msgspec.Struct, frozen=True):
    survey: Survey
    versions: list[QuestionnaireVersionInfo]
    indicators: list[IndicatorInfo]


class IndicatorUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """New settings of an indicator; a field left out keeps its value."""

    threshold: float | None = None
    direction: str | None = None
    label: dict[str, str] | None = None


class IndicatorCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rate on one select_one question of the survey's current questionnaire."""

    code: str
    label: dict[str, str]
    question: str
    numerator: list[str]
    denominator: list[str]
    threshold: float
    direction: str = ">="
    domains: list[str] = msgspec.field(default_factory=list)


class FramePlaces(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Which sampling frame's units become the place options (default: the survey's frame)."""

    frame_id: int | None = None
