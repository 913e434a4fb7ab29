"""`minyi report --format pdf|xlsx`, `minyi export --format csv|sav|dta`: files of a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services as analysis
from survey_app.analysis.cli import chosen_run
from survey_app.commands import Verbs, with_database
from survey_app.errors import ConfigurationError
from survey_app.reports import services
from survey_app.reports.microdata import FORMATS
from survey_app.settings import Settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--survey", default=None, help="survey short name or id (default: the newest)"
    )
    parser.add_argument("--wave", type=int, default=None, help="wave number (default: newest)")
    parser.add_argument(
        "--run",
        dest="weighting_run",
        type=int,
        default=None,
        help="weighting run (default: newest)",
    )
    parser.add_argument("--language", default="zh", choices=["zh", "en"])
    parser.add_argument("--output", "-o", type=Path, required=True, help="file to write")


def register(verbs: Verbs) -> None:
    report = verbs.add_parser("report", help="the PDF report or the Excel workbook of a run")
    report.add_argument("--format", required=True, choices=services.REPORT_FORMATS)
    _common(report)
    report.set_defaults(run=_report)
    export = verbs.add_parser(
        "export", help="microdata with weights and design variables, codebook and R snippet"
    )
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument(
        "--with-text", action="store_true", help="include free-text answers (logged)"
    )
    _common(export)
    export.set_defaults(run=_export)


def _progress(step: str) -> None:
    sys.stderr.write(f"… {step}\n")
    sys.stderr.flush()


def _writable(path: Path) -> Path:
    if not path.parent.exists():
        raise ConfigurationError(f"--output: folder {path.parent} does not exist")
    return path


def _report(settings: Settings, args: argparse.Namespace) -> int:
    output = _writable(args.output)

    async def work(db: AsyncSession) -> int:
        wave = await analysis.find_wave(db, args.survey, args.wave)
        run = await chosen_run(db, wave, args.weighting_run)
        _progress(f"writing the {args.format} report of weighting run {run.id}")
        download = await services.report(db, run, args.format, args.language, None)
        output.write_bytes(download.body)
        sys.stdout.write(f"wrote {output} ({len(download.body):,} bytes)\n")
        return 0

    return with_database(settings, work)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    output = _writable(args.output)

    async def work(db: AsyncSession) -> int:
        wave = await analysis.find_wave(db, args.survey, args.wave)
        run = await chosen_run(db, wave, args.weighting_run)
        _progress(f"exporting weighting run {run.id} as {args.format}")
        files = await services.microdata_files(
            db, run, args.format, args.language, None, stem=output.stem, include_text=args.with_text
        )
        for index, (name, body) in enumerate(files.items()):
            target = output if index == 0 else output.with_name(name)
            target.write_bytes(body)
            sys.stdout.write(f"wrote {target}\n")
        return 0

    return with_database(settings, work)
