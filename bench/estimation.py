"""Benchmark: proportions by 100 domains on 1,000,000 rows — Minyi vs R survey vs svy.

Workload (docs/statistics.md, "Speed"): 50 strata × 40 PSUs (500 rows each), 100 domains
spread over the PSUs, unequal weights, 20 binary indicators with PSU-level clustering. Each tool
gets the same data in the same run; times are medians of `--runs` runs and exclude building the
design (R: ``svydesign``, svy: ``Sample``), which every tool does once per data set. Minyi builds a
fresh design for every run, so its times include factorising the domain column.

    python bench/estimation.py --runs 3            # Minyi, R (when Rscript is found), svy
    python bench/estimation.py --runs 3 --no-r     # skip R

R is timed inside R (``system.time`` around ``svyby(~y1, ~dom, d, svyciprop, method="logit")``);
svy is ``Sample(...).estimation.prop(y, by="dom", ci_method="logit")``. Peak memory of Minyi is
measured with tracemalloc (numpy reports its buffers to it) and compared with the input columns.
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
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sampling import Design, EstimateTable  # noqa: E402

ROWS = 1_000_000
STRATA = 50
PSUS_PER_STRATUM = 40
DOMAINS = 100
INDICATORS = 20

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
runs <- as.integer(args[2]); indicators <- as.integer(args[3])
data <- read.csv(args[1])
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = data)
one <- sapply(seq_len(runs), function(i) system.time(
  r <<- svyby(~y1, ~dom, d, svyciprop, method = "logit", vartype = "ci"))[["elapsed"]])
cat(sprintf("one %.6f\n", one), sep = "")
cat(sprintf("check %d %.17g %.17g %.17g\n", r$dom, coef(r), r$ci_l, r$ci_u), sep = "")
if (indicators > 0) {
  many <- system.time(for (j in seq_len(indicators))
    svyby(as.formula(paste0("~y", j)), ~dom, d, svyciprop, method = "logit", vartype = "ci")
  )[["elapsed"]]
  cat(sprintf("many %.6f\n", many))
}
"""


