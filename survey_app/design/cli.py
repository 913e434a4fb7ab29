"""`minyi frame import|export|list`, `minyi design plan|draw|assign`: the design flow."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.commands import Verbs, with_database
from survey_app.design import assigning, drawing, frames, services
from survey_app.design.schemas import DesignView, FrameProblem, PlanResult
from survey_app.errors import InvalidInputError, MinyiError
from survey_app.settings import Settings

PLAN_OPTIONS = (
    ("p", "planned proportion in percent (default 90, the threshold)"),
    ("moe", "margin of error in percentage points (default 3)"),
    ("confidence", "confidence level in percent (default 95)"),
    ("icc", "intra-community correlation (default 0.02); deff = 1 + (m - 1) * icc"),
    ("deff", "a fixed design effect instead of the ICC"),
    ("per-community", "interviews per community m (default 25)"),
    ("response-rate", "expected response rate in percent (default 80)"),
    ("minimum", "least communities per district (default 2)"),
)


def register(verbs: Verbs) -> None:
    frame = verbs.add_parser("frame", help="sampling frames").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    importing = frame.add_parser("import", help="import a frame CSV (docs/sample-design.md)")
    importing.add_argument("file", type=Path)
    importing.add_argument("--name", default="", help="frame name (default: the file name)")
    importing.set_defaults(run=_frame_import)
    exporting = frame.add_parser("export", help="write a frame as CSV")
    exporting.add_argument("--frame", type=int, default=None, help="frame id (default: newest)")
    exporting.add_argument("--output", "-o", type=Path, default=None, help="file (default: stdout)")
    exporting.set_defaults(run=_frame_export)
    frame.add_parser("list", help="list the frames").set_defaults(run=_frame_list)

    design = verbs.add_parser("design", help="sample designs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    plan = design.add_parser("plan", help="size and allocate a sample; --save stores it")
    plan.add_argument("--survey", required=True, help="survey short name or id")
    plan.add_argument("--frame", type=int, default=None, help="frame id (default: newest)")
    plan.add_argument("--wave", default=services.NEW_WAVE, help="wave number (default: new)")
    for name, text in PLAN_OPTIONS:
        plan.add_argument(f"--{name}", default="", help=text)
    plan.add_argument("--scope", default="district", choices=["district", "overall"])
    plan.add_argument(
        "--allocation", default="proportional", choices=["proportional", "equal", "power"]
    )
    plan.add_argument("--save", action="store_true", help="store the design for the wave")
    plan.set_defaults(run=_design_plan)
    draw_verb = design.add_parser("draw", help="draw the communities of a saved design")
    draw_verb.add_argument("design", type=int, help="design id")
    draw_verb.add_argument("--seed", required=True, help="random seed (a whole number)")
    draw_verb.add_argument("--method", default="pps_systematic", choices=list(drawing.SELECTIONS))
    draw_verb.add_argument("--reserves", default="2", help="reserve communities per district")
    draw_verb.set_defaults(run=_design_draw)
    assigning = design.add_parser("assign", help="assign drawn communities to enumerators")
    assigning.add_argument("design", type=int, help="design id")
    assigning.add_argument(
        "--enumerators", default="", help="user names, comma-separated (default: all)"
    )
    assigning.set_defaults(run=_design_assign)


def _run(settings: Settings, work: Callable[[AsyncSession], Coroutine[Any, Any, int]]) -> int:
    """`with_database`, printing an error's row- or field-level details before its message."""
    try:
        return with_database(settings, work)
    except MinyiError as error:
        for detail in error.details:
            sys.stderr.write(f"  {_detail_line(detail)}\n")
        raise


