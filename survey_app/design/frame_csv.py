"""The frame CSV: one row per community, with its street and district and age × sex margins.

Columns (header row required, UTF-8 with or without BOM; GB18030 from Chinese Excel is read too):
``district_code, district_name, street_code, street_name, community_code, community_name,
population``, then optionally one column per census cell named ``<age_group>|<sex>``
(e.g. ``age_14_29|male``). Rows are numbered as a spreadsheet shows them, the header being
row 1. Every problem names its row and column; a file with any problem is stored not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from survey_app.design.schemas import FrameProblem
from survey_app.errors import InvalidInputError
from survey_app.i18n import N_

UNIT_COLUMNS = (
    "district_code",
    "district_name",
    "street_code",
    "street_name",
    "community_code",
    "community_name",
)
POPULATION = "population"
REQUIRED = (*UNIT_COLUMNS, POPULATION)
CELL_SEPARATOR = "|"
CODE_LENGTH = 64
NAME_LENGTH = 200
MAX_PROBLEMS = 200
MAX_COUNT = 10_000_000
MAX_TOTAL = 2_000_000_000
HEADER_ROW = 1

Cell = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CommunityRow:
    code: str
    name: str
    street: str
    population: int
    margins: dict[Cell, int]


@dataclass(slots=True)
class ParsedFrame:
    """A valid frame: districts and streets in order of first appearance, then communities."""

    districts: dict[str, str] = field(default_factory=dict)
    streets: dict[str, tuple[str, str]] = field(default_factory=dict)
    communities: list[CommunityRow] = field(default_factory=list)
    cells: tuple[Cell, ...] = ()


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInputError(
        N_("the frame file is not UTF-8 (or GB18030) text; save it as CSV UTF-8"),
        details=[FrameProblem(HEADER_ROW, "", N_("not a text file")).as_detail()],
    )


def parse_frame(content: bytes) -> ParsedFrame:
    """Read and check a frame CSV; raise `InvalidInputError` listing every problem found."""
    reader = csv.reader(io.StringIO(decode(content), newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise InvalidInputError(
            N_("the frame file cannot be read as CSV"),
            details=[FrameProblem(reader.line_num, "", str(error)).as_detail()],
        ) from None
    checker = _Checker()
    frame = checker.read(rows)
    if checker.problems:
        raise InvalidInputError(
            N_("the frame file has problems; nothing was stored"),
            details=[problem.as_detail() for problem in checker.problems[:MAX_PROBLEMS]],
        )
    return frame


class _Checker:
    def __init__(self) -> None:
        self.problems: list[FrameProblem] = []

    def add(self, row: int, column: str, message: str, /, **params: object) -> None:
        self.problems.append(
            FrameProblem(row, column, message, {k: str(v) for k, v in params.items()})
        )

    def read(self, rows: Sequence[Sequence[str]]) -> ParsedFrame:
        frame = ParsedFrame()
        if not rows:
            self.add(HEADER_ROW, "", N_("the file is empty; it needs a header row"))
            return frame
        header = [name.strip() for name in rows[0]]
        cells = self._header(header)
        frame.cells = tuple(cell for _, cell in cells)
        if self.problems:
            return frame
        seen: dict[str, tuple[str, int]] = {}
        data = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
        if not data:
            self.add(2, "", N_("the file has no data rows"))
        for number, row in data:
            if len(row) != len(header):
                self.add(
                    number,
                    "",
                    N_("the row has {found} fields but the header has {expected}"),
                    found=len(row),
                    expected=len(header),
                )
                continue
            values = dict(zip(header, (value.strip() for value in row), strict=True))
            self._row(frame, seen, number, values, cells)
        if sum(community.population for community in frame.communities) > MAX_TOTAL:
            self.add(
                data[-1][0],
                POPULATION,
                N_("the populations add up to more than {limit}"),
                limit=MAX_TOTAL,
            )
        return frame

    def _header(self, header: list[str]) -> list[tuple[str, Cell]]:
        for column in REQUIRED:
            if column not in header:
                self.add(HEADER_ROW, column, N_("the header has no column {column}"), column=column)
        cells: list[tuple[str, Cell]] = []
        counted: set[str] = set()
        for column in header:
            if column in counted:
                self.add(HEADER_ROW, column, N_("the column appears twice in the header"))
            counted.add(column)
            if column in REQUIRED:
                continue
            age, separator, sex = column.partition(CELL_SEPARATOR)
            if not separator or not age.strip() or not sex.strip():
                self.add(
                    HEADER_ROW,
                    column,
                    N_("unknown column; census cells are named age_group|sex"),
                )
                continue
            cells.append((column, (age.strip(), sex.strip())))
        return cells

    def _row(
        self,
        frame: ParsedFrame,
        seen: dict[str, tuple[str, int]],
        number: int,
        values: dict[str, str],
        cells: list[tuple[str, Cell]],
    ) -> None:
        before = len(self.problems)
        for column in UNIT_COLUMNS:
            limit = CODE_LENGTH if column.endswith("_code") else NAME_LENGTH
            if not values[column]:
                self.add(number, column, N_("missing"))
            elif len(values[column]) > limit:
                self.add(number, column, N_("longer than {limit} characters"), limit=limit)
        units_ok = len(self.problems) == before
        population = self._count(number, POPULATION, values[POPULATION], least=1)
        margins = {cell: self._count(number, column, values[column]) for column, cell in cells}
        if cells and all(count == 0 for count in margins.values()):
            self.add(number, cells[0][0], N_("every age × sex cell is 0"))
        if not units_ok:
            return
        district, street, community = (
            values["district_code"],
            values["street_code"],
            values["community_code"],
        )
        self._unit(seen, number, "district_code", district, "district")
        self._unit(seen, number, "street_code", street, "street")
        self._unit(seen, number, "community_code", community, "community")
        known_name = frame.districts.setdefault(district, values["district_name"])
        if known_name != values["district_name"]:
            self.add(
                number,
                "district_name",
                N_("district {code} is named {name} on row {other}"),
                code=district,
                name=known_name,
                other=seen[district][1],
            )
        known_street = frame.streets.get(street)
        if known_street is not None and known_street[1] != district:
            self.add(
                number,
                "street_code",
                N_("street {code} belongs to district {parent} on row {other}"),
                code=street,
                parent=known_street[1],
                other=seen[street][1],
            )
        elif known_street is not None and known_street[0] != values["street_name"]:
            self.add(
                number,
                "street_name",
                N_("street {code} is named {name} on row {other}"),
                code=street,
                name=known_street[0],
                other=seen[street][1],
            )
        if len(self.problems) > before:
            return
        frame.streets.setdefault(street, (values["street_name"], district))
        frame.communities.append(
            CommunityRow(
                code=community,
                name=values["community_name"],
                street=street,
                population=population or 0,
                margins={cell: count or 0 for cell, count in margins.items()},
            )
        )

    def _unit(
        self, seen: dict[str, tuple[str, int]], number: int, column: str, code: str, level: str
    ) -> None:
        known = seen.get(code)
        if known is None:
            seen[code] = (level, number)
        elif level == "community" and known[0] == "community":
            self.add(
                number,
                column,
                N_("{code} already appears on row {other}"),
                code=code,
                other=known[1],
            )
        elif known[0] != level:
            self.add(
                number,
                column,
                N_("{code} is already used for another level on row {other}"),
                code=code,
                other=known[1],
            )

    def _count(self, number: int, column: str, text: str, least: int = 0) -> int | None:
        if not text:
            self.add(number, column, N_("missing"))
            return None
        try:
            value = int(text)
        except ValueError:
            self.add(number, column, N_("not a whole number: {value}"), value=text)
            return None
        if value < 0:
            self.add(number, column, N_("negative: {value}"), value=text)
            return None
        if value < least:
            self.add(number, column, N_("must be at least {least}"), least=least)
            return None
        if value > MAX_COUNT:
            self.add(number, column, N_("larger than {limit}"), limit=MAX_COUNT)
            return None
        return value


def write_frame(rows: Iterable[Sequence[object]], cells: Sequence[Cell]) -> str:
    """The frame CSV text: the header, then one line per community (`rows` in column order)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*REQUIRED, *(f"{age}{CELL_SEPARATOR}{sex}" for age, sex in cells)])
    writer.writerows(rows)
    return buffer.getvalue()


def problem_lines(details: Iterable[dict[str, object]], gettext: Callable[[str], str]) -> list[str]:
    """Problems as one line each: "row 5, population: negative: -3"."""
    return [FrameProblem.from_detail(detail).render(gettext) for detail in details]
