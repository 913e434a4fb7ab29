"""The resident's web questionnaire: start, answer page by page, save, resume, finish once.

Answers live server-side in a `PartialResponse` under a secret resume token until the last
page; finishing validates the whole answer set with the questionnaire's own rules and stores it
through `storage.store_response` under the partial's client UUID, so a double click, a refresh
or a retry from another device stores one response. Open-link answers are a non-probability
sample; invitation answers are part of the probability sample.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Group, Questionnaire
from questionnaires.validation import validate_answers
from survey_app.collection.entry import (
    CLOSED,
    NO_SURVEY,
    RESUME_UNKNOWN,
    USED,
    Visitor,
    check_open_link_limits,
    notice,
    usable_invitation,
)
from survey_app.collection.forms import answers_from_form, page_questions, questionnaire_of
from survey_app.collection.navigation import CONSENT_QUESTION, Route
from survey_app.collection.storage import Submission, content_hash, store_response
from survey_app.errors import NotFoundError
from survey_app.i18n import N_, translations_for_language
from survey_app.models import (
    FrameUnit,
    Invitation,
    PartialResponse,
    Response,
    ResponseMode,
    Survey,
    UnitLevel,
    Wave,
)
from survey_app.surveys.services import current_wave, latest_questionnaire, survey_by_slug

Action = Literal["next", "back", "save", "refresh"]
LONGEST_PAGE_SECONDS = 3600.0
CONSENT_REQUIRED = N_("Please read the privacy notice and agree before answering.")


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


def today() -> dt.date:
    return dt.date.today()


async def survey_target(db: AsyncSession, slug: str) -> SurveyTarget:
    """The survey behind `slug` with its open wave; a notice when there is none."""
    try:
        survey = await survey_by_slug(db, slug)
        wave = await current_wave(db, survey)
        version = await latest_questionnaire(db, survey)
    except NotFoundError:
        raise notice(404, NO_SURVEY) from None
    if not wave.is_open:
        raise notice(410, CLOSED)
    return SurveyTarget(
        survey=survey,
        wave=wave,
        version_id=version.id,
        questionnaire=questionnaire_of(version.id, version.definition),
    )


async def resumed(
    db: AsyncSession, target: SurveyTarget, resume_token: str, visitor: Visitor
) -> PartialResponse:
    """The partial response behind a resume link; a notice when there is none."""
    partial = await db.scalar(
        select(PartialResponse).where(
            PartialResponse.resume_token == resume_token,
            PartialResponse.wave_id == target.wave.id,
        )
    )
    if partial is None:
        raise notice(404, RESUME_UNKNOWN)
    if partial.finished_at is None and visitor.has_device_cookie:
        devices = set(partial.paradata.get("devices", []))
        if visitor.device_hash[:12] not in devices:
            partial.paradata = {
                **partial.paradata,
                "devices": sorted(devices | {visitor.device_hash[:12]}),
            }
            await db.commit()
    return partial


def _new_partial(
    target: SurveyTarget,
    visitor: Visitor,
    client_uuid: uuid.UUID,
    invitation: Invitation | None,
    now: dt.datetime,
) -> PartialResponse:
    return PartialResponse(
        resume_token=secrets.token_urlsafe(24),
        client_uuid=client_uuid,
        wave_id=target.wave.id,
        questionnaire_version_id=target.version_id,
        invitation_id=invitation.id if invitation else None,
        answers={},
        paradata={
            "started_at": now.isoformat(),
            "channel": "invitation" if invitation else "open_link",
            "devices": [visitor.device_hash[:12]],
            "page_seconds": {},
            "page_visits": {},
        },
        page=first_page(target).name,
        address_hash=visitor.address_hash,
        device_hash=visitor.device_hash,
    )


async def start_open_link(
    db: AsyncSession, target: SurveyTarget, visitor: Visitor, start_uuid: str
) -> PartialResponse:
    """The partial response for an open-link start; the same one again for a repeated post."""
    try:
        client_uuid = uuid.UUID(start_uuid)
    except ValueError:
        client_uuid = uuid.uuid4()
    existing = await db.scalar(
        select(PartialResponse).where(PartialResponse.client_uuid == client_uuid)
    )
    if existing is not None and existing.device_hash == visitor.device_hash:
        return existing
    if existing is not None:
        client_uuid = uuid.uuid4()
    now = dt.datetime.now(dt.UTC)
    await check_open_link_limits(db, visitor, now)
    partial = _new_partial(target, visitor, client_uuid, None, now)
    db.add(partial)
    await db.flush()
    return partial


async def enter_invitation(
    db: AsyncSession, target: SurveyTarget, token: str, visitor: Visitor
) -> PartialResponse:
    """The partial response to continue for an invitation, started if need be.

    An invitation answers `uses_left` more times; while that many questionnaires are under way
    for it, the link resumes the newest instead of starting another.
    """
    now = dt.datetime.now(dt.UTC)
    invitation = await usable_invitation(db, target.wave.id, token, now)
    if invitation.uses_left <= 0:
        raise notice(410, USED)
    under_way = list(
        await db.scalars(
            select(PartialResponse)
            .where(
                PartialResponse.invitation_id == invitation.id,
                PartialResponse.finished_at.is_(None),
            )
            .order_by(PartialResponse.updated_at.desc())
        )
    )
    if len(under_way) >= invitation.uses_left:
        return under_way[0]
    partial = _new_partial(target, visitor, uuid.uuid4(), invitation, now)
    db.add(partial)
    await db.commit()
    return partial


def first_page(target: SurveyTarget) -> Group:
    """The page a new resident sees first (what the open link shows)."""
    return Route.of(target.questionnaire, {}, today()).first()


def page_of(target: SurveyTarget, partial: PartialResponse, name: str | None) -> Group:
    """The page `name` if the resident has reached it, else the page they are on."""
    route = Route.of(target.questionnaire, partial.answers, today())
    current = route.index(partial.page) or 0
    furthest = max(int(partial.paradata.get("furthest", 0)), current)
    index = route.index(name) if name else None
    if index is None or index > furthest or not route.is_shown(route.pages[index]):
        return route.pages[current]
    return route.pages[index]


def page_problems(
    target: SurveyTarget, answers: Mapping[str, Any], page: Group, language: str
) -> dict[str, str]:
    """Messages for the questions on `page` that cannot be accepted as answered."""
    on_page = {q.name for q in page_questions(page)}
    result = validate_answers(target.questionnaire, answers, language=language, today=today())
    return {p.name: p.message for p in result.problems if p.name in on_page}


def _seconds_on_page(shown_at: str, now: dt.datetime) -> float:
    try:
        shown = dt.datetime.fromisoformat(shown_at)
    except ValueError:
        return 0.0
    shown = shown if shown.tzinfo else shown.replace(tzinfo=dt.UTC)
    return round(min(max((now - shown).total_seconds(), 0.0), LONGEST_PAGE_SECONDS), 1)


async def save_page(
    db: AsyncSession,
    target: SurveyTarget,
    partial: PartialResponse,
    page: Group,
    post: PagePost,
    *,
    language: str,
) -> Moved | Problems:
    """Keep what was posted on `page`, then move as the resident asked.

    Nothing posted is lost: the answers are saved even when the page has problems, which block
    only going forward. Time on the page and the visit are added to the paradata.
    """
    if partial.finished_at is not None:
        return Moved(page=None)
    now = dt.datetime.now(dt.UTC)
    posted, blank = answers_from_form(page_questions(page), post.fields)
    answers = {k: v for k, v in partial.answers.items() if k not in blank}
    answers.update(posted)
    paradata = dict(partial.paradata)
    paradata["page_seconds"] = {
        **paradata.get("page_seconds", {}),
        page.name: round(
            paradata.get("page_seconds", {}).get(page.name, 0.0)
            + _seconds_on_page(post.shown_at, now),
            1,
        ),
    }
    paradata["page_visits"] = {
        **paradata.get("page_visits", {}),
        page.name: paradata.get("page_visits", {}).get(page.name, 0) + 1,
    }
    paradata["javascript"] = post.javascript
    paradata["language"] = language
    if post.consent:
        paradata["consent"] = True
    partial.answers = answers
    route = Route.of(target.questionnaire, answers, today())
    outcome: Moved | Problems
    if post.action == "next":
        problems = page_problems(target, answers, page, language)
        if not target.asks_consent and not paradata.get("consent"):
            problems[CONSENT_QUESTION] = translations_for_language(language).gettext(
                CONSENT_REQUIRED
            )
        following = route.after(page)
        if problems:
            outcome = Problems(page.name, problems)
        elif following is None:
            outcome = Moved(page=None)
        else:
            outcome = Moved(page=following.name)
    elif post.action == "back":
        previous = route.before(page)
        outcome = Moved(page=(previous or page).name)
    else:
        outcome = Moved(page=page.name, saved=post.action == "save")
    if isinstance(outcome, Moved) and outcome.page is not None:
        partial.page = outcome.page
        reached = route.index(outcome.page) or 0
        paradata["furthest"] = max(int(paradata.get("furthest", 0)), reached)
    partial.paradata = paradata
    await db.commit()
    return outcome


async def finish(
    db: AsyncSession, target: SurveyTarget, partial: PartialResponse, language: str
) -> Problems | None:
    """Store the finished questionnaire exactly once; problems send the resident back.

    Committed before the thank-you page is shown. An invitation's use is taken in the same
    transaction as the response, so an invitation can never answer more often than allowed.
    """
    if partial.finished_at is not None:
        return None
    route = Route.of(target.questionnaire, partial.answers, today())
    result = validate_answers(
        target.questionnaire, partial.answers, language=language, today=today()
    )
    if result.problems:
        names = {p.name for p in result.problems}
        first = next(
            (
                page
                for page in route.pages
                if route.is_shown(page) and names & {q.name for q in page_questions(page)}
            ),
            None,
        )
        page_name = first.name if first is not None else partial.page
        return Problems(page_name, {p.name: p.message for p in result.problems})
    last = route.pages[route.index(partial.page) or 0]
    disposition = route.disposition(last)
    now = dt.datetime.now(dt.UTC)
    started = dt.datetime.fromisoformat(partial.paradata["started_at"])
    paradata = {
        **partial.paradata,
        "submitted_at": now.isoformat(),
        "duration_seconds": round((now - started).total_seconds(), 1),
    }
    if await _is_duplicate(db, target, partial, result.answers, disposition):
        partial.paradata = {**paradata, "duplicate": True}
        partial.finished_at, partial.disposition = now, disposition
        await db.commit()
        return None
    client_uuid = partial.client_uuid
    invitation = await db.get(Invitation, partial.invitation_id) if partial.invitation_id else None
    if invitation is not None:
        taken = await db.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.uses_left > 0)
            .values(uses_left=Invitation.uses_left - 1)
        )
        if cast("CursorResult[Any]", taken).rowcount == 0:
            await db.rollback()
            stored = await db.scalar(
                select(Response.id).where(Response.client_uuid == client_uuid)
            )
            if stored is None:
                raise notice(410, USED)
            return None
    partial.finished_at, partial.disposition, partial.paradata = now, disposition, paradata
    await store_response(
        db,
        Submission(
            client_uuid=partial.client_uuid,
            wave_id=target.wave.id,
            questionnaire_version_id=partial.questionnaire_version_id,
            mode=ResponseMode.WEB,
            is_probability_sample=invitation is not None,
            answers=result.answers,
            paradata=paradata,
            disposition=disposition,
            unit_id=invitation.unit_id
            if invitation is not None
            else await _community_unit(db, target, result.answers),
            invitation_id=invitation.id if invitation is not None else None,
            started_at=started,
        ),
    )
    return None


async def _is_duplicate(
    db: AsyncSession,
    target: SurveyTarget,
    partial: PartialResponse,
    answers: dict[str, Any],
    disposition: str,
) -> bool:
    """Whether this device already sent exactly these open-link answers in this wave."""
    if partial.invitation_id is not None:
        return False
    found = await db.scalar(
        select(func.count())
        .select_from(Response)
        .join(PartialResponse, PartialResponse.client_uuid == Response.client_uuid)
        .where(
            Response.wave_id == target.wave.id,
            Response.content_hash == content_hash(answers, disposition),
            PartialResponse.device_hash == partial.device_hash,
            PartialResponse.id != partial.id,
        )
    )
    return bool(found)


async def _community_unit(
    db: AsyncSession, target: SurveyTarget, answers: Mapping[str, Any]
) -> int | None:
    """The frame's community that an open-link resident named, for domain estimates."""
    code = answers.get(UnitLevel.COMMUNITY.value)
    if target.survey.frame_id is None or not isinstance(code, str):
        return None
    unit_id: int | None = await db.scalar(
        select(FrameUnit.id).where(
            FrameUnit.frame_id == target.survey.frame_id,
            FrameUnit.level == UnitLevel.COMMUNITY,
            FrameUnit.code == code,
        )
    )
    return unit_id


