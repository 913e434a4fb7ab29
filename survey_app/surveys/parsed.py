"""A questionnaire version row as the `Questionnaire` it holds, parsed and checked once.

A version row never changes once written, so its parsed form is kept in process memory, keyed
by id and creation time (an id reused after the table was emptied, with other content, is a
new key). The memo holds nothing that could differ between worker processes or app servers:
each derives the same value from the same row. Callers holding the row call
`questionnaire_of`; the upload path, which reads a version's id and creation time together with
the assignment, calls `submitted_questionnaire`, which reads the row only when it is not known.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.model import Questionnaire
from questionnaires.serialization import from_json
from survey_app.models import QuestionnaireVersion

MEMO_SIZE = 64
_memo: dict[tuple[int, dt.datetime], Questionnaire] = {}


def questionnaire_of(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire stored as JSON in `version`."""
    key = (version.id, version.created_at)
    found = _memo.get(key)
    if found is None:
        found = from_json(msgspec.json.encode(version.definition))
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = found
    return found


async def submitted_questionnaire(
    db: AsyncSession, version_id: int, created_at: dt.datetime
) -> Questionnaire:
    """The questionnaire of version `version_id`, created at `created_at`."""
    found = _memo.get((version_id, created_at))
    if found is None:
        found = questionnaire_of(await db.get_one(QuestionnaireVersion, version_id))
    return found
