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
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import CONSENT_QUESTION, Group
from questionnaires.validation import validate_answers
from survey_app.collection.consent import CONSENT_REQUIRED, NOTICE_LANGUAGE, PARADATA_KEY
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
from survey_app.collection.forms import answers_from_form, page_questions
from survey_app.collection.navigation import Route, today
from survey_app.collection.schemas import (
    Finished,
    Moved,
    PagePost,
    Problems,
    ResidentPage,
    SurveyTarget,
)
from survey_app.collection.submission import finish
from survey_app.errors import NotFoundError
from survey_app.i18n import translations_for_language
from survey_app.models import Invitation, PartialResponse
from survey_app.surveys.parsed import questionnaire_of
from survey_app.surveys.services import current_wave, latest_questionnaire, survey_by_slug

LONGEST_PAGE_SECONDS = 3600.0


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
        questionnaire=questionnaire_of(version),
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
        paradata[PARADATA_KEY] = True
    partial.answers = answers
    route = Route.of(target.questionnaire, answers, today())
    if route.before(page) is None:
        paradata[NOTICE_LANGUAGE] = language
    outcome: Moved | Problems
    if post.action == "next":
        problems = page_problems(target, answers, page, language)
        if not target.asks_consent and not paradata.get(PARADATA_KEY):
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