async def answer_page(
    db: AsyncSession,
    target: SurveyTarget,
    partial: PartialResponse,
    page: Group,
    post: PagePost,
    *,
    language: str,
) -> Moved | Problems | Finished:
    """Save a posted page and, when it was the last one, finish the questionnaire."""
    outcome = await save_page(db, target, partial, page, post, language=language)
    if isinstance(outcome, Moved) and outcome.page is None:
        problems = await finish(db, target, partial, language)
        return Finished() if problems is None else problems
    return outcome


@dataclass(frozen=True, slots=True)
class ResidentPage:
    """A resident's questionnaire and the page they are looking at."""

    target: SurveyTarget
    partial: PartialResponse
    page: Group
    slug: str
    resume_token: str
    """The survey's slug and the resume token, read before anything can expire them."""


async def open_page(
    db: AsyncSession, slug: str, resume_token: str, visitor: Visitor, page_name: str | None
) -> ResidentPage:
    """The page of a resume link (the page reached last when `page_name` is None)."""
    target = await survey_target(db, slug)
    partial = await resumed(db, target, resume_token, visitor)
    return ResidentPage(
        target, partial, page_of(target, partial, page_name), slug, partial.resume_token
    )


async def post_page(
    db: AsyncSession,
    slug: str,
    resume_token: str,
    *,
    visitor: Visitor,
    page_name: str,
    post: PagePost,
    language: str,
) -> tuple[ResidentPage, Moved | Problems | Finished]:
    """Answer one page of a resume link; see `answer_page`."""
    shown = await open_page(db, slug, resume_token, visitor, page_name)
    if shown.partial.finished_at is not None:
        return shown, Finished()
    outcome = await answer_page(
        db, shown.target, shown.partial, shown.page, post, language=language
    )
    return shown, outcome


async def enter_survey(
    db: AsyncSession, slug: str, token: str, visitor: Visitor
) -> tuple[SurveyTarget, PartialResponse]:
    """Follow an invitation link to the questionnaire it opens."""
    target = await survey_target(db, slug)
    return target, await enter_invitation(db, target, token, visitor)


async def open_start(
    db: AsyncSession, slug: str, visitor: Visitor, post: PagePost, language: str
) -> tuple[ResidentPage, Moved | Problems | Finished]:
    """Answer the first page of the open link, starting a questionnaire."""
    target = await survey_target(db, slug)
    partial = await start_open_link(db, target, visitor, post.start_uuid)
    shown = ResidentPage(target, partial, first_page(target), slug, partial.resume_token)
    return shown, await answer_page(db, target, partial, shown.page, post, language=language)
