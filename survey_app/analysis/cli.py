"""`minyi weights run|list`, `minyi estimate`: weighting and estimation from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling import DEFAULT_PROPORTION_METHOD, PROPORTION_METHODS
from survey_app.analysis import services
from survey_app.analysis.estimation import DEFAULT_DOMAINS, EstimateSettings
from survey_app.analysis.weighting import WeightingSettings
from survey_app.commands import Verbs, with_database
from survey_app.errors import ConfigurationError, InvalidInputError
from survey_app.models import EstimateRecord, Indicator, Wave, WeightingRun
from survey_app.settings import Settings

_VERDICTS = {
    "met": "达标 met",
    "not_met": "未达标 not met",
    "inconclusive": "无法判定 inconclusive",
}


def _wave_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--survey", default=None, help="survey short name or id (default: the newest)"
    )
    parser.add_argument("--wave", type=int, default=None, help="wave number (default: newest)")


def register(verbs: Verbs) -> None:
    weights = verbs.add_parser("weights", help="weighting runs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    run = weights.add_parser("run", help="weight the wave's completes and store the run")
    _wave_arguments(run)
    run.add_argument("--design", type=int, default=None, help="sample design id (default: newest)")
    run.add_argument(
        "--method", default="raking", choices=["raking", "linear", "logit", "poststratify"]
    )
    run.add_argument(
        "--margins",
        default="district;age_group*sex",
        help="census margins, ';' between margins, '*' crossing variables "
        "(default district;age_group*sex)",
    )
    run.add_argument("--bounds", default="", help="bounds on g as LOW,HIGH, e.g. 0.3,3")
    run.add_argument("--trim", default="", help="trim to LOW,HIGH times the mean weight")
    run.add_argument(
        "--open-link",
        default="separate",
        choices=["separate", "combined", "excluded"],
        help="open-link web answers: weighted apart (default), pooled, or left out",
    )
    run.set_defaults(run=_weights_run)
    listing = weights.add_parser("list", help="list the wave's weighting runs")
    _wave_arguments(listing)
    listing.set_defaults(run=_weights_list)

    estimate = verbs.add_parser("estimate", help="estimate every indicator of a weighting run")
    _wave_arguments(estimate)
    estimate.add_argument(
        "--run",
        dest="weighting_run",
        type=int,
        default=None,
        help="weighting run (default: newest)",
    )
    estimate.add_argument("--method", default=DEFAULT_PROPORTION_METHOD, choices=PROPORTION_METHODS)
    estimate.add_argument("--level", type=float, default=0.95, help="confidence level")
    estimate.add_argument(
        "--domains", default=",".join(DEFAULT_DOMAINS), help="comma-separated domain variables"
    )
    estimate.set_defaults(run=_estimate)


def _pair(text: str, option: str) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError as error:
        raise ConfigurationError(f"{option} must be LOW,HIGH, e.g. 0.3,3") from error
    return low, high


def weighting_settings(args: argparse.Namespace) -> WeightingSettings:
    margins = tuple(
        tuple(v.strip() for v in margin.split("*")) for margin in args.margins.split(";") if margin
    )
    return WeightingSettings(
        design_id=args.design,
        margins=margins,
        method=args.method,
        bounds=_pair(args.bounds, "--bounds"),
        trim=_pair(args.trim, "--trim"),
        open_link=args.open_link,
    ).check()


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _progress(step: str) -> None:
    sys.stderr.write(f"… {step}\n")
    sys.stderr.flush()


def progress_bar(step: str, done: int, total: int) -> None:
    """A text progress bar on standard error, redrawn in place."""
    filled = round(20 * done / total) if total else 20
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {step:<30}{end}")
    sys.stderr.flush()


def _weights_run(settings: Settings, args: argparse.Namespace) -> int:
    chosen = weighting_settings(args)

    async def work(db: AsyncSession) -> int:
        wave = await services.find_wave(db, args.survey, args.wave)
        _progress(f"weighting {wave.name}")
        run = await services.run_weighting(db, wave, chosen, None)
        _out(describe_run(run))
        return 0 if run.converged else 1

    return with_database(settings, work)


def describe_run(run: WeightingRun) -> str:
    lines = [f"weighting run {run.id}: {'converged' if run.converged else 'DID NOT CONVERGE'}"]
    for group, d in run.diagnostics.get("groups", {}).items():
        lines.append(
            f"  {group:<12} n={d['n']:<5} Kish deff={d['kish_deff']:.3f} "
            f"n_eff={d['n_effective']:.1f} weights {d['minimum']:.1f}–{d['maximum']:.1f} "
            f"({d['iterations']} iterations)"
        )
    lines.append("  settings " + msgspec.json.encode(run.settings).decode())
    return "\n".join(lines)


def _weights_list(settings: Settings, args: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        wave = await services.find_wave(db, args.survey, args.wave)
        for run in await services.weighting_runs(db, wave):
            _out(
                f"{run.id}\t{run.created_at:%Y-%m-%d %H:%M}\t{run.settings.get('method')}\t"
                f"{'converged' if run.converged else 'not converged'}"
            )
        return 0

    return with_database(settings, work)


async def chosen_run(db: AsyncSession, wave: Wave, run_id: int | None) -> WeightingRun:
    """Weighting run `run_id`, or the wave's newest."""
    if run_id is not None:
        return await services.weighting_run(db, run_id)
    runs = await services.weighting_runs(db, wave)
    if not runs:
        raise InvalidInputError("this wave has no weighting run yet; run `minyi weights run`")
    return runs[0]


def _estimate(settings: Settings, args: argparse.Namespace) -> int:
    chosen = EstimateSettings(
        method=args.method,
        confidence_level=args.level,
        domains=tuple(d.strip() for d in args.domains.split(",") if d.strip()),
    ).check()

    async def work(db: AsyncSession) -> int:
        wave = await services.find_wave(db, args.survey, args.wave)
        run = await chosen_run(db, wave, args.weighting_run)
        _progress(f"estimating from weighting run {run.id}")
        estimate_runs = await services.run_estimates(db, run, chosen, None, progress_bar)
        indicators = await _indicators(db, wave)
        for estimate_run in estimate_runs:
            _out(
                f"estimate run {estimate_run.id} ({estimate_run.settings['sample']}, "
                f"{chosen.method}, {chosen.confidence_level:.0%})"
            )
            records = await services.estimate_records(db, estimate_run)
            _out(overall_table([r for r in records if not r.domain_variable], indicators))
        return 0

    return with_database(settings, work)


async def _indicators(db: AsyncSession, wave: Wave) -> dict[int, Indicator]:
    rows = await db.scalars(select(Indicator).where(Indicator.survey_id == wave.survey_id))
    return {i.id: i for i in rows}


def overall_table(records: Sequence[EstimateRecord], indicators: dict[int, Indicator]) -> str:
    lines = []
    for record in records:
        indicator = indicators[record.indicator_id]
        label = indicator.label.get("zh", indicator.code)
        lines.append(
            f"  {label:<20}\t{record.estimate:.1%}\t"
            f"[{record.ci_low:.1%}, {record.ci_high:.1%}]\t"
            f"{indicator.direction} {indicator.threshold:.0%}\t"
            f"{_VERDICTS.get(record.verdict, record.verdict)}"
        )
    return "\n".join(lines)
