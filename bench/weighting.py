"""Benchmark: raking 1,000,000 rows to three margins (116 cells) and one SE — Minyi vs R vs svy.

Workload (docs/statistics.md, "Speed"): 50 strata × 40 PSUs (500 rows each), unequal weights,
margins district (100 levels) × age group (14) × sex (2) whose population totals differ from the
weighted sample by a few per cent, and a 0/1 indicator. Each tool rakes the weights and then
estimates the mean of the indicator with its SE; times are medians of `--runs` runs and exclude
building the design (R ``svydesign``, svy ``Sample``, Minyi ``Design``), done once per data set.

    python bench/weighting.py --runs 3          # Minyi, R (when Rscript is found), svy
    python bench/weighting.py --runs 3 --no-r   # skip R

Minyi: ``rake_weights`` (Newton on the cells), then the linearised variance of the g-weighted
residuals; "as rake" uses R ``rake``'s backfitted residuals, "as calibrate" the regression
residuals of ``calibrate(calfun="raking")``. R: ``rake(d, list(~district, ~age, ~sex), pops)``
(its default control, epsilon = 1 person) and ``calibrate(d, ~district + age + sex, totals,
calfun="raking")``, each followed by ``svymean(~y, .)``, timed inside R. svy:
``sample.weighting.rake(controls=..., tol=1e-7)`` then ``.estimation.mean("y")``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sampling import Design, linearised_variance  # noqa: E402
from sampling.weighting import (  # noqa: E402
    calibration_residuals,
    rake_weights,
    raking_residuals,
)

ROWS = 1_000_000
STRATA = 50
PSUS_PER_STRATUM = 40
LEVELS = {"district": 100, "age": 14, "sex": 2}

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
runs <- as.integer(args[3])
data <- read.csv(args[1])
margins <- read.csv(args[2])
for (v in c("district", "age", "sex")) data[[v]] <- factor(data[[v]])
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = data)
pops <- lapply(c("district", "age", "sex"), function(v) {
  m <- margins[margins$variable == v, ]
  df <- data.frame(level = factor(m$level), Freq = m$total)
  names(df)[1] <- v
  df
})
totals <- c(sum(pops[[1]]$Freq), pops[[1]]$Freq[-1], pops[[2]]$Freq[-1], pops[[3]]$Freq[-1])
rake_times <- sapply(seq_len(runs), function(i) system.time({
  r <- rake(d, list(~district, ~age, ~sex), pops)
  m1 <<- svymean(~y, r)
})[["elapsed"]])
cal_times <- sapply(seq_len(runs), function(i) system.time({
  cal <- calibrate(d, ~district + age + sex, totals, calfun = "raking")
  m2 <<- svymean(~y, cal)
})[["elapsed"]])
cat(sprintf("rake %.6f\n", rake_times), sep = "")
cat(sprintf("calibrate %.6f\n", cal_times), sep = "")
cat(sprintf("check_rake %.17g %.17g\n", coef(m1), SE(m1)))
cat(sprintf("check_calibrate %.17g %.17g\n", coef(m2), SE(m2)))
"""