def workload(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The benchmark data: ids, strata, weights, domains and 0/1 indicators (int8)."""
    psus = STRATA * PSUS_PER_STRATUM
    psu = np.repeat(np.arange(psus), ROWS // psus)
    data: dict[str, np.ndarray] = {
        "stratum": psu // PSUS_PER_STRATUM,
        "psu": psu,
        "w": rng.uniform(50.0, 150.0, ROWS),
        "dom": rng.integers(0, DOMAINS, ROWS),
    }
    for j in range(1, INDICATORS + 1):
        base = rng.uniform(0.6, 0.97)
        psu_rate = np.clip(base + rng.normal(0.0, 0.05, psus), 0.01, 0.99)
        data[f"y{j}"] = (rng.random(ROWS) < psu_rate[psu]).astype(np.int8)
    return data


def median_time(call: Callable[[], object], runs: int, setup: Callable[[], object]) -> float:
    """Median wall time of `call` over `runs` runs, each after an untimed `setup`."""
    times = []
    for _ in range(runs):
        setup()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def minyi(data: dict[str, np.ndarray], runs: int) -> dict[str, float]:
    """Times of one and twenty indicators by domain, design build time, peak memory."""
    state: dict[str, Design] = {}
    names = [f"y{j}" for j in range(1, INDICATORS + 1)]

    def build() -> None:
        state["design"] = Design(data, ids="psu", strata="stratum", weights="w")

    started = time.perf_counter()
    build()
    design_time = time.perf_counter() - started
    one = median_time(
        lambda: state["design"].proportion("y1", by="dom", method="logit"), runs, build
    )
    many = median_time(
        lambda: state["design"].proportion(names, by="dom", method="logit"), runs, build
    )
    build()
    tracemalloc.start()
    state["design"].proportion(names, by="dom", method="logit")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    used = ["stratum", "psu", "w", "dom", *names]
    return {
        "design": design_time,
        "one": one,
        "many": many,
        "peak_mb": peak / 2**20,
        "input_mb": sum(data[name].nbytes for name in used) / 2**20,
    }


def r_survey(data: dict[str, np.ndarray], runs: int, indicators: int) -> dict[str, object] | None:
    """R survey's times (timed inside R) and its estimates for the parity check."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "workload.csv"
        columns = ["stratum", "psu", "w", "dom"] + [f"y{j}" for j in range(1, INDICATORS + 1)]
        table = np.column_stack([data[name] for name in columns])
        formats = ["%d", "%d", "%.17g", "%d"] + ["%d"] * INDICATORS
        np.savetxt(csv, table, delimiter=",", header=",".join(columns), comments="", fmt=formats)
        script = Path(folder) / "bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        output = subprocess.run(
            [rscript, str(script), str(csv), str(runs), str(indicators)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    lines = [line.split() for line in output.splitlines() if line.strip()]
    checks = np.array([[float(v) for v in line[1:]] for line in lines if line[0] == "check"])
    many = [float(line[1]) for line in lines if line[0] == "many"]
    return {
        "one": statistics.median(float(line[1]) for line in lines if line[0] == "one"),
        "many": many[0] if many else None,
        "check": checks,
    }


def svy_package(data: dict[str, np.ndarray], runs: int, slow_runs: int) -> dict[str, float] | None:
    """svy's times for one and twenty indicators, when svy (and polars) are installed."""
    try:
        import polars as pl  # noqa: PLC0415
        import svy  # noqa: PLC0415
    except ImportError:
        return None
    frame = pl.DataFrame(data)
    state: dict[str, object] = {}
    names = [f"y{j}" for j in range(1, INDICATORS + 1)]

    def build() -> None:
        state["sample"] = svy.Sample(frame, svy.Design(stratum="stratum", psu="psu", wgt="w"))

    def prop(y: str | list[str]) -> object:
        sample = state["sample"]
        return sample.estimation.prop(y, by="dom", ci_method="logit")  # type: ignore[attr-defined]

    return {
        "one": median_time(lambda: prop("y1"), runs, build),
        "many": median_time(lambda: prop(names), slow_runs, build),
    }


def parity(data: dict[str, np.ndarray], check: np.ndarray) -> float:
    """Largest relative difference between Minyi's and R's estimates and interval bounds."""
    design = Design(data, ids="psu", strata="stratum", weights="w")
    table = design.proportion("y1", by="dom", method="logit")
    assert isinstance(table, EstimateTable)
    ours = np.array(
        [[table[int(d)].estimate, table[int(d)].ci_low, table[int(d)].ci_high] for d in check[:, 0]]
    )
    return float(np.max(np.abs(ours - check[:, 1:]) / np.abs(check[:, 1:])))


def machine() -> str:
    """CPU model, core count and Python/numpy versions."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores (load average {load} at the end of the run); "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--no-r", action="store_true", help="skip R survey")
    parser.add_argument(
        "--r-indicators",
        type=int,
        default=INDICATORS,
        help="indicators for R's one timed loop over svyby (0 to skip)",
    )
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=1,
        help="runs of the 20-indicator workload for R and svy (minutes each)",
    )
    args = parser.parse_args(argv)
    data = workload(np.random.default_rng(args.seed))
    ours = minyi(data, args.runs)
    theirs = svy_package(data, args.runs, args.slow_runs)
    r = None if args.no_r else r_survey(data, args.runs, args.r_indicators)
    print(
        f"Machine: {machine()}. Median of {args.runs} runs ({args.slow_runs} for R and svy on "
        f"{INDICATORS} indicators; R loops over them in one timed run).\n"
    )
    print("| workload | Minyi | R survey | svy | R / Minyi | svy / Minyi |")
    print("| --- | --- | --- | --- | --- | --- |")
    for key, label in (
        ("one", "1 indicator × 100 domains, logit CI"),
        ("many", f"{INDICATORS} indicators × 100 domains, logit CI"),
    ):
        r_time = r[key] if r else None
        svy_time = theirs[key] if theirs else None
        cells = [f"{ours[key]:.3f} s"]
        cells.append(f"{r_time:.2f} s" if isinstance(r_time, float) else "not run")
        cells.append(f"{svy_time:.2f} s" if svy_time is not None else "not installed")
        cells.append(f"{r_time / ours[key]:.0f}×" if isinstance(r_time, float) else "–")
        cells.append(f"{svy_time / ours[key]:.0f}×" if svy_time is not None else "–")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(
        f"\nMinyi design build: {ours['design']:.3f} s. Peak memory of the 20-indicator call: "
        f"{ours['peak_mb']:.0f} MiB for {ours['input_mb']:.0f} MiB of input columns "
        f"({ours['peak_mb'] / ours['input_mb']:.2f}×)."
    )
    if r:
        check = r["check"]
        assert isinstance(check, np.ndarray)
        print(
            f"Largest relative difference from R (estimates, CI bounds, 100 domains): "
            f"{parity(data, check):.1e}."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
