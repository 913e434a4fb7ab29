"""Receiving an interview from a device (the tablet app or ODK Collect) exactly once.

`storage.store_response` stores a client UUID once. When the UUID is known with other content,
two cases remain, decided here:

- the stored response was **rejected** by a supervisor and its own enumerator sends a new
  version: the correction replaces the content (the old content is kept as a revision), the
  review starts again and the history records the step;
- otherwise the new version is a **conflict**: it is kept beside the response (once per
  distinct content), the response is marked for the supervisor, nothing is overwritten.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.collection.storage import Submission, content_hash, store_response
from survey_app.errors import ConflictError
from survey_app.models import (
    Response,
    ResponseConflict,
    ResponseRevision,
    ReviewEvent,
    ReviewState,
)


class Outcome(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    REVISED = "revised"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Received:
    outcome: Outcome
    response_id: int


async def receive(db: AsyncSession, submission: Submission) -> Received:
    """Store `submission` once; a resent correction of a rejected interview replaces it."""
    try:
        stored = await store_response(db, submission)
    except ConflictError:
        return await _known_uuid_with_new_content(db, submission)
    return Received(Outcome.STORED if stored.created else Outcome.DUPLICATE, stored.response_id)


async def _known_uuid_with_new_content(db: AsyncSession, submission: Submission) -> Received:
    existing = await db.scalar(
        select(Response).where(Response.client_uuid == submission.client_uuid)
    )
    if existing is None:  # pragma: no cover - storage raised a conflict for this very row
        raise ConflictError(f"response {submission.client_uuid} vanished while being received")
    response_id = existing.id
    digest = content_hash(submission.answers, submission.disposition)
    if (
        existing.review_state == ReviewState.REJECTED
        and existing.enumerator_id is not None
        and existing.enumerator_id == submission.enumerator_id
        and await _revise(db, existing, submission, digest)
    ):
        return Received(Outcome.REVISED, response_id)
    await db.refresh(existing)
    if existing.content_hash == digest:
        return Received(Outcome.DUPLICATE, response_id)
    await _keep_conflict(db, response_id, submission, digest)
    return Received(Outcome.CONFLICT, response_id)


async def _revise(
    db: AsyncSession, existing: Response, submission: Submission, digest: str
) -> bool:
    """Replace a rejected response's content; False when another request changed it first."""
    old = ResponseRevision(
        response_id=existing.id,
        disposition=existing.disposition,
        answers=existing.answers,
        paradata=existing.paradata,
        content_hash=existing.content_hash,
    )
    changed = await db.execute(
        update(Response)
        .where(
            Response.id == existing.id,
            Response.review_state == ReviewState.REJECTED,
            Response.content_hash == existing.content_hash,
        )
        .values(
            answers=submission.answers,
            paradata=submission.paradata,
            disposition=submission.disposition,
            content_hash=digest,
            review_state=ReviewState.RECEIVED,
            started_at=submission.started_at,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        await db.rollback()
        return False
    db.add(old)
    db.add(
        ReviewEvent(response_id=existing.id, actor_id=submission.enumerator_id, action="revised")
    )
    await db.commit()
    return True


async def _keep_conflict(
    db: AsyncSession, response_id: int, submission: Submission, digest: str
) -> None:
    """Keep the conflicting version once and mark the response for the supervisor."""
    known = await db.scalar(
        select(ResponseConflict.id).where(
            ResponseConflict.response_id == response_id,
            ResponseConflict.content_hash == digest,
        )
    )
    if known is not None:
        return
    db.add(
        ResponseConflict(
            response_id=response_id,
            sender_id=submission.enumerator_id,
            disposition=submission.disposition,
            answers=submission.answers,
            paradata=submission.paradata,
            content_hash=digest,
        )
    )
    db.add(
        ReviewEvent(response_id=response_id, actor_id=submission.enumerator_id, action="conflict")
    )
    await db.execute(
        update(Response)
        .where(Response.id == response_id)
        .values(review_state=ReviewState.CONFLICT)
        .execution_options(synchronize_session=False)
    )
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()


def parse_client_uuid(text: str) -> uuid.UUID | None:
    """A client UUID from its text form (`uuid:` prefix allowed, as ODK writes it)."""
    try:
        return uuid.UUID(text.strip().removeprefix("uuid:"))
    except ValueError:
        return None
