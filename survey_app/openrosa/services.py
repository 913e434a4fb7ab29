"""OpenRosa 1.0 for ODK Collect: who is asking, which forms they get, storing a submission once.

Form discovery lists the newest questionnaire version of each survey in which the enumerator
has assignments; a submission may answer any version of those surveys. The instance's
`meta/instanceID` is the client UUID, so the exactly-once rules of the tablet app apply: the
same XML again is accepted again, other content under the same ID is a conflict (409) kept for
the supervisor, and a correction of a rejected interview replaces it.
Collect does not say which language it showed, so the consent record names the version's
privacy notice in the form's default language, the one Collect opens with.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.errors import SubmissionError
from questionnaires.model import Questionnaire
from questionnaires.validation import validate_answers
from questionnaires.xform import to_xform
from questionnaires.xform_submission import read_submission
from survey_app.accounts.passwords import verify_password
from survey_app.accounts.services import record_failed_login, refuse_if_locked_out
from survey_app.capi.dispositions import finished_form_disposition
from survey_app.capi.receiving import Outcome, parse_client_uuid, receive
from survey_app.capi.services import coarse_paradata, parse_time
from survey_app.collection.consent import device_consent, with_consent
from survey_app.collection.storage import Submission
from survey_app.errors import (
    ConflictError,
    InvalidInputError,
    MinyiError,
    NotAuthenticatedError,
    NotFoundError,
)
from survey_app.i18n import N_
from survey_app.models import (
    Assignment,
    FrameUnit,
    QuestionnaireVersion,
    ResponseMode,
    Role,
    User,
    Wave,
)
from survey_app.surveys.parsed import questionnaire_of

XFORMS_LIST = "http://openrosa.org/xforms/xformsList"
INSTANCE_NAMESPACE = uuid.UUID("6b0e8f5a-4d1c-4b0e-9a57-0d2f3c1e7a11")
"""Names instance IDs that are not UUIDs (uuid5), so each still maps to one client UUID."""


class MalformedSubmissionError(MinyiError):
    """The POST is not an OpenRosa submission (no `xml_submission_file`, unreadable XML)."""


async def enumerator_from_basic_auth(db: AsyncSession, header: str | None) -> User:
    """The active enumerator named by an HTTP Basic `Authorization` header; failures count
    towards the same lockout as the sign-in form. Whoever the name is, the password is checked,
    so timing does not tell which usernames exist."""
    if not header or not header.lower().startswith("basic "):
        raise NotAuthenticatedError(N_("sign in with your enumerator username and password"))
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticatedError(N_("wrong username or password")) from None
    username, _, password = decoded.partition(":")
    if "\x00" in username:
        raise NotAuthenticatedError(N_("wrong username or password"))
    username = username.strip()[:64]
    await refuse_if_locked_out(db, username)
    user = await db.scalar(select(User).where(User.username == username))
    password_ok = verify_password(None if user is None else user.password_hash, password)
    if user is None or not user.is_active or user.role != Role.ENUMERATOR or not password_ok:
        await record_failed_login(db, username)
        raise NotAuthenticatedError(N_("wrong username or password"))
    return user


@dataclass(frozen=True, slots=True)
class FormEntry:
    version_id: int
    form_id: str
    name: str
    version: str
    xform: bytes

    @property
    def md5(self) -> str:
        return "md5:" + hashlib.md5(self.xform, usedforsecurity=False).hexdigest()


async def _waves_of(db: AsyncSession, user: User) -> list[Wave]:
    return list(
        await db.scalars(
            select(Wave)
            .join(Assignment, Assignment.wave_id == Wave.id)
            .where(Assignment.enumerator_id == user.id, Wave.is_open)
            .distinct()
        )
    )


async def _versions_of(db: AsyncSession, user: User) -> list[QuestionnaireVersion]:
    survey_ids = {wave.survey_id for wave in await _waves_of(db, user)}
    return list(
        await db.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.survey_id.in_(survey_ids))
            .order_by(QuestionnaireVersion.id.desc())
        )
    )


def _entry(version: QuestionnaireVersion) -> FormEntry:
    questionnaire = questionnaire_of(version)
    return FormEntry(
        version_id=version.id,
        form_id=questionnaire.id,
        name=questionnaire.localize(questionnaire.title, questionnaire.default_language),
        version=questionnaire.version,
        xform=to_xform(questionnaire).encode("utf-8"),
    )


async def form_list(db: AsyncSession, user: User, base_url: str, form_id: str = "") -> bytes:
    """The OpenRosa form discovery document (`xformsList`) for the enumerator."""
    newest: dict[int, QuestionnaireVersion] = {}
    for version in await _versions_of(db, user):
        newest.setdefault(version.survey_id, version)
    root = ET.Element("xforms", xmlns=XFORMS_LIST)
    for version in newest.values():
        entry = _entry(version)
        if form_id and entry.form_id != form_id:
            continue
        node = ET.SubElement(root, "xform")
        ET.SubElement(node, "formID").text = entry.form_id
        ET.SubElement(node, "name").text = entry.name
        ET.SubElement(node, "version").text = entry.version
        ET.SubElement(node, "hash").text = entry.md5
        ET.SubElement(
            node, "downloadUrl"
        ).text = f"{base_url.rstrip('/')}/openrosa/forms/{entry.version_id}/form.xml"
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


async def form_download(db: AsyncSession, user: User, version_id: int) -> bytes:
    for version in await _versions_of(db, user):
        if version.id == version_id:
            return _entry(version).xform
    raise NotFoundError(N_("there is no such form for you"))


@dataclass(frozen=True, slots=True)
class Accepted:
    created: bool
    response_id: int


def _match(
    versions: list[QuestionnaireVersion], xml: bytes
) -> tuple[QuestionnaireVersion, Questionnaire, str, dict[str, object]]:
    problem = N_("the submission is for a form you do not have")
    for version in versions:
        questionnaire = questionnaire_of(version)
        try:
            parsed = read_submission(questionnaire, xml)
        except SubmissionError as error:
            if "is for form" not in str(error):
                raise MalformedSubmissionError(str(error)) from None
            continue
        return version, questionnaire, parsed.instance_id, parsed.answers
    raise NotFoundError(problem)


async def _unit_for(
    db: AsyncSession, user: User, version: QuestionnaireVersion, answers: dict[str, object]
) -> Assignment:
    rows = (
        (
            await db.execute(
                select(Assignment, FrameUnit.code)
                .join(Wave, Wave.id == Assignment.wave_id)
                .join(FrameUnit, FrameUnit.id == Assignment.unit_id)
                .where(Assignment.enumerator_id == user.id, Wave.survey_id == version.survey_id)
                .order_by(Wave.number.desc(), Assignment.id)
            )
        )
        .tuples()
        .all()
    )
    if not rows:
        raise NotFoundError(N_("the submission is for a form you do not have"))
    for assignment, code in rows:
        if code == answers.get("community"):
            return assignment
    return rows[0][0]


def _paradata(answers: dict[str, object], attachments: int) -> dict[str, object]:
    paradata: dict[str, object] = {"source": "odk_collect", "attachments": attachments}
    start, end = answers.get("start"), answers.get("end")
    if isinstance(start, str):
        paradata["started_at"] = start
    if isinstance(end, str):
        paradata["ended_at"] = end
    try:
        seconds = (
            dt.datetime.fromisoformat(str(end)) - dt.datetime.fromisoformat(str(start))
        ).total_seconds()
    except (TypeError, ValueError):
        return paradata
    paradata["duration_seconds"] = round(seconds, 1)
    return paradata


async def receive_submission(
    db: AsyncSession, user: User, xml: bytes | None, attachments: int, language: str
) -> Accepted:
    """Validate and store an instance once; raise `ConflictError` for other content."""
    if not xml:
        raise MalformedSubmissionError(N_("the request has no xml_submission_file"))
    version, questionnaire, instance_id, raw = _match(await _versions_of(db, user), xml)
    client_uuid = parse_client_uuid(instance_id) or uuid.uuid5(INSTANCE_NAMESPACE, instance_id)
    result = validate_answers(questionnaire, raw, language=language)
    if not result.valid:
        raise InvalidInputError(
            N_("some answers need another look"),
            details=[{"name": p.name, "message": p.message} for p in result.problems],
        )
    disposition = finished_form_disposition(questionnaire, result.answers)
    consent = device_consent(
        questionnaire,
        result.answers,
        language=questionnaire.default_language,
        disposition=disposition,
    )
    assignment = await _unit_for(db, user, version, result.answers)
    device = str(result.answers.get("deviceid") or "")
    paradata = with_consent(
        coarse_paradata(_paradata(result.answers, attachments), device[:64]), consent
    )
    started = paradata.get("started_at")
    received = await receive(
        db,
        Submission(
            client_uuid=client_uuid,
            wave_id=assignment.wave_id,
            questionnaire_version_id=version.id,
            mode=ResponseMode.OPENROSA,
            is_probability_sample=True,
            answers=result.answers,
            paradata=paradata,
            disposition=disposition,
            unit_id=assignment.unit_id,
            enumerator_id=user.id,
            started_at=parse_time(started),
        ),
    )
    if received.outcome == Outcome.CONFLICT:
        raise ConflictError(
            N_("another version of this submission is already stored; your supervisor will decide")
        )
    return Accepted(created=received.outcome != Outcome.DUPLICATE, response_id=received.response_id)
