"""Simulated residents answering the shipped civilized-city questionnaire.

Each district has its own true rate for every indicator, drawn near the indicator's threshold so
that some districts meet it and some do not; communities vary around their district (which is
what makes the design effect of a cluster sample). Enumerator visits end in AAPOR dispositions —
completes, refusals, non-contacts, ineligibles; invited web respondents form part of the
probability sample; open-link web responses do not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np

from questionnaires.indicators import Indicator as IndicatorDefinition
from questionnaires.model import Choice, ChoiceList, Questionnaire
from questionnaires.templates import load_template
from questionnaires.validation import validate_answers
from survey_app.collection.consent import consent_of, with_consent
from survey_app.collection.storage import content_hash
from survey_app.demo.city import District
from survey_app.models import Response, ResponseMode

DEMO_SURVEY_SLUG = "civilized-city-2026"
DEMO_TEMPLATE = "civilized_city_resident"
FIELDWORK_START = dt.datetime(2026, 10, 8, 9, 0, tzinfo=dt.UTC)
_AGE_RANGES = {
    "age_14_29": (14, 29),
    "age_30_39": (30, 39),
    "age_40_49": (40, 49),
    "age_50_59": (50, 59),
    "age_60_plus": (60, 85),
}
_REASONS = ("小区环境卫生有待改善", "停车难问题没有解决", "噪音扰民", "公共设施维护不及时")
_SUGGESTIONS = ("希望多开展社区志愿活动", "加强背街小巷的保洁", "增加公园和健身设施")


def demo_questionnaire(
    city: Sequence[District],
) -> tuple[Questionnaire, tuple[IndicatorDefinition, ...]]:
    """The shipped resident questionnaire with the demo city's districts, streets, communities."""
    template = load_template(DEMO_TEMPLATE)
    places = {
        "district": [Choice(name=d.code, label={"zh": d.name, "en": d.code}) for d in city],
        "street": [
            Choice(name=s.code, label={"zh": s.name, "en": s.code}, filters={"district": d.code})
            for d in city
            for s in d.streets
        ],
        "community": [
            Choice(
                name=c.code,
                label={"zh": c.name, "en": c.code},
                filters={"district": d.code, "street": s.code},
            )
            for d in city
            for s in d.streets
            for c in s.communities
        ],
    }
    lists = tuple(
        ChoiceList(lst.name, tuple(places[lst.name])) if lst.name in places else lst
        for lst in template.questionnaire.choice_lists
    )
    return msgspec.structs.replace(template.questionnaire, choice_lists=lists), template.indicators


@dataclass(frozen=True, slots=True)
class Resident:
    district: str
    street: str
    community: str
    age_group: str
    sex: str


@dataclass(frozen=True, slots=True)
class TrueRates:
    """The simulated truth: each indicator's rate by community."""

    by_community: dict[str, dict[str, float]]

    @classmethod
    def draw(
        cls,
        city: Sequence[District],
        indicators: Sequence[IndicatorDefinition],
        rng: np.random.Generator,
    ) -> TrueRates:
        rates: dict[str, dict[str, float]] = {}
        for district in city:
            district_rate = {
                i.id: float(np.clip(i.threshold + rng.uniform(-0.05, 0.05), 0.05, 0.99))
                for i in indicators
            }
            for street in district.streets:
                for community in street.communities:
                    rates[community.code] = {
                        key: float(np.clip(rate + rng.normal(0, 0.035), 0.05, 0.995))
                        for key, rate in district_rate.items()
                    }
        return cls(rates)


def simulate_answers(
    questionnaire: Questionnaire,
    indicators: Sequence[IndicatorDefinition],
    resident: Resident,
    rates: dict[str, float],
    rng: np.random.Generator,
) -> dict[str, Any]:
    """One eligible resident's answers, cleaned by the questionnaire's own validation."""
    low, high = _AGE_RANGES[resident.age_group]
    answers: dict[str, Any] = {
        "consent": "agree",
        "resident_6m": "yes",
        "age": int(rng.integers(low, high + 1)),
        "sex": resident.sex,
        "district": resident.district,
        "street": resident.street,
        "community": resident.community,
        "aware_channels": sorted(
            rng.choice(["tv", "internet", "community", "outdoor", "word"], size=2, replace=False)
        ),
        "dissatisfaction_reason": str(rng.choice(_REASONS)),
    }
    if rng.random() < 0.15:
        answers["suggestions"] = str(rng.choice(_SUGGESTIONS))
    for indicator in indicators:
        in_numerator = rng.random() < rates[indicator.id]
        pool = (
            indicator.numerator
            if in_numerator
            else tuple(code for code in indicator.denominator if code not in indicator.numerator)
        )
        answers[indicator.question] = str(rng.choice(pool))
    result = validate_answers(questionnaire, answers)
    if not result.valid:
        problems = "; ".join(f"{p.name}: {p.message}" for p in result.problems)
        raise AssertionError(f"simulated answers break the demo questionnaire: {problems}")
    return result.answers


@dataclass(frozen=True, slots=True)
class SampledCommunity:
    """A community in the demo sample, with what the simulation needs to know of it."""

    unit_id: int
    code: str
    street: str
    district: str
    enumerator_id: int
    margins: dict[tuple[str, str], int]
    target: int


