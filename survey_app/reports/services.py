"""Reports and exports of a weighting run, with the audit trail the Statistics Law expects."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services as analysis
from survey_app.errors import InvalidInputError, PermissionDeniedError
from survey_app.i18n import N_
from survey_app.models import AuditEvent, Role, User, WeightingRun
from survey_app.reports.content import report_content
from survey_app.reports.excel import render_excel
from survey_app.reports.microdata import (
    FORMATS,
    build_microdata,
    codebook,
    export,
    r_snippet,
    stata_snippet,
)
from survey_app.reports.pdf import render_pdf

REPORT_FORMATS = ("pdf", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "zip": "application/zip",
}
FREE_TEXT_ROLES = frozenset({Role.ADMIN})
"""Who may add free-text answers to an export: they can hold a name, a phone number or an
address (a text question the questionnaire asks, or what a respondent writes), so by default
no export carries them; the command line (no actor: whoever runs it has the database) may."""


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    body: bytes


async def report(
    db: AsyncSession, run: WeightingRun, kind: str, language: str, actor_id: int | None
) -> Download:
    """The PDF or Excel report of `run` in `language` (zh or en)."""
    if kind not in REPORT_FORMATS:
        raise InvalidInputError(
            f"unknown report format {kind!r}; use one of {', '.join(REPORT_FORMATS)}"
        )
    content = await report_content(db, run, language)
    body = render_pdf(content) if kind == "pdf" else render_excel(content)
    await _audit(db, actor_id, f"report_{kind}", run)
    return Download(f"minyi-report-run{run.id}.{kind}", MEDIA_TYPES[kind], body)


async def microdata_files(
    db: AsyncSession,
    run: WeightingRun,
    kind: str,
    language: str,
    actor_id: int | None,
    *,
    stem: str = "",
    include_text: bool = False,
) -> dict[str, bytes]:
    """The microdata of `run` as CSV, SPSS or Stata (first), with the CSV, its codebook and
    the R (and for Stata the do-file) snippets declaring the design. Free-text answers only
    when `include_text` and the actor's role is in `FREE_TEXT_ROLES`; a refusal is audited."""
    if kind not in FORMATS:
        raise InvalidInputError(f"unknown export format {kind!r}; use one of {', '.join(FORMATS)}")
    if include_text and actor_id is not None:
        actor = await db.get(User, actor_id)
        if actor is None or actor.role not in FREE_TEXT_ROLES:
            await _audit(db, actor_id, f"export_{kind}_refused", run, {"free_text": True})
            raise PermissionDeniedError(
                N_(
                    "only an administrator may export free-text answers: they can name or "
                    "locate a respondent"
                )
            )
    data, cases = await analysis.weighted_cases(db, run)
    if not cases:
        raise InvalidInputError(f"weighting run {run.id} weights no respondent")
    micro = build_microdata(data, cases, language, include_text=include_text)
    stem = stem or f"minyi-run{run.id}"
    runs = await analysis.estimate_runs_of(db, run)
    settings = runs[-1].settings if runs else {}
    method = str(settings.get("method", "logit"))
    level = float(settings.get("confidence_level", 0.95))
    files = {f"{stem}.{kind}": export(micro, kind)}
    if kind != "csv":
        files[f"{stem}.csv"] = export(micro, "csv")
    files[f"{stem}-codebook.csv"] = codebook(micro)
    files[f"{stem}.R"] = r_snippet(micro, f"{stem}.csv", method, level).encode()
    if kind == "dta":
        files[f"{stem}.do"] = stata_snippet(micro, f"{stem}.dta", level).encode()
    await _audit(db, actor_id, f"export_{kind}", run, {"free_text": include_text})
    return files


def bundle(files: dict[str, bytes], name: str) -> Download:
    """`files` zipped into one download."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for filename, body in files.items():
            zipped.writestr(filename, body)
    return Download(name, MEDIA_TYPES["zip"], archive.getvalue())


async def _audit(
    db: AsyncSession,
    actor_id: int | None,
    action: str,
    run: WeightingRun,
    details: dict[str, bool] | None = None,
) -> None:
    db.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            target=f"weighting_run:{run.id}",
            details=details or {},
        )
    )
    await db.commit()