def workload(
    rng: np.random.Generator, rows: int = ROWS
) -> tuple[dict[str, np.ndarray], dict[str, dict[int, float]]]:
    """The benchmark data and its margins (population totals consistent across margins)."""
    psus = STRATA * PSUS_PER_STRATUM
    psu = np.repeat(np.arange(psus), rows // psus)
    rows = len(psu)
    data: dict[str, np.ndarray] = {
        "stratum": psu // PSUS_PER_STRATUM,
        "psu": psu,
        "w": rng.uniform(50.0, 150.0, rows),
    }
    for name, size in LEVELS.items():
        data[name] = rng.integers(0, size, rows)
    psu_rate = np.clip(0.85 + rng.normal(0.0, 0.05, psus), 0.01, 0.99)
    data["y"] = (rng.random(rows) < psu_rate[psu]).astype(np.int8)
    population = 1.05 * float(data["w"].sum())
    margins: dict[str, dict[int, float]] = {}
    for name, size in LEVELS.items():
        sample = np.bincount(data[name], weights=data["w"], minlength=size)
        shares = sample * rng.uniform(0.9, 1.1, size)
        shares *= population / shares.sum()
        margins[name] = {level: float(shares[level]) for level in range(size)}
    return data, margins


def median_time(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def minyi(
    data: dict[str, np.ndarray], margins: dict[str, dict[int, float]], runs: int
) -> dict[str, float]:
    """Times of raking + one SE (both residual kinds) and the estimates for the parity check."""
    design = Design(data, ids="psu", strata="stratum", weights="w")
    d = design.weights
    y = data["y"].astype(np.float64)
    columns = {name: data[name] for name in LEVELS}
    out: dict[str, float] = {}

    def run(kind: str) -> None:
        result = rake_weights(d, columns, margins)
        w = result.weights
        total = w.sum()
        mean = float(w @ y) / total
        scores = w * (y - mean) / total
        if kind == "rake":
            residual = raking_residuals(scores, result.model, w)
        else:
            residual = calibration_residuals(scores, result.model, d, result.g)
        out[f"{kind}_mean"] = mean
        out[f"{kind}_se"] = float(np.sqrt(linearised_variance(design.structure, residual)[0]))

    out["rake"] = median_time(lambda: run("rake"), runs)
    out["calibrate"] = median_time(lambda: run("calibrate"), runs)
    return out


def r_survey(
    data: dict[str, np.ndarray], margins: dict[str, dict[int, float]], runs: int
) -> dict[str, float] | None:
    """R survey's times (timed inside R) and its estimates for the parity check."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "workload.csv"
        columns = ["stratum", "psu", "w", *LEVELS, "y"]
        formats = ["%d", "%d", "%.17g", "%d", "%d", "%d", "%d"]
        table = np.column_stack([data[name] for name in columns])
        np.savetxt(csv, table, delimiter=",", header=",".join(columns), comments="", fmt=formats)
        margin_csv = Path(folder) / "margins.csv"
        lines = ["variable,level,total"] + [
            f"{name},{level},{total:.17g}"
            for name, levels in margins.items()
            for level, total in levels.items()
        ]
        margin_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        script = Path(folder) / "bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        finished = subprocess.run(
            [rscript, str(script), str(csv), str(margin_csv), str(runs)],
            check=False,
            capture_output=True,
            text=True,
        )
        if finished.returncode:
            raise RuntimeError(f"R failed:\n{finished.stderr}")
        output = finished.stdout
    rows = [line.split() for line in output.splitlines() if line.strip()]
    result: dict[str, float] = {}
    for key in ("rake", "calibrate"):
        result[key] = statistics.median(float(row[1]) for row in rows if row[0] == key)
        check = next(row for row in rows if row[0] == f"check_{key}")
        result[f"{key}_mean"], result[f"{key}_se"] = float(check[1]), float(check[2])
    return result


def svy_package(
    data: dict[str, np.ndarray], margins: dict[str, dict[int, float]], runs: int
) -> dict[str, float] | None:
    """svy's time for raking + mean with SE, when svy (and polars) are installed."""
    try:
        import polars as pl  # noqa: PLC0415
        import svy  # noqa: PLC0415
    except ImportError:
        return None
    frame = pl.DataFrame({name: data[name] for name in ["stratum", "psu", "w", *LEVELS, "y"]})
    sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="psu", wgt="w"))

    def run() -> None:
        raked = sample.weighting.rake(controls=margins, tol=1e-7)  # type: ignore[attr-defined]
        raked.estimation.mean("y")

    return {"rake": median_time(run, runs)}


def machine() -> str:
    """CPU model, core count and Python/numpy versions."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--no-r", action="store_true", help="skip R survey")
    parser.add_argument("--rows", type=int, default=ROWS, help="rows (a smaller trial run)")
    args = parser.parse_args(argv)
    data, margins = workload(np.random.default_rng(args.seed), args.rows)
    ours = minyi(data, margins, args.runs)
    theirs = svy_package(data, margins, args.runs)
    r = None if args.no_r else r_survey(data, margins, args.runs)
    print(f"Machine: {machine()}. Median of {args.runs} runs.\n")
    print(
        f"| raking {len(data['w']):,} rows, 3 margins (116 cells) + SE of a mean | Minyi "
        "| R survey | svy | R / Minyi | svy / Minyi |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for key, label in (
        ("rake", "as R `rake` (backfitted residuals)"),
        ("calibrate", 'as R `calibrate(calfun="raking")` (regression residuals)'),
    ):
        cells = [f"{ours[key]:.3f} s"]
        cells.append(f"{r[key]:.2f} s" if r else "not run")
        svy_time = theirs["rake"] if theirs and key == "rake" else None
        cells.append(f"{svy_time:.2f} s" if svy_time is not None else "–")
        cells.append(f"{r[key] / ours[key]:.0f}×" if r else "–")
        cells.append(f"{svy_time / ours[key]:.0f}×" if svy_time is not None else "–")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if r:
        for key in ("rake", "calibrate"):
            mean_diff = abs(ours[f"{key}_mean"] - r[f"{key}_mean"]) / r[f"{key}_mean"]
            se_diff = abs(ours[f"{key}_se"] - r[f"{key}_se"]) / r[f"{key}_se"]
            print(
                f"\nAs R `{key}`: mean {r[key + '_mean']:.8f}, SE {r[key + '_se']:.6g} in R; "
                f"relative difference {mean_diff:.1e} (mean), {se_diff:.1e} (SE)."
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
