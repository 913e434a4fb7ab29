"""Coverage of the proportion intervals, and how often a verdict says "met" when it should not.

Simulates cluster samples (m clusters of b rows drawn with replacement, one stratum, equal
weights) whose cluster rates follow a beta distribution with intra-cluster correlation ρ, so the
design effect is 1 + (b − 1)ρ; grid: true p ∈ {0.5, 0.8, 0.85, 0.9, 0.95}, design effect 1, 2, 4,
effective n 30–3000, 10–200 clusters (cells where b ≤ deff are skipped). For every replicate it
computes p̂, its linearised variance and df = m − 1 exactly as `sampling.Design` does (checked
against `Design.proportion` on one replicate per cell) and the interval of every method.

Reports per method: two-sided coverage (nominal 95 %), and the false-"met" rate — the share of
replicates whose lower bound is at or above the true p, i.e. ``verdict(e, threshold=p) == "met"``
when the true rate equals the threshold (nominal 2.5 %).

    python scripts/coverage_study.py --reps 1000 --seed 2026 > coverage.md
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass

import numpy as np

from sampling import PROPORTION_METHODS, Design, Estimate, proportion_interval

RATES = (0.5, 0.8, 0.85, 0.9, 0.95)
DEFFS = (1.0, 2.0, 4.0)
EFFECTIVE_N = (30, 100, 300, 1000, 3000)
CLUSTERS = (10, 30, 100, 200)
LEVEL = 0.95


@dataclass(frozen=True)
class Cell:
    """One design of the grid."""

    p: float
    deff: float
    n_eff: int
    clusters: int
    size: int
    rho: float


def grid() -> list[Cell]:
    """The feasible cells: cluster size b = round(n_eff · deff / m) ≥ 1, and > deff when deff > 1
    (ρ = (deff − 1)/(b − 1) < 1)."""
    cells = []
    for p, deff, n_eff, m in itertools.product(RATES, DEFFS, EFFECTIVE_N, CLUSTERS):
        size = round(n_eff * deff / m)
        if size < 1 or (deff > 1 and size <= deff):
            continue
        rho = 0.0 if deff == 1 else (deff - 1) / (size - 1)
        cells.append(Cell(p, deff, n_eff, m, size, rho))
    return cells


def simulate(cell: Cell, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Positive counts per cluster, shape (reps, m)."""
    if cell.rho == 0:
        rates = np.full((reps, cell.clusters), cell.p)
    else:
        total = 1.0 / cell.rho - 1.0
        rates = rng.beta(cell.p * total, (1 - cell.p) * total, size=(reps, cell.clusters))
    return rng.binomial(cell.size, rates)


def estimates(counts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """p̂ and its with-replacement linearised variance Σ (p_c − p̂)² / (m (m − 1))."""
    m = counts.shape[1]
    cluster_rates = counts / size
    p = cluster_rates.mean(axis=1)
    variance = ((cluster_rates - p[:, None]) ** 2).sum(axis=1) / (m * (m - 1))
    return p, variance


def check_against_design(counts: np.ndarray, cell: Cell) -> None:
    """The shortcut above equals `Design.proportion` on the rows of one replicate."""
    rows = np.repeat(np.arange(cell.clusters), cell.size)
    y = (np.arange(cell.size)[None, :] < counts[:, None]).ravel().astype(float)
    estimate = Design({"psu": rows, "y": y}, ids="psu").proportion("y", method="logit")
    assert isinstance(estimate, Estimate)
    p, variance = estimates(counts[None, :], cell.size)
    assert np.isclose(estimate.estimate, p[0], rtol=1e-12)
    assert np.isclose(estimate.se**2, variance[0], rtol=1e-9, atol=1e-300)
    assert estimate.df == cell.clusters - 1


def run(reps: int, seed: int) -> list[dict[str, float | str]]:
    """One row per (cell, method): coverage and false-met rate."""
    rng = np.random.default_rng(seed)
    results: list[dict[str, float | str]] = []
    for cell in grid():
        counts = simulate(cell, reps, rng)
        check_against_design(counts[0], cell)
        p, variance = estimates(counts, cell.size)
        n = np.full(reps, float(cell.clusters * cell.size))
        df = np.full(reps, float(cell.clusters - 1))
        for method in PROPORTION_METHODS:
            low, high = proportion_interval(
                p, variance, df, n, method=method, confidence_level=LEVEL
            )
            results.append(
                {
                    "method": method,
                    "p": cell.p,
                    "deff": cell.deff,
                    "n_eff": cell.n_eff,
                    "clusters": cell.clusters,
                    "coverage": float(np.mean((low <= cell.p) & (cell.p <= high))),
                    "false_met": float(np.mean(low >= cell.p)),
                    "width": float(np.mean(high - low)),
                }
            )
    return results


def _mean(rows: list[dict[str, float | str]], key: str) -> float:
    return float(np.mean([float(row[key]) for row in rows]))


def report(results: list[dict[str, float | str]], reps: int, seed: int, seconds: float) -> str:
    """Markdown tables: overall by method, then by effective n and by true p."""
    cells = len({(r["p"], r["deff"], r["n_eff"], r["clusters"]) for r in results})
    lines = [
        f"{cells} cells × {reps} replicates (seed {seed}, {seconds:.0f} s); nominal coverage 95 %, "
        "nominal false-met 2.5 %.",
        "",
        "| method | mean coverage | min coverage | cells < 93 % | false met (p ≥ 0.8) | "
        "max false met | cells false met > 4 % | mean width |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for method in PROPORTION_METHODS:
        rows = [r for r in results if r["method"] == method]
        high = [r for r in rows if float(r["p"]) >= 0.8]
        coverage = [float(r["coverage"]) for r in rows]
        false_met = [float(r["false_met"]) for r in high]
        lines.append(
            f"| {method} | {np.mean(coverage):.3f} | {min(coverage):.3f} | "
            f"{sum(c < 0.93 for c in coverage)} | {np.mean(false_met):.4f} | "
            f"{max(false_met):.3f} | {sum(f > 0.04 for f in false_met)} | "
            f"{_mean(rows, 'width'):.4f} |"
        )
    for key, values in (("n_eff", EFFECTIVE_N), ("p", RATES), ("clusters", CLUSTERS)):
        lines += [
            "",
            f"Coverage / false met by {key}:",
            "",
            "| method | " + " | ".join(f"{key} = {v}" for v in values) + " |",
            "| --- |" + " --- |" * len(values),
        ]
        for method in PROPORTION_METHODS:
            cells_text = []
            for value in values:
                rows = [r for r in results if r["method"] == method and float(r[key]) == value]
                cells_text.append(f"{_mean(rows, 'coverage'):.3f} / {_mean(rows, 'false_met'):.3f}")
            lines.append(f"| {method} | " + " | ".join(cells_text) + " |")
    lines += [
        "",
        "Cells with the highest false-met rate (p ≥ 0.8), per method:",
        "",
        "| method | p | deff | n_eff | clusters | coverage | false met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for method in PROPORTION_METHODS:
        rows = [r for r in results if r["method"] == method and float(r["p"]) >= 0.8]
        for row in sorted(rows, key=lambda r: -float(r["false_met"]))[:3]:
            lines.append(
                f"| {method} | {row['p']} | {row['deff']:.0f} | {row['n_eff']} | "
                f"{row['clusters']} | {float(row['coverage']):.3f} | "
                f"{float(row['false_met']):.3f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the study and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(args.reps, args.seed)
    sys.stdout.write(report(results, args.reps, args.seed, time.perf_counter() - started) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
