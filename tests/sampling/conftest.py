"""R's api data (tests/data/api) as numpy columns, with the derived columns the R scripts add."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "tests" / "data" / "api"
REFERENCE = ROOT / "tests" / "reference"  # threestage.csv: a sample drawn by api_reference.R

# pytest puts tests/ on sys.path (for tests/conftest.py), where tests/sampling would be imported as
# a namespace package named `sampling`; with the checkout on sys.path the real package wins.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

Columns = dict[str, np.ndarray]


@cache
def _read(name: str) -> tuple[tuple[str, np.ndarray], ...]:
    folder = REFERENCE if name == "threestage" else API
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = []
    for key in rows[0]:
        values = [row[key] for row in rows]
        try:
            array = np.array([np.nan if v == "NA" else float(v) for v in values])
        except ValueError:
            array = np.array([None if v == "NA" else v for v in values], dtype=object)
        columns.append((key, array))
    return tuple(columns)


def api_data(name: str) -> Columns:
    """One api data set (or ``threestage``) with the derived columns of api_reference.R."""
    data = {key: array.copy() for key, array in _read(name)}
    data["yes"] = (data["sch.wide"] == "Yes").astype(np.float64)
    if name == "apiclus2":
        dnum = data["dnum"]
        _, inverse, counts = np.unique(dnum, return_inverse=True, return_counts=True)
        data["f1"] = 40 / data["fpc1"]
        data["f2"] = counts[inverse] / data["fpc2"]
        data["fpc2_lonely"] = np.where(data["fpc2"] == 1, 4.0, data["fpc2"])
        sizes = {"E": 400.0, "H": 150.0, "M": 250.0}  # invented districts per school type
        data["fpc1_stype"] = np.array([sizes[s] for s in data["stype"]])
    if name == "apiclus1":
        data["fpc_lonely"] = np.where(data["dnum"] == 413, 1.0, 1000.0)
        data["prob"] = 1 / data["pw"]
    return data


@pytest.fixture
def api() -> Callable[[str], Columns]:
    """``api("apiclus1")``: fresh columns of an api data set."""
    return api_data