@dataclass(frozen=True, slots=True)
class Fieldwork:
    """Everything the simulated fieldwork produced, ready to be stored."""

    visits: list[Response]
    """Enumerator visits (CAPI), whatever their outcome."""
    invited: dict[int, list[Response]]
    """Community unit id → web answers to personal invitations sent there."""
    open_link: list[Response]
    invitations_per_community: int

    @property
    def responses(self) -> list[Response]:
        return [*self.visits, *(r for rs in self.invited.values() for r in rs), *self.open_link]


class _Simulator:
    def __init__(
        self,
        questionnaire: Questionnaire,
        indicators: Sequence[IndicatorDefinition],
        rates: TrueRates,
        *,
        wave_id: int,
        version_id: int,
        rng: np.random.Generator,
    ) -> None:
        self.questionnaire = questionnaire
        self.indicators = indicators
        self.rates = rates
        self.wave_id = wave_id
        self.version_id = version_id
        self.rng = rng

    def resident(self, community: SampledCommunity) -> Resident:
        cells = list(community.margins)
        counts = np.array([community.margins[cell] for cell in cells], dtype=float)
        age_group, sex = cells[int(self.rng.choice(len(cells), p=counts / counts.sum()))]
        return Resident(community.district, community.street, community.code, age_group, sex)

    def record(
        self,
        *,
        mode: ResponseMode,
        probability: bool,
        disposition: str,
        answers: dict[str, Any],
        unit_id: int | None,
        enumerator_id: int | None = None,
    ) -> Response:
        started = FIELDWORK_START + dt.timedelta(minutes=float(self.rng.uniform(0, 40 * 24 * 60)))
        seconds = float(self.rng.lognormal(np.log(420), 0.35)) if answers else 30.0
        return Response(
            client_uuid=uuid.UUID(bytes=self.rng.bytes(16), version=4),
            wave_id=self.wave_id,
            questionnaire_version_id=self.version_id,
            mode=mode,
            is_probability_sample=probability,
            unit_id=unit_id,
            enumerator_id=enumerator_id,
            disposition=disposition,
            answers=answers,
            paradata=with_consent(
                {
                    "started_at": started.isoformat(),
                    "submitted_at": (started + dt.timedelta(seconds=seconds)).isoformat(),
                    "duration_seconds": round(seconds, 1),
                },
                consent_of(
                    self.questionnaire, answers, language=self.questionnaire.default_language
                ),
            ),
            content_hash=content_hash(answers, disposition),
            started_at=started,
        )

    def complete(self, community: SampledCommunity) -> dict[str, Any]:
        return simulate_answers(
            self.questionnaire,
            self.indicators,
            self.resident(community),
            self.rates.by_community[community.code],
            self.rng,
        )


_VISIT_OUTCOMES = (("1.1", 0.62), ("2.11", 0.17), ("2.20", 0.13), ("2.33", 0.02), ("4.70", 0.06))
"""AAPOR dispositions of a household visit: complete, refusal, non-contact, language, ineligible."""


def simulate_fieldwork(
    questionnaire: Questionnaire,
    indicators: Sequence[IndicatorDefinition],
    city: Sequence[District],
    sample: Sequence[SampledCommunity],
    unit_ids: dict[str, int],
    *,
    wave_id: int,
    version_id: int,
    rng: np.random.Generator,
    invitations_per_community: int = 20,
    open_link_responses: int = 560,
) -> Fieldwork:
    """Enumerator visits, invited web answers and open-link answers, from `rng`."""
    sim = _Simulator(
        questionnaire,
        indicators,
        TrueRates.draw(city, indicators, rng),
        wave_id=wave_id,
        version_id=version_id,
        rng=rng,
    )
    codes = [code for code, _ in _VISIT_OUTCOMES]
    shares = np.array([share for _, share in _VISIT_OUTCOMES])
    visits: list[Response] = []
    invited: dict[int, list[Response]] = {}
    for community in sample:
        goal = int(rng.integers(int(community.target * 0.8), community.target + 1))
        completes = 0
        while completes < goal:
            disposition = str(rng.choice(codes, p=shares))
            answers = sim.complete(community) if disposition == "1.1" else {}
            completes += disposition == "1.1"
            visits.append(
                sim.record(
                    mode=ResponseMode.CAPI,
                    probability=True,
                    disposition=disposition,
                    answers=answers,
                    unit_id=community.unit_id,
                    enumerator_id=community.enumerator_id,
                )
            )
        answered = int(rng.binomial(invitations_per_community, 0.45))
        invited[community.unit_id] = [
            sim.record(
                mode=ResponseMode.WEB,
                probability=True,
                disposition="1.1",
                answers=sim.complete(community),
                unit_id=community.unit_id,
            )
            for _ in range(answered)
        ]
    communities = [
        SampledCommunity(0, c.code, s.code, d.code, 0, c.margins, 0)
        for d in city
        for s in d.streets
        for c in s.communities
    ]
    open_link = []
    for _ in range(open_link_responses):
        community = communities[int(rng.integers(len(communities)))]
        open_link.append(
            sim.record(
                mode=ResponseMode.WEB,
                probability=False,
                disposition="1.1",
                answers=sim.complete(community),
                unit_id=unit_ids[community.code],
            )
        )
    return Fieldwork(visits, invited, open_link, invitations_per_community)
