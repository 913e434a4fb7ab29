"""Load the demo city into an empty database and tell the newcomer where to look."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import msgspec
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling.planning import quotas
from sampling.planning import select as select_units
from survey_app.accounts.passwords import hash_password
from survey_app.demo.city import District, build_city
from survey_app.demo.people import STAFF, DemoLogin, enumerator_login
from survey_app.demo.responses import (
    DEMO_SURVEY_SLUG,
    Fieldwork,
    SampledCommunity,
    demo_questionnaire,
    simulate_fieldwork,
)
from survey_app.errors import ConflictError
from survey_app.models import (
    Assignment,
    CensusMargin,
    Frame,
    FrameUnit,
    Indicator,
    Invitation,
    QuestionnaireVersion,
    SampleDesign,
    SelectedUnit,
    Survey,
    UnitLevel,
    User,
    Wave,
)
from survey_app.settings import Settings

COMMUNITIES_PER_DISTRICT = 5
INTERVIEWS_PER_COMMUNITY = 25


@dataclass(frozen=True, slots=True)
class DemoSummary:
    districts: int
    streets: int
    communities: int
    responses: int
    invitation_path: str = ""

    def summary(self) -> str:
        loaded = (
            f"demo city loaded: {self.districts} districts, {self.streets} streets, "
            f"{self.communities} communities, {self.responses} responses"
        )
        if self.invitation_path:
            loaded += f"\n  an unused resident invitation: {self.invitation_path}"
        return loaded


async def load_demo(db: AsyncSession, *, seed: int, if_empty: bool) -> DemoSummary | None:
    """Load the demo city from `seed`; None when `if_empty` and the database holds a survey."""
    if await db.scalar(select(func.count()).select_from(Survey)):
        if if_empty:
            return None
        raise ConflictError(
            "the database already holds surveys; the demo loads only into an empty one"
        )
    rng = np.random.default_rng(seed)
    city = build_city(rng)
    frame = Frame(name="示范市抽样框 (demo city frame)")
    db.add(frame)
    await db.flush()
    communities = await _store_frame(db, frame, city)
    enumerators = await _store_users(db, len(city))
    questionnaire, indicators = demo_questionnaire(city)
    survey = Survey(
        slug=DEMO_SURVEY_SLUG,
        title=questionnaire.title.get("zh", DEMO_SURVEY_SLUG),
        description="文明城市创建市民问卷调查 (demo)",
        frame_id=frame.id,
    )
    db.add(survey)
    await db.flush()
    wave = Wave(survey_id=survey.id, number=1, name="2026年第四季度", opens_on=None, closes_on=None)
    version = QuestionnaireVersion(
        survey_id=survey.id,
        version=questionnaire.version,
        definition=msgspec.to_builtins(questionnaire),
    )
    db.add_all([wave, version])
    db.add_all(
        Indicator(
            survey_id=survey.id,
            code=indicator.id,
            label=dict(indicator.label),
            question=indicator.question,
            numerator_codes=list(indicator.numerator),
            denominator_codes=list(indicator.denominator),
            threshold=indicator.threshold,
            direction=indicator.direction,
            domains=list(indicator.domains),
        )
        for indicator in indicators
    )
    await db.flush()
    design = SampleDesign(
        wave_id=wave.id,
        settings={
            "strata": "district",
            "selection": "pps_systematic",
            "communities_per_district": COMMUNITIES_PER_DISTRICT,
            "interviews_per_community": INTERVIEWS_PER_COMMUNITY,
            "seed": seed,
        },
        is_drawn=True,
    )
    db.add(design)
    await db.flush()
    sample = await _draw_and_assign(
        db, city=city, units=communities, design=design, wave=wave, enumerators=enumerators, rng=rng
    )
    fieldwork = simulate_fieldwork(
        questionnaire,
        indicators,
        city,
        sample,
        {code: unit.id for code, unit in communities.items()},
        wave_id=wave.id,
        version_id=version.id,
        rng=rng,
    )
    await _store_fieldwork(db, fieldwork, wave)
    await db.commit()
    unused = await db.scalar(
        select(Invitation.token).where(Invitation.uses_left > 0).order_by(Invitation.id).limit(1)
    )
    return DemoSummary(
        districts=len(city),
        streets=sum(len(d.streets) for d in city),
        communities=len(communities),
        responses=len(fieldwork.responses),
        invitation_path=f"/s/{DEMO_SURVEY_SLUG}/i/{unused}" if unused else "",
    )


async def _store_frame(
    db: AsyncSession, frame: Frame, city: tuple[District, ...]
) -> dict[str, FrameUnit]:
    communities: dict[str, FrameUnit] = {}
    for district in city:
        d_unit = FrameUnit(
            frame_id=frame.id,
            level=UnitLevel.DISTRICT,
            code=district.code,
            name=district.name,
            population=district.population,
        )
        db.add(d_unit)
        await db.flush()
        for street in district.streets:
            s_unit = FrameUnit(
                frame_id=frame.id,
                parent_id=d_unit.id,
                level=UnitLevel.STREET,
                code=street.code,
                name=street.name,
                population=sum(c.population for c in street.communities),
            )
            db.add(s_unit)
            await db.flush()
            for community in street.communities:
                c_unit = FrameUnit(
                    frame_id=frame.id,
                    parent_id=s_unit.id,
                    level=UnitLevel.COMMUNITY,
                    code=community.code,
                    name=community.name,
                    population=community.population,
                )
                db.add(c_unit)
                communities[community.code] = c_unit
    await db.flush()
    for district in city:
        for street in district.streets:
            for community in street.communities:
                db.add_all(
                    CensusMargin(
                        unit_id=communities[community.code].id,
                        age_group=age,
                        sex=sex,
                        population=count,
                    )
                    for (age, sex), count in community.margins.items()
                )
    return communities


async def _store_users(db: AsyncSession, districts: int) -> list[User]:
    def user(login: DemoLogin, supervisor_id: int | None = None) -> User:
        return User(
            username=login.username,
            display_name=login.display_name,
            password_hash=hash_password(login.password),
            role=login.role,
            supervisor_id=supervisor_id,
        )

    staff = [user(login) for login in STAFF]
    db.add_all(staff)
    await db.flush()
    supervisor = next(u for u in staff if u.username == "supervisor")
    enumerators = [user(enumerator_login(i), supervisor.id) for i in range(districts)]
    db.add_all(enumerators)
    await db.flush()
    return enumerators


async def _draw_and_assign(
    db: AsyncSession,
    *,
    city: tuple[District, ...],
    units: dict[str, FrameUnit],
    design: SampleDesign,
    wave: Wave,
    enumerators: list[User],
    rng: np.random.Generator,
) -> list[SampledCommunity]:
    """PPS-systematic selection of communities within each district, one enumerator each."""
    sample = []
    for district, enumerator in zip(city, enumerators, strict=True):
        frame_units = [(s, c) for s in district.streets for c in s.communities]
        drawn = select_units(
            [c.population for _, c in frame_units],
            COMMUNITIES_PER_DISTRICT,
            method="pps_systematic",
            rng=rng,
        )
        for order, index in enumerate(drawn.indices.tolist(), start=1):
            street, community = frame_units[index]
            unit = units[community.code]
            probability = float(drawn.inclusion_probabilities[index])
            db.add(
                SelectedUnit(
                    design_id=design.id,
                    unit_id=unit.id,
                    inclusion_probability=probability,
                    selection_order=order,
                    is_certainty=bool(drawn.certainty[index]),
                )
            )
            cells = quotas(INTERVIEWS_PER_COMMUNITY, community.margins)
            db.add(
                Assignment(
                    wave_id=wave.id,
                    unit_id=unit.id,
                    enumerator_id=enumerator.id,
                    target_count=INTERVIEWS_PER_COMMUNITY,
                    quota_cells={f"{age}|{sex}": n for (age, sex), n in cells.items()},
                )
            )
            sample.append(
                SampledCommunity(
                    unit_id=unit.id,
                    code=community.code,
                    street=street.code,
                    district=district.code,
                    enumerator_id=enumerator.id,
                    margins=community.margins,
                    target=INTERVIEWS_PER_COMMUNITY,
                )
            )
    await db.flush()
    return sample


async def _store_fieldwork(db: AsyncSession, fieldwork: Fieldwork, wave: Wave) -> None:
    """Responses, and the personal web invitations behind the invited ones (used or not)."""
    db.add_all(fieldwork.visits)
    db.add_all(fieldwork.open_link)
    for unit_id, answers in fieldwork.invited.items():
        invitations = [
            Invitation(
                wave_id=wave.id,
                token=secrets.token_urlsafe(16),
                unit_id=unit_id,
                uses_left=0 if index < len(answers) else 1,
                expires_at=None,
            )
            for index in range(fieldwork.invitations_per_community)
        ]
        db.add_all(invitations)
        await db.flush()
        for invitation, response in zip(invitations, answers, strict=False):
            response.invitation_id = invitation.id
        db.add_all(answers)
    await db.flush()


def print_welcome(settings: Settings) -> None:
    """The URLs and logins a newcomer needs, printed by `make run` and `minyi demo load`."""
    base = f"http://{settings.host}:{settings.port}"
    logins = [*STAFF, enumerator_login(0)]
    lines = [
        "",
        "Minyi 民意 — demo city",
        f"  admin and analysts:  {base}/admin",
        f"  resident survey:     {base}/s/{DEMO_SURVEY_SLUG}",
        f"  enumerator app:      {base}/enumerator",
        f"  API schema:          {base}/schema",
        "  demo logins (username / password):",
        *(f"    {login.role.value:<11} {login.username} / {login.password}" for login in logins),
        "    (enumerators enum01 … enum06 share the password above)",
        "",
    ]
    print("\n".join(lines))  # noqa: T201 - the welcome is for the person at the terminal
