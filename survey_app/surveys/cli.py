"""`minyi template`, `minyi survey` and `minyi questionnaire`: surveys built from the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import outline
from survey_app.commands import Verbs, with_database
from survey_app.errors import InvalidInputError, MinyiError
from survey_app.settings import Settings
from survey_app.surveys import catalog, versions


def register(verbs: Verbs) -> None:
    template = verbs.add_parser("template", help="shipped questionnaire templates").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    template.add_parser("list", help="list the shipped templates").set_defaults(run=_template_list)

    survey = verbs.add_parser("survey", help="surveys").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    survey.add_parser("list", help="list the surveys").set_defaults(run=_survey_list)
    create = survey.add_parser("create", help="create a survey from a template or an XLSForm")
    source = create.add_mutually_exclusive_group(required=True)
    source.add_argument("--template", metavar="NAME", help="a template (minyi template list)")
    source.add_argument("--xlsform", metavar="FILE", type=Path, help="an XLSForm workbook (.xlsx)")
    create.add_argument("--slug", required=True, help="short name, e.g. civilized-city-2027")
    create.add_argument("--title", default="", help="title (default: the questionnaire's)")
    create.add_argument("--wave", default="", help="name of the first wave (default: the title)")
    create.set_defaults(run=_survey_create)

    questionnaire = verbs.add_parser(
        "questionnaire", help="questionnaire versions (XLSForm in and out)"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    imports = questionnaire.add_parser("import", help="store an XLSForm as the next version")
    imports.add_argument("survey", help="the survey's short name")
    imports.add_argument("file", type=Path, help="XLSForm workbook (.xlsx)")
    imports.set_defaults(run=_questionnaire_import)
    export = questionnaire.add_parser("export", help="write the current version to a file")
    export.add_argument("survey", help="the survey's short name")
    export.add_argument("--format", required=True, choices=["xlsform", "xform"])
    export.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    export.set_defaults(run=_questionnaire_export)
    validate = questionnaire.add_parser(
        "validate", help="check an XLSForm without storing it and print its outline"
    )
    validate.add_argument("file", type=Path, help="XLSForm workbook (.xlsx)")
    validate.add_argument("--language", default="zh", choices=["zh", "en"])
    validate.set_defaults(run=_questionnaire_validate)


def problem_lines(details: Sequence[dict[str, Any]]) -> list[str]:
    """Problems as terminal lines: `survey, row 3, column H (relevant): message`."""
    lines = []
    for detail in details:
        where = [str(detail[key]) for key in ("sheet", "field") if detail.get(key)]
        if detail.get("row") is not None:
            where.append(f"row {detail['row']}")
        if detail.get("column"):
            where.append(f"column {detail['column']}")
        lines.append(f"{', '.join(where)}: {detail['message']}" if where else detail["message"])
    return lines


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _report(error: MinyiError) -> int:
    """Print the error and each problem on its own line to stderr; the exit status is 1."""
    sys.stderr.write(f"minyi: {error.message}\n")
    for line in problem_lines(error.details):
        sys.stderr.write(f"  {line}\n")
    return 1


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"cannot read {path}: {error.strerror}") from None


def _template_list(_: Settings, __: argparse.Namespace) -> int:
    for template in versions.templates():
        title = template.title
        _say(f"{template.name:<26} {title.get('zh', '')} / {title.get('en', '')}")
        _say(f"{'':<26} indicators: {', '.join(template.indicators)}")
    return 0


def _survey_list(settings: Settings, _: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        for survey in await catalog.survey_list(db):
            _say(
                f"{survey.slug:<28} {survey.form_id} {survey.current_version}"
                f" ({survey.versions} version(s), {survey.indicators} indicator(s))  {survey.title}"
            )
        return 0

    return with_database(settings, work)


def _survey_create(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.template:
            new = versions.from_template(
                args.template, slug=args.slug, title=args.title, wave_name=args.wave
            )
        else:
            new = versions.from_xlsform(
                _read(args.xlsform), slug=args.slug, title=args.title, wave_name=args.wave
            )
    except InvalidInputError as error:
        return _report(error)

    async def work(db: AsyncSession) -> int:
        try:
            survey = await catalog.create(db, new)
        except MinyiError as error:
            return _report(error)
        _say(
            f"created survey {survey.slug!r}: {survey.form_id} {survey.current_version}, "
            f"{survey.indicators} indicator(s)"
        )
        return 0

    return with_database(settings, work)


def _questionnaire_import(settings: Settings, args: argparse.Namespace) -> int:
    content = _read(args.file)

    async def work(db: AsyncSession) -> int:
        try:
            stored = await versions.add_version(db, args.survey, content)
        except MinyiError as error:
            return _report(error)
        _say(f"stored {stored.form_id} version {stored.version} for survey {args.survey!r}")
        return 0

    return with_database(settings, work)


def _questionnaire_export(settings: Settings, args: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        download = await versions.export(db, args.survey, args.format)
        try:
            args.output.write_bytes(download.content)
        except OSError as error:
            raise InvalidInputError(f"cannot write {args.output}: {error.strerror}") from None
        _say(f"wrote {download.filename} to {args.output}")
        return 0

    return with_database(settings, work)


def _questionnaire_validate(_: Settings, args: argparse.Namespace) -> int:
    try:
        questionnaire = versions.read_workbook(_read(args.file))
    except InvalidInputError as error:
        return _report(error)
    sys.stdout.write(outline(questionnaire, args.language))
    return 0
