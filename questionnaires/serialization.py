"""JSON for questionnaires (the app stores each version's definition as JSON)."""

from __future__ import annotations

import msgspec

from questionnaires.checks import validate_questionnaire
from questionnaires.errors import DefinitionError, DefinitionProblem
from questionnaires.model import Questionnaire

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Questionnaire)


def to_json(questionnaire: Questionnaire) -> bytes:
    """Compact UTF-8 JSON; fields at their default value are left out."""
    return _ENCODER.encode(questionnaire)


def from_json(data: bytes | str) -> Questionnaire:
    """Decode and check a questionnaire; raise :class:`DefinitionError` if either step fails."""
    try:
        questionnaire = _DECODER.decode(data)
    except msgspec.DecodeError as error:
        raise DefinitionError(
            [DefinitionProblem(code="bad_json", message=str(error), field="json")]
        ) from error
    return validate_questionnaire(questionnaire)
