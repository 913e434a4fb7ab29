"""Sample-design schemas: frame problems and summaries, plan settings and results, sheets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import msgspec

from survey_app.i18n import N_

Effect = Literal["icc", "deff"]
Scope = Literal["district", "overall"]
AllocationChoice = Literal["proportional", "equal", "power"]
SelectionChoice = Literal["pps_systematic", "systematic", "srs"]


class FrameProblem(msgspec.Struct, frozen=True):
    """One problem in a frame file: its row (header = 1), column and message template."""

    row: int
    column: str
    message: str
    params: dict[str, str] = {}

    def render(self, gettext: Callable[[str], str]) -> str:
        message = gettext(self.message).format(**self.params)
        if self.column:
            return gettext(N_("row {row}, {column}: {message}")).format(
                row=self.row, column=self.column, message=message
            )
        return gettext(N_("row {row}: {message}")).format(row=self.row, message=message)

    def as_detail(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.column,
            "message": self.message.format(**self.params),
            "template": self.message,
            "params": self.params,
        }

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> FrameProblem:
        return cls(
            row=int(detail["row"]),
            column=str(detail["field"]),
            message=str(detail["template"]),
            params=dict(detail["params"]),
        )


class FrameSummary(msgspec.Struct, frozen=True):
    id: int
    name: str
    districts: int
    streets: int
    communities: int
    population: int
    has_margins: bool


class PlanSettings(msgspec.Struct, frozen=True, kw_only=True):
    """A design's precision target and assumptions; proportions as fractions."""

    p: float = 0.9
    moe: float = 0.03
    confidence_level: float = 0.95
    effect: Effect = "icc"
    icc: float = 0.02
    deff: float = 1.5
    per_community: int = 25
    response_rate: float = 0.8
    scope: Scope = "district"
    allocation: AllocationChoice = "proportional"
    minimum: int = 2


class Stratum(msgspec.Struct, frozen=True):
    """A district of the frame: its unit id, population and number of communities."""

    unit_id: int
    code: str
    name: str
    population: int
    communities: int


class PlanRow(msgspec.Struct, frozen=True):
    unit_id: int
    code: str
    name: str
    population: int
    communities_available: int
    communities: int
    per_community: int
    interviews: int
    contacts: int
    deff: float

    @property
    def takes_all(self) -> bool:
        return self.communities >= self.communities_available


class PlanResult(msgspec.Struct, frozen=True):
    settings: PlanSettings
    rows: list[PlanRow]
    n0: float

    @property
    def communities(self) -> int:
        return sum(row.communities for row in self.rows)

    @property
    def interviews(self) -> int:
        return sum(row.interviews for row in self.rows)

    @property
    def contacts(self) -> int:
        return sum(row.contacts for row in self.rows)

    @property
    def population(self) -> int:
        return sum(row.population for row in self.rows)


class SelectedRow(msgspec.Struct, frozen=True):
    district: str
    street: str
    code: str
    name: str
    population: int
    inclusion_probability: float
    order: int
    is_certainty: bool
    is_reserve: bool


class AssignmentRow(msgspec.Struct, frozen=True):
    enumerator: str
    enumerator_name: str
    district: str
    street: str
    code: str
    name: str
    target: int
    quota_cells: dict[str, int]

    @property
    def ages(self) -> list[str]:
        return list(dict.fromkeys(key.partition("|")[0] for key in self.quota_cells))

    @property
    def sexes(self) -> list[str]:
        return list(dict.fromkeys(key.partition("|")[2] for key in self.quota_cells))

    def quota(self, age: str, sex: str) -> int:
        return self.quota_cells.get(f"{age}|{sex}", 0)


class EnumeratorChoice(msgspec.Struct, frozen=True):
    id: int
    username: str
    display_name: str


class DesignSummary(msgspec.Struct, frozen=True):
    id: int
    survey_title: str
    wave_name: str
    frame_name: str
    interviews: int
    is_drawn: bool
    assignments: int


class DesignView(msgspec.Struct, frozen=True):
    """One design with everything its page shows."""

    id: int
    survey_title: str
    wave_id: int
    wave_name: str
    frame_name: str
    settings: dict[str, Any]
    plan: list[PlanRow]
    is_drawn: bool
    selected: list[SelectedRow]
    assignments: list[AssignmentRow]

    @property
    def interviews(self) -> int:
        return sum(row.interviews for row in self.plan)

    @property
    def communities(self) -> int:
        return sum(row.communities for row in self.plan)


class SheetSection(msgspec.Struct, frozen=True):
    """One enumerator's page of the printable assignment sheet."""

    enumerator: str
    enumerator_name: str
    rows: list[AssignmentRow]
    reserves: list[SelectedRow]

    @property
    def target(self) -> int:
        return sum(row.target for row in self.rows)
