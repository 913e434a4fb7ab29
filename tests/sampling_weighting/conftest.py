"""Fixtures for the weighting tests: R's api data as columns and the R reference values."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
API = HERE.parent / "data" / "api"
REFERENCE = HERE.parent / "reference" / "weighting_reference.json"


def read_csv(name: str) -> dict[str, np.ndarray]:
    """A CSV of tests/data/api as numpy columns: numbers as float (NA as NaN), text as str."""
    with (API / f"{name}.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    columns: dict[str, np.ndarray] = {}
    for j, name_j in enumerate(header):
        raw = [row[j] for row in body]
        try:
            columns[name_j] = np.array([np.nan if v == "NA" else float(v) for v in raw])
        except ValueError:
            columns[name_j] = np.array(raw)
    return columns


@pytest.fixture(scope="session")
def reference() -> dict[str, Any]:
    with REFERENCE.open() as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.fixture(scope="session")
def api() -> dict[str, dict[str, np.ndarray]]:
    return {
        name: read_csv(name)
        for name in ("apisrs", "apistrat", "apiclus1", "apiclus2", "apipop", "scd")
    }
