"""Posted fields of the survey pages (forms and uploads) turned into schemas."""

from __future__ import annotations

import math
from typing import Any

from litestar.datastructures import FormMultiDict, UploadFile

from survey_app.errors import InvalidInputError
from survey_app.i18n import N_
from survey_app.surveys.schemas import IndicatorCreate, IndicatorUpdate


def text(fields: FormMultiDict, name: str) -> str:
    value = fields.get(name, "")
    return value.strip() if isinstance(value, str) else ""


async def upload(fields: FormMultiDict, name: str = "file") -> bytes:
    """The bytes of the uploaded file `name`; empty when no file was chosen."""
    value: Any = fields.get(name)
    return await value.read() if isinstance(value, UploadFile) else b""


def _threshold(fields: FormMultiDict) -> float:
    """The threshold typed as a percentage (`90` or `85.5`) as a share (0.9, 0.855)."""
    raw = text(fields, "threshold").rstrip("%").strip()
    try:
        value = float(raw) / 100
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value):
        raise InvalidInputError(
            N_("the threshold must be a percentage such as 90"),
            details=[{"field": "threshold", "message": raw}],
        )
    return value


def _label(fields: FormMultiDict) -> dict[str, str]:
    return {"zh": text(fields, "label_zh"), "en": text(fields, "label_en")}


def indicator_update(fields: FormMultiDict) -> IndicatorUpdate:
    return IndicatorUpdate(
        threshold=_threshold(fields), direction=text(fields, "direction"), label=_label(fields)
    )


def indicator_create(fields: FormMultiDict) -> IndicatorCreate:
    return IndicatorCreate(
        code=text(fields, "code"),
        label=_label(fields),
        question=text(fields, "question"),
        numerator=[str(code) for code in fields.getall("numerator", [])],
        denominator=[str(code) for code in fields.getall("denominator", [])],
        threshold=_threshold(fields),
        direction=text(fields, "direction"),
        domains=[str(name) for name in fields.getall("domains", [])],
    )


def frame_id(fields: FormMultiDict) -> int | None:
    raw = text(fields, "frame_id")
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInputError(
            N_("choose a sampling frame from the list"),
            details=[{"field": "frame_id", "message": raw}],
        )
    return int(raw)
