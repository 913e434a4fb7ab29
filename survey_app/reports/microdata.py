"""Microdata exports of a weighting run: CSV, SPSS ``.sav``, Stata ``.dta``, a codebook and R /
Stata snippets declaring the design.

One row per weighted respondent, categories as whole-number codes (value labels in ``.sav`` and
``.dta``, the codebook for CSV), weights and design variables (stratum, PSU), the 0/1 indicator
variables and the single-choice answers. Left out: direct identifiers and anything that could
point to a person — free-text and numeric answers (exact age), multiple choices, contact
details, device ids, timestamps, paradata and database ids (``case_id`` is a new sequence).
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from questionnaires.model import Questionnaire
from survey_app.analysis.data import OPEN_LINK, WaveData
from survey_app.analysis.estimation import design_columns
from survey_app.analysis.services import WeightedCase
from survey_app.errors import ConfigurationError

FORMATS = ("csv", "sav", "dta")
SAMPLE_CODES = {"probability": 1, OPEN_LINK: 2, "combined": 3}
MODE_CODES = {"web": 1, "capi": 2, "openrosa": 3}
OPEN_LINK_PSU_BASE = 100_000
MAX_NAME = 30
"""Stata allows 32 characters, but its value-label sets are named after the variable too."""
MAX_LABEL_BYTES = 80
_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    label: str
    values: Sequence[float | None] | Sequence[str | None]
    value_labels: dict[int, str]


@dataclass(frozen=True, slots=True)
class Microdata:
    variables: tuple[Variable, ...]
    indicators: tuple[tuple[str, str], ...]
    """(variable name, indicator code) of each indicator column."""
    clustered: bool

    def column(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)


def _name(raw: str, taken: set[str], prefix: str = "") -> str:
    name = _NAME.sub("_", prefix + raw)[:MAX_NAME]
    if not name[0].isalpha():
        name = ("v" + name)[:MAX_NAME]
    base, n = name, 2
    while name.lower() in taken:
        name = f"{base[: MAX_NAME - len(str(n)) - 1]}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def _coded(
    values: Sequence[str | None], order: Sequence[str]
) -> tuple[list[float | None], dict[str, int]]:
    codes = {value: index for index, value in enumerate(order, start=1)}
    extra = sorted({v for v in values if v is not None and v not in codes})
    for value in extra:
        codes[value] = len(codes) + 1
    return [float(codes[v]) if v is not None else None for v in values], codes


def build_microdata(
    data: WaveData,
    cases: Sequence[WeightedCase],
    language: str = "zh",
    *,
    include_text: bool = False,
) -> Microdata:
    """The export table of a weighting run's respondents (see the module docstring); free-text
    answers only when `include_text` (an administrator's explicit request, logged)."""
    q: Questionnaire = data.questionnaire
    lang = "en" if language == "en" else "zh"
    taken: set[str] = set()
    variables: list[Variable] = []

    def add(
        raw: str,
        label: str,
        values: Sequence[float | None] | Sequence[str | None],
        labels: dict[int, str] | None = None,
        prefix: str = "",
    ) -> str:
        name = _name(raw, taken, prefix)
        variables.append(Variable(name, label, values, labels or {}))
        return name

    n = len(cases)
    add("case_id", "Case number", [float(i) for i in range(1, n + 1)])
    add(
        "sample",
        "Sample",
        [float(SAMPLE_CODES[c.group]) for c in cases],
        {v: k for k, v in SAMPLE_CODES.items()},
    )
    add(
        "mode",
        "Mode of collection",
        [float(MODE_CODES.get(c.case.mode, 0)) for c in cases],
        {v: k for k, v in MODE_CODES.items()},
    )
    places = sorted(data.places.values(), key=lambda p: p.code)
    place_codes: dict[str, dict[str, int]] = {}
    place_values: dict[str, list[float | None]] = {}
    place_labels: dict[str, dict[int, str]] = {}
    for level in ("district", "street", "community"):
        order = [p.code for p in places if p.level == level]
        values, codes = _coded([getattr(c.case, level) for c in cases], order)
        place_codes[level] = codes
        place_values[level] = values
        place_labels[level] = {code: data.place_name(value) for value, code in codes.items()}
        add(
            level,
            {"district": "区", "street": "街道", "community": "社区"}[level],
            values,
            place_labels[level],
        )
    clustered = any(c.group != OPEN_LINK for c in cases)
    add("stratum", "Stratum (district)", place_values["district"], place_labels["district"])
    add(
        "psu",
        "Primary sampling unit (community; each open-link answer its own)",
        [
            float(place_codes["community"][c.case.community])
            if c.case.sample != OPEN_LINK and c.case.community in place_codes["community"]
            else float(OPEN_LINK_PSU_BASE + i)
            for i, c in enumerate(cases, start=1)
        ],
    )
    add("design_weight", "Design weight N_c / (pi_c * m_c)", [c.design_weight for c in cases])
    add("weight", "Final weight (calibrated)", [c.weight for c in cases])
    columns = design_columns([c.case for c in cases], [c.weight for c in cases], data.indicators)
    indicators = []
    for indicator in data.indicators:
        label = q.localize(dict(indicator.label), lang)
        values = [None if math.isnan(v) else float(v) for v in columns[indicator.code].tolist()]
        name = add(indicator.code, label, values, {0: "0", 1: "1"}, prefix="i_")
        indicators.append((name, indicator.code))
    for question in q.questions():
        is_group = question.name == "age_group"
        if question.type != "select_one" and not is_group:
            continue
        if question.name in ("district", "street", "community"):
            continue
        choices = q.choice_list(question.name if is_group else question.list_name)
        order = [c.name for c in choices.choices] if choices else []
        raw = [c.case.answers.get(question.name) for c in cases]
        values, codes = _coded([v if isinstance(v, str) else None for v in raw], order)
        names = {c.name: q.localize(c.label, lang) for c in choices.choices} if choices else {}
        add(
            question.name,
            q.localize(question.label, lang) or question.name,
            values,
            {code: names.get(value, value) for value, code in codes.items()},
        )
    if include_text:
        for question in q.questions():
            if question.type == "text":
                answers = [c.case.answers.get(question.name) for c in cases]
                texts: list[str | None] = [a if isinstance(a, str) and a else None for a in answers]
                add(question.name, q.localize(question.label, lang) or question.name, texts)
    return Microdata(tuple(variables), tuple(indicators), clustered)


def write_csv(micro: Microdata) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Chinese labels."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([v.name for v in micro.variables])
    for row in zip(*(v.values for v in micro.variables), strict=True):
        writer.writerow(["" if x is None else x if isinstance(x, str) else _number(x) for x in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def codebook(micro: Microdata) -> bytes:
    """Variables, their labels and value labels, as CSV (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variable", "label", "code", "value_label"])
    for v in micro.variables:
        writer.writerow([v.name, v.label, "", ""])
        for code, label in sorted(v.value_labels.items()):
            writer.writerow([v.name, "", code, label])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _frame(micro: Microdata) -> Any:
    """The table as a polars data frame, or pandas where polars is missing (pyreadstat reads
    either; before 1.3 only pandas)."""
    text = {v.name for v in micro.variables if any(isinstance(x, str) for x in v.values)}
    columns = {
        v.name: [("" if v.name in text else math.nan) if x is None else x for x in v.values]
        for v in micro.variables
    }
    try:
        import polars  # noqa: PLC0415
    except ImportError:
        try:
            import pandas  # noqa: PLC0415
        except ImportError as error:
            raise ConfigurationError(
                "SPSS and Stata exports need polars or pandas next to pyreadstat"
            ) from error
        return pandas.DataFrame(columns)
    return polars.DataFrame(
        columns,
        schema={name: polars.Utf8 if name in text else polars.Float64 for name in columns},
    )


def write_statistical(micro: Microdata, kind: str) -> bytes:
    """SPSS ``.sav`` or Stata ``.dta`` with variable and value labels (pyreadstat)."""
    try:
        import pyreadstat  # noqa: PLC0415 - optional until the export is asked for
    except ImportError as error:
        raise ConfigurationError("SPSS and Stata exports need the pyreadstat package") from error
    frame = _frame(micro)
    labels: dict[str, str | None] = {v.name: _clip(v.label) for v in micro.variables}
    value_labels: dict[str, dict[int | float, str]] = {
        v.name: {int(k): s for k, s in v.value_labels.items()}
        for v in micro.variables
        if v.value_labels
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{kind}"
        if kind == "sav":
            pyreadstat.write_sav(
                frame, str(path), column_labels=labels, variable_value_labels=value_labels
            )
        else:
            pyreadstat.write_dta(
                frame, str(path), column_labels=labels, variable_value_labels=value_labels
            )
        return path.read_bytes()


def _clip(label: str) -> str:
    """`label` cut to the byte limit of Stata's variable labels, whole characters only."""
    return label.encode()[:MAX_LABEL_BYTES].decode(errors="ignore")


def export(micro: Microdata, kind: str) -> bytes:
    if kind == "csv":
        return write_csv(micro)
    if kind in ("sav", "dta"):
        return write_statistical(micro, kind)
    raise ConfigurationError(f"unknown export format {kind!r}; use one of {', '.join(FORMATS)}")


def _samples(micro: Microdata) -> list[int]:
    return sorted({int(v) for v in micro.column("sample").values if v is not None})


def r_snippet(micro: Microdata, csv_name: str, method: str, confidence_level: float) -> str:
    """R ``survey`` code that declares the design of the export and re-estimates each rate:
    the probability (or combined) sample with its strata and PSUs, open-link answers apart."""
    lines = [
        "# Minyi export: declare the survey design in R survey and re-estimate every indicator.",
        "library(survey)",
        'options(survey.lonely.psu = "adjust")',
        f'd <- read.csv("{csv_name}", fileEncoding = "UTF-8-BOM")',
    ]
    names = {v: k for k, v in SAMPLE_CODES.items()}
    for code in _samples(micro):
        design = (
            "svydesign(ids = ~1, weights = ~weight, data = subset(d, sample == {c}))"
            if code == SAMPLE_CODES[OPEN_LINK]
            else "svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, "
            "data = subset(d, sample == {c}))"
        ).format(c=code)
        lines += [f"# sample {code}: {names[code]}", f"des <- {design}"]
        for name, _code in micro.indicators:
            rate = f"subset(des, !is.na({name}))"
            lines += [
                f'print(svyciprop(~{name}, {rate}, method = "{method}", '
                f"level = {confidence_level}))",
                f'print(svyby(~{name}, ~district, {rate}, svyciprop, vartype = c("se", "ci"), '
                f'method = "{method}", level = {confidence_level}))',
            ]
    return "\n".join(lines) + "\n"


def stata_snippet(micro: Microdata, dta_name: str, confidence_level: float) -> str:
    """Stata ``svyset`` for the export, and each indicator's proportion per sample."""
    lines = [
        "* Minyi export: declare the survey design in Stata and re-estimate every indicator.",
        f'use "{dta_name}", clear',
    ]
    for code in _samples(micro):
        if code == SAMPLE_CODES[OPEN_LINK]:
            lines.append("svyset _n [pweight = weight], vce(linearized)")
        else:
            lines.append(
                "svyset psu [pweight = weight], strata(stratum) vce(linearized) "
                "singleunit(centered)"
            )
        lines += [
            f"svy, subpop(if sample == {code}): proportion {name}, "
            f"level({confidence_level * 100:g}) citype(logit)"
            for name, _code in micro.indicators
        ]
    return "\n".join(lines) + "\n"