def _detail_line(detail: dict[str, Any]) -> str:
    if "row" in detail:
        return FrameProblem.from_detail(detail).render(str)
    return f"{detail.get('field', '')}: {detail.get('message', '')}"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table; wide (Chinese) characters count as two columns."""
    cells = [[str(value) for value in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            value.rjust(w + len(value) - _width(value))
            if value[:1].isdigit()
            else value.ljust(w + len(value) - _width(value))
            for value, w in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _frame_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"cannot read {args.file}: {error.strerror}") from None

    async def work(db: AsyncSession) -> int:
        summary = await frames.import_frame(db, content, args.name or args.file.stem)
        _out(f"imported frame {summary.id} {summary.name!r}")
        _out(
            table(
                ["districts", "streets", "communities", "population", "age x sex margins"],
                [
                    [
                        summary.districts,
                        summary.streets,
                        summary.communities,
                        summary.population,
                        "yes" if summary.has_margins else "no",
                    ]
                ],
            )
        )
        return 0

    return _run(settings, work)


def _frame_export(settings: Settings, args: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        frame_id = args.frame or await frames.latest_frame_id(db)
        text = await frames.export_frame(db, frame_id)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
            _out(f"wrote frame {frame_id} to {args.output}")
        return 0

    return _run(settings, work)


def _frame_list(settings: Settings, _: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        found = await frames.list_frames(db)
        _out(
            table(
                ["id", "name", "districts", "streets", "communities", "population"],
                [
                    [f.id, f.name, f.districts, f.streets, f.communities, f.population]
                    for f in found
                ],
            )
        )
        return 0

    return _run(settings, work)


def plan_table(result: PlanResult) -> str:
    rows = [
        [
            row.code,
            row.name,
            row.population,
            f"{row.communities}/{row.communities_available}",
            row.per_community,
            row.interviews,
            f"{row.deff:.2f}",
            row.contacts,
        ]
        for row in result.rows
    ]
    rows.append(
        [
            "total",
            "",
            result.population,
            result.communities,
            "",
            result.interviews,
            "",
            result.contacts,
        ]
    )
    return table(
        [
            "district",
            "name",
            "population",
            "communities",
            "per community",
            "interviews",
            "deff",
            "contacts",
        ],
        rows,
    )


def _design_plan(settings: Settings, args: argparse.Namespace) -> int:
    if args.icc and args.deff:
        raise InvalidInputError("give --icc or --deff, not both")
    raw = {
        name.replace("-", "_"): getattr(args, name.replace("-", "_")) for name, _ in PLAN_OPTIONS
    }
    raw |= {"scope": args.scope, "allocation": args.allocation}
    raw["effect"] = "deff" if args.deff else "icc"

    async def work(db: AsyncSession) -> int:
        request = services.PlanRequest(
            survey=args.survey,
            frame_id=args.frame or await frames.latest_frame_id(db),
            wave=args.wave,
        )
        result = await services.preview_plan(db, request, raw)
        plan = result.settings
        _out(
            f"±{plan.moe:.1%} at p = {plan.p:.0%}, {plan.confidence_level:.0%} confidence, "
            f"{plan.scope}: n0 = {result.n0:.1f}"
        )
        _out(plan_table(result))
        if args.save:
            design_id = await services.save_plan(db, request, raw)
            _out(f"saved design {design_id}; next: minyi design draw {design_id} --seed N")
        return 0

    return _run(settings, work)


def _selected_table(view: DesignView) -> str:
    return table(
        ["district", "street", "community", "name", "population", "pi", "order", "status"],
        [
            [
                row.district,
                row.street,
                row.code,
                row.name,
                row.population,
                f"{row.inclusion_probability:.4f}",
                row.order,
                "reserve" if row.is_reserve else ("certainty" if row.is_certainty else "drawn"),
            ]
            for row in view.selected
        ],
    )


def _design_draw(settings: Settings, args: argparse.Namespace) -> int:
    raw = {"seed": args.seed, "method": args.method, "reserves": args.reserves}

    async def work(db: AsyncSession) -> int:
        view = await drawing.draw(db, args.design, raw)
        _out(_selected_table(view))
        _out(f"drawn with seed {view.settings['seed']}; next: minyi design assign {view.id}")
        return 0

    return _run(settings, work)


def _quota_header(view: DesignView) -> str:
    sexes = view.assignments[0].sexes if view.assignments else []
    return f"quota cells (age: {'/'.join(sexes)})" if sexes else "quota cells"


def _design_assign(settings: Settings, args: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        names = [name for name in args.enumerators.split(",") if name.strip()] or [
            e.username for e in await assigning.enumerators(db)
        ]
        view = await assigning.assign(db, args.design, names)
        _out(
            table(
                [
                    "enumerator",
                    "district",
                    "street",
                    "community",
                    "name",
                    "target",
                    _quota_header(view),
                ],
                [
                    [
                        row.enumerator,
                        row.district,
                        row.street,
                        row.code,
                        row.name,
                        row.target,
                        "  ".join(
                            f"{age}: " + "/".join(str(row.quota(age, sex)) for sex in row.sexes)
                            for age in row.ages
                        ),
                    ]
                    for row in view.assignments
                ],
            )
        )
        _out(f"{len(view.assignments)} assignments; sheet: /design/{view.id}/sheet")
        return 0

    return _run(settings, work)
