"""Which privacy notice a respondent was shown and whether they agreed: one record, every door.

The notice is part of the immutable questionnaire version a response answers, and the version
is a column of the response. The response's paradata also hold, under `consent`, the SHA-256 of
the notice text in the language shown (the words can be checked against the version; the hash
of public text identifies nobody) and how consent was given:

- `question`: the answer `agree` to the form's own question named `consent` (`decline` ends
  the interview as a refusal, AAPOR 2.11);
- `box`: on the web, the consent box the first page adds when the form has no such question.

A complete interview without consent is refused at every door: the web sends the resident back
to the consent on the first page; the tablet app and ODK Collect show only the form's own
questions, so from a form without a `consent` question a complete is refused as well (nothing
there records the respondent's agreement). Visits without an interview record no consent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from questionnaires.model import CONSENT_AGREE, CONSENT_QUESTION, Questionnaire
from survey_app.errors import InvalidInputError
from survey_app.i18n import N_
from survey_app.models import COMPLETE_DISPOSITIONS

PARADATA_KEY = "consent"
"""Where a response's paradata hold the consent record (and a web questionnaire in progress
holds its ticked consent box)."""
NOTICE_LANGUAGE = "notice_language"
"""Where a web questionnaire in progress keeps the language its first page, the one showing
the notice, was posted in."""

CONSENT_REQUIRED = N_("Please read the privacy notice and agree before answering.")
NO_CONSENT = N_(
    "a complete interview needs the respondent's consent: the answer 'agree' to the question "
    "'consent'"
)
NO_CONSENT_QUESTION = N_(
    "this questionnaire has no question 'consent', so no interview with it can record the "
    "respondent's consent; ask the survey group to add one (agree / decline)"
)


@dataclass(frozen=True, slots=True)
class Consent:
    """The respondent's answer to the consent request, and the notice it answered."""

    given: bool
    by: Literal["question", "box"]
    notice_language: str
    notice_sha256: str

    def as_paradata(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "by": self.by,
            "notice_language": self.notice_language,
            "notice_sha256": self.notice_sha256,
        }


def shown_notice(questionnaire: Questionnaire, language: str) -> tuple[str, str]:
    """The language and text of the privacy notice a form shown in `language` shows.

    The same fallbacks as `Questionnaire.localize` (and the tablet's `localize`): the language,
    the form's default language, its other languages, then any text; `("", "")` for none.
    """
    notice = questionnaire.privacy_notice
    codes = (language, questionnaire.default_language, *questionnaire.language_codes(), *notice)
    return next(((code, notice[code]) for code in codes if notice.get(code)), ("", ""))


def consent_of(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    language: str,
    box_ticked: bool = False,
) -> Consent | None:
    """How the respondent answered the consent request, shown in `language`.

    The form's `consent` question decides when it has one; otherwise the web page's box.
    None when nothing was answered (a visit without an interview).
    """
    by: Literal["question", "box"]
    if questionnaire.question(CONSENT_QUESTION) is not None:
        answer = answers.get(CONSENT_QUESTION)
        if answer is None:
            return None
        given, by = answer == CONSENT_AGREE, "question"
    elif box_ticked:
        given, by = True, "box"
    else:
        return None
    code, text = shown_notice(questionnaire, language)
    return Consent(
        given=given,
        by=by,
        notice_language=code,
        notice_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def lacks_consent(consent: Consent | None, disposition: str) -> bool:
    """Whether an interview ending with `disposition` would be complete without consent."""
    return disposition in COMPLETE_DISPOSITIONS and not (consent is not None and consent.given)


def device_consent(
    questionnaire: Questionnaire, answers: dict[str, Any], *, language: str, disposition: str
) -> Consent | None:
    """The consent of an interview from a tablet or ODK Collect; a complete without it is
    refused (`InvalidInputError`), naming a form that cannot record consent at all."""
    consent = consent_of(questionnaire, answers, language=language)
    if lacks_consent(consent, disposition):
        missing = questionnaire.question(CONSENT_QUESTION) is None
        raise InvalidInputError(NO_CONSENT_QUESTION if missing else NO_CONSENT)
    return consent


def with_consent(paradata: dict[str, Any], consent: Consent | None) -> dict[str, Any]:
    """`paradata` with the server's consent record in place of whatever was kept or sent under
    its key (the web page's box, a device's own idea) and of the web's notice language."""
    kept = {k: v for k, v in paradata.items() if k not in (PARADATA_KEY, NOTICE_LANGUAGE)}
    if consent is not None:
        kept[PARADATA_KEY] = consent.as_paradata()
    return kept
