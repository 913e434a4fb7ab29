"""Benchmark: the PDF report and Excel workbook for 30 indicators × 20 domains (target ≤ 3 s).

The content is synthetic but shaped like a real round: 30 indicators, each estimated overall
and in 20 domains (shown as one interval chart and one domain table per indicator, a ranking
and the weak items), with the method section, response rates, a progress chart and a
questionnaire appendix. Times are medians of `--runs` runs of `render_pdf` and `render_excel`
on content built once (gathering it from the database is a separate, query-bound step).

    python bench/reports.py --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sampling.planning import response_rates_from_codes  # noqa: E402
from survey_app.analysis.dashboard import Rates  # noqa: E402
from survey_app.analysis.estimation import judge  # noqa: E402
from survey_app.reports.charts import ProgressRow  # noqa: E402
from survey_app.reports.content import (  # noqa: E402
    IndicatorInfo,
    Line,
    ReportContent,
    SampleResults,
)
from survey_app.reports.excel import render_excel  # noqa: E402
from survey_app.reports.pdf import render_pdf  # noqa: E402

INDICATORS = 30
DOMAINS = 20


def content(rng: np.random.Generator) -> ReportContent:
    from sampling import Estimate  # noqa: PLC0415

    indicators = []
    lines = []
    for i in range(INDICATORS):
        code = f"indicator_{i:02d}"
        threshold = float(rng.choice([0.6, 0.85, 0.9]))
        indicators.append(
            IndicatorInfo(
                code=code,
                label=f"第{i + 1}项指标满意率",
                definition=f"第{i + 1}项指标：回答“满意”“非常满意”的人数占全部有效回答的比例；"
                f"目标 ≥ {threshold:.0%}。",
                threshold=threshold,
                direction=">=",
            )
        )
        for d in range(DOMAINS + 1):
            p = float(np.clip(threshold + rng.normal(0, 0.04), 0.05, 0.99))
            se = float(rng.uniform(0.008, 0.04))
            estimate = Estimate(
                p, se, max(p - 2 * se, 0), min(p + 2 * se, 1), df=24, n=200, n_eff=150
            )
            lines.append(
                Line(
                    indicator=code,
                    domain_variable="district" if d else "",
                    domain_value=f"D{d:02d}" if d else "",
                    domain_label=f"第{d}区" if d else "",
                    estimate=p,
                    se=se,
                    ci_low=estimate.ci_low,
                    ci_high=estimate.ci_high,
                    df=24,
                    deff=1.6,
                    n=200,
                    n_eff=150,
                    verdict=judge(estimate, threshold, ">="),
                    flags=estimate.flags,
                )
            )
    codes = ["1.1"] * 600 + ["2.11"] * 150 + ["2.20"] * 120 + ["4.70"] * 50
    return ReportContent(
        language="zh",
        survey_title="文明城市创建市民问卷调查",
        wave_name="基准测试",
        generated=dt.date(2026, 11, 22),
        legal=None,
        weighting_run=1,
        weighting={
            "method": "raking",
            "margins": [["district"], ["age_group", "sex"]],
            "open_link": "separate",
            "bounds": None,
            "trim": None,
        },
        diagnostics={
            "groups": {
                "probability": {
                    "n": 4000,
                    "kish_deff": 1.3,
                    "n_effective": 3070.0,
                    "minimum": 300.0,
                    "maximum": 2900.0,
                    "converged": True,
                }
            }
        },
        estimate_settings={
            "method": "logit",
            "confidence_level": 0.95,
            "domains": ["district"],
            "sample": "probability",
        },
        indicators=tuple(indicators),
        samples=(SampleResults("probability", tuple(lines)),),
        rates=(Rates("enumerator", len(codes), response_rates_from_codes(codes)),),
        progress=tuple(ProgressRow(f"第{d}区", 180, 200) for d in range(1, DOMAINS + 1)),
        design={"strata": DOMAINS, "psus": 5 * DOMAINS, "n_probability": 4000},
        appendix="\n".join(f"{q}. 您对第{q}项工作是否满意？（单选）" for q in range(1, 61)),
    )


def median_seconds(work: object, runs: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds of `work()`, and the size of what it returns."""
    wall, cpu = [], []
    size = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(work())  # type: ignore[operator]
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report = content(np.random.default_rng(1))
    render_pdf(report)  # fonts loaded once, as in a running server
    pdf, pdf_cpu, pdf_size = median_seconds(lambda: render_pdf(report), args.runs)
    xlsx, xlsx_cpu, xlsx_size = median_seconds(lambda: render_excel(report), args.runs)
    print(
        f"{INDICATORS} indicators × {DOMAINS} domains, median of {args.runs} runs "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()})"
    )
    print(
        f"  PDF report     {pdf:6.2f} s wall, {pdf_cpu:6.2f} s CPU  ({pdf_size / 1e6:.1f} MB)"
        "   target ≤ 3 s"
    )
    print(f"  Excel workbook {xlsx:6.2f} s wall, {xlsx_cpu:6.2f} s CPU  ({xlsx_size / 1e6:.1f} MB)")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
