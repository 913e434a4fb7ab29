"""The parsed form of a questionnaire version that devices submit against.

A version row never changes once written, so its parsed form is kept in process memory, keyed
by id and creation time (a reused id with new content is a new key): the caller reads both
with whatever else it reads, and the definition is read and parsed once per process. The memo
holds no state that could differ between worker processes: each derives the same value from
the same row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from survey_app.collection.forms import questionnaire_of
from survey_app.models import QuestionnaireVersion

MEMO_SIZE = 64
_memo: dict[tuple[int, dt.datetime], Questionnaire] = {}


async def submitted_questionnaire(
    db: AsyncSession, version_id: int, created_at: dt.datetime
) -> Questionnaire:
    """The form of version `version_id`, created at `created_at`; read and parsed only once."""
    key = (version_id, created_at)
    if key not in _memo:
        version = await db.get_one(QuestionnaireVersion, version_id)
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = questionnaire_of(version.id, version.definition)
    return _memo[key]
