"""Data model v1 for the whole mission; importing this module registers every table."""

from survey_app.db.base import Base
from survey_app.models.accounts import ApiToken, Role, User, UserSession
from survey_app.models.analysis import EstimateRecord, EstimateRun, ResponseWeight, WeightingRun
from survey_app.models.audit import AuditEvent
from survey_app.models.capi import ResponseConflict, ResponseRevision
from survey_app.models.collection import (
    COMPLETE_DISPOSITIONS,
    Invitation,
    Response,
    ResponseMode,
    ReviewEvent,
    ReviewState,
)
from survey_app.models.fieldwork import Allocation, Assignment, SampleDesign, SelectedUnit
from survey_app.models.frame import CensusMargin, Frame, FrameUnit, UnitLevel
from survey_app.models.privacy import InvitationContact
from survey_app.models.ratelimits import RateLimitCounter
from survey_app.models.resident import PartialResponse
from survey_app.models.surveys import Indicator, QuestionnaireVersion, Survey, Wave

__all__ = [
    "COMPLETE_DISPOSITIONS",
    "Allocation",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Base",
    "CensusMargin",
    "EstimateRecord",
    "EstimateRun",
    "Frame",
    "FrameUnit",
    "Indicator",
    "Invitation",
    "InvitationContact",
    "PartialResponse",
    "QuestionnaireVersion",
    "RateLimitCounter",
    "Response",
    "ResponseConflict",
    "ResponseMode",
    "ResponseRevision",
    "ResponseWeight",
    "ReviewEvent",
    "ReviewState",
    "Role",
    "SampleDesign",
    "SelectedUnit",
    "Survey",
    "UnitLevel",
    "User",
    "UserSession",
    "Wave",
    "WeightingRun",
]
