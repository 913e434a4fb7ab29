"""A fictional city of 6 districts, 20 streets and 100 communities with census margins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AGE_GROUPS = ("age_14_29", "age_30_39", "age_40_49", "age_50_59", "age_60_plus")
"""The age groups of the demo questionnaire's `age_group` calculation (residents aged 14+)."""
SEXES = ("male", "female")
_AGE_SHARES = np.array([0.19, 0.21, 0.20, 0.18, 0.22])

DISTRICTS = (
    ("D01", "东城区", ("东华街道", "朝阳门街道", "建国街道", "和平里街道")),
    ("D02", "西城区", ("西长安街道", "金融街街道", "月坛街道")),
    ("D03", "南湖区", ("南湖街道", "湖滨街道", "望湖街道")),
    ("D04", "北山区", ("北山街道", "青松街道", "翠屏街道", "云岭街道")),
    ("D05", "滨江区", ("滨江街道", "江畔街道", "码头街道")),
    ("D06", "高新区", ("科技园街道", "创新街道", "未来城街道")),
)
_COMMUNITY_NAMES = ("幸福", "和谐", "文明", "阳光", "长青")


@dataclass(frozen=True, slots=True)
class Community:
    code: str
    name: str
    population: int
    margins: dict[tuple[str, str], int]


@dataclass(frozen=True, slots=True)
class Street:
    code: str
    name: str
    communities: tuple[Community, ...]


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    streets: tuple[Street, ...]

    @property
    def population(self) -> int:
        return sum(c.population for s in self.streets for c in s.communities)

    def margins(self) -> dict[tuple[str, str], int]:
        totals: dict[tuple[str, str], int] = {}
        for street in self.streets:
            for community in street.communities:
                for cell, count in community.margins.items():
                    totals[cell] = totals.get(cell, 0) + count
        return totals


def _cell_counts(population: int, rng: np.random.Generator) -> dict[tuple[str, str], int]:
    """Adult population split over age × sex so the cells add up to `population`."""
    age = rng.dirichlet(_AGE_SHARES * 200)
    female = rng.uniform(0.48, 0.53, size=len(AGE_GROUPS))
    shares = np.column_stack([age * (1 - female), age * female]).ravel()
    counts = np.floor(shares * population).astype(int)
    counts[np.argsort(shares * population - counts)[::-1][: population - counts.sum()]] += 1
    cells = [(a, s) for a in AGE_GROUPS for s in SEXES]
    return {cell: int(n) for cell, n in zip(cells, counts, strict=True)}


def build_city(rng: np.random.Generator) -> tuple[District, ...]:
    """The demo city; the same generator state always gives the same city."""
    districts = []
    for d_code, d_name, street_names in DISTRICTS:
        streets = []
        for s_index, s_name in enumerate(street_names, start=1):
            s_code = f"{d_code}S{s_index:02d}"
            communities = []
            for c_index, stem in enumerate(_COMMUNITY_NAMES, start=1):
                population = int(rng.integers(2_500, 14_000))
                communities.append(
                    Community(
                        code=f"{s_code}C{c_index:02d}",
                        name=f"{s_name.removesuffix('街道')}{stem}社区",
                        population=population,
                        margins=_cell_counts(population, rng),
                    )
                )
            streets.append(Street(code=s_code, name=s_name, communities=tuple(communities)))
        districts.append(District(code=d_code, name=d_name, streets=tuple(streets)))
    return tuple(districts)
