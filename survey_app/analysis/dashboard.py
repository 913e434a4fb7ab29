"""The fieldwork dashboard: progress against target, modes, AAPOR rates, enumerators, flags.

Response rates are AAPOR's (`sampling.planning.response_rates_from_codes`): enumerator visits
by their final dispositions; personal web invitations as completes (1.1) when answered and of
unknown eligibility (3.10) when not; the probability sample as both together. Quality flags:
speeders (a complete taking less than 40 % of the median duration of its mode), identical
answer vectors within one community, and more than three web completes from one device.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling.planning import ResponseRates, response_rates_from_codes
from survey_app.analysis.data import Place, wave_places
from survey_app.i18n import Formatter, translations
from survey_app.models import (
    COMPLETE_DISPOSITIONS,
    Assignment,
    Invitation,
    Response,
    ResponseMode,
    User,
    Wave,
)
from survey_app.reports.charts import ProgressRow, progress_chart, svg

SPEEDER_SHARE = 0.4
DEVICE_LIMIT = 3
"""Web completes from one device beyond this many are flagged."""
METADATA = frozenset({"start", "end", "today", "deviceid", "instanceID"})


@dataclass(frozen=True, slots=True)
class Progress:
    code: str
    name: str
    level: str
    completes: int
    target: int
    web: int
    open_link: int

    @property
    def share(self) -> float:
        return self.completes / self.target if self.target else 0.0


@dataclass(frozen=True, slots=True)
class Rates:
    label: str
    cases: int
    rates: ResponseRates | None


@dataclass(frozen=True, slots=True)
class EnumeratorWork:
    name: str
    visits: int
    completes: int
    response_rate: float
    median_minutes: float
    speeders: int


@dataclass(frozen=True, slots=True)
class Flag:
    response_id: int
    kind: str
    place: str
    detail: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    wave: Wave
    by_mode: dict[str, int]
    completes: dict[str, int]
    districts: list[Progress]
    streets: list[Progress]
    communities: list[Progress]
    rates: list[Rates]
    enumerators: list[EnumeratorWork]
    flags: list[Flag]


def _rates(label: str, codes: list[str]) -> Rates:
    if not codes:
        return Rates(label, 0, None)
    try:
        return Rates(label, len(codes), response_rates_from_codes(codes))
    except ValueError:
        return Rates(label, len(codes), None)


def _duration(response: Response) -> float | None:
    value = (response.paradata or {}).get("duration_seconds")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _lineage(places: dict[str, Place], code: str | None) -> list[str]:
    """`code` and every unit above it."""
    out = []
    while code and code in places:
        out.append(code)
        code = places[code].parent
    return out


def _kind(response: Response) -> str:
    if not response.is_probability_sample:
        return "open_link"
    return "web" if response.mode is ResponseMode.WEB else "completes"


async def fieldwork_dashboard(
    db: AsyncSession, wave: Wave, team_of: int | None = None
) -> Dashboard:
    """Everything the dashboard shows about `wave`, from its responses and assignments.

    With `team_of` (a supervisor's id) the enumerator table and the quality flags cover only
    that supervisor's team; progress and rates stay the wave's totals."""
    places, by_id = await wave_places(db, wave)
    responses = list(
        await db.scalars(select(Response).where(Response.wave_id == wave.id).order_by(Response.id))
    )
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("completes", "web", "open_link")}
    assignments = await db.execute(
        select(Assignment.unit_id, Assignment.target_count).where(Assignment.wave_id == wave.id)
    )
    for unit_id, target in assignments.tuples():
        for code in _lineage(places, by_id.get(unit_id)):
            counts.setdefault("target", Counter())[code] += target
    invitations = (
        await db.scalars(select(Invitation.uses_left).where(Invitation.wave_id == wave.id))
    ).all()
    staff = (await db.execute(select(User.id, User.display_name, User.supervisor_id))).all()
    names = {user_id: name for user_id, name, _ in staff}
    team = {user_id for user_id, _, lead in staff if team_of is None or lead == team_of}
    by_mode: Counter[str] = Counter()
    complete_kinds: Counter[str] = Counter()
    visits: dict[int, list[Response]] = defaultdict(list)
    enumerator_of = {r.id: r.enumerator_id for r in responses}
    for r in responses:
        by_mode[r.mode.value] += 1
        if r.mode is not ResponseMode.WEB:
            visits[r.enumerator_id or 0].append(r)
        if r.disposition in COMPLETE_DISPOSITIONS:
            kind = _kind(r)
            complete_kinds[kind] += 1
            for code in _lineage(places, by_id.get(r.unit_id or 0)):
                counts[kind][code] += 1
    progress = [
        Progress(
            code=place.code,
            name=place.name,
            level=place.level,
            completes=counts["completes"][place.code],
            target=counts.get("target", Counter())[place.code],
            web=counts["web"][place.code],
            open_link=counts["open_link"][place.code],
        )
        for place in sorted(places.values(), key=lambda p: p.code)
    ]
    flags = [
        f
        for f in quality_flags(responses, by_id, places)
        if team_of is None or enumerator_of.get(f.response_id) in team
    ]
    speeders = {f.response_id for f in flags if f.kind == "speeder"}
    capi_codes = [r.disposition for r in responses if r.mode is not ResponseMode.WEB]
    web_codes = ["1.1" if uses_left == 0 else "3.10" for uses_left in invitations]
    return Dashboard(
        wave=wave,
        by_mode=dict(by_mode),
        completes=dict(complete_kinds),
        districts=[p for p in progress if p.level == "district"],
        streets=[p for p in progress if p.level == "street"],
        communities=[p for p in progress if p.level == "community" and p.target],
        rates=[
            _rates("enumerator", capi_codes),
            _rates("web_invitation", web_codes),
            _rates("probability", capi_codes + web_codes),
        ],
        enumerators=[
            _enumerator(names.get(enumerator, "—"), rows, speeders)
            for enumerator, rows in sorted(visits.items(), key=lambda kv: names.get(kv[0], ""))
            if team_of is None or enumerator in team
        ],
        flags=flags,
    )


def _enumerator(name: str, rows: list[Response], speeders: set[int]) -> EnumeratorWork:
    rates = _rates("", [r.disposition for r in rows]).rates
    minutes = [d / 60 for r in rows if r.disposition == "1.1" and (d := _duration(r))]
    return EnumeratorWork(
        name=name,
        visits=len(rows),
        completes=sum(r.disposition in COMPLETE_DISPOSITIONS for r in rows),
        response_rate=rates.RR1 if rates else 0.0,
        median_minutes=statistics.median(minutes) if minutes else 0.0,
        speeders=sum(r.id in speeders for r in rows),
    )


def _answer_key(response: Response) -> str:
    """The answers without metadata (start, end, device), to compare answer vectors."""
    answers = {k: v for k, v in (response.answers or {}).items() if k not in METADATA}
    return msgspec.json.encode(dict(sorted(answers.items()))).decode()


def _device(response: Response) -> str | None:
    for source in (response.paradata or {}, response.answers or {}):
        for key in ("device_id", "deviceid"):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def quality_flags(
    responses: list[Response], by_id: dict[int, str], places: dict[str, Place]
) -> list[Flag]:
    """Speeders, identical answer vectors within a community, and many completes from one
    device, among completes."""
    completes = [r for r in responses if r.disposition in COMPLETE_DISPOSITIONS]
    durations: dict[str, list[float]] = defaultdict(list)
    for r in completes:
        if (seconds := _duration(r)) is not None:
            durations[r.mode.value].append(seconds)
    medians = {mode: statistics.median(values) for mode, values in durations.items()}
    flags = []
    seen: dict[tuple[str, str], int] = {}
    devices: dict[str, list[int]] = defaultdict(list)
    for r in completes:
        community = by_id.get(r.unit_id or 0, "")
        place = places[community].name if community in places else ""
        seconds = _duration(r)
        median = medians.get(r.mode.value)
        if seconds is not None and median and seconds < SPEEDER_SHARE * median:
            flags.append(Flag(r.id, "speeder", place, f"{seconds / 60:.1f} / {median / 60:.1f}"))
        key = (community, _answer_key(r))
        if key in seen:
            flags.append(Flag(r.id, "duplicate", place, f"#{seen[key]}"))
        else:
            seen[key] = r.id
        device = _device(r) if r.mode is ResponseMode.WEB else None
        if device is not None:
            devices[device].append(r.id)
            if len(devices[device]) > DEVICE_LIMIT:
                flags.append(Flag(r.id, "device", place, f"#{devices[device][0]}"))
    return flags


@dataclass(frozen=True, slots=True)
class DashboardPage:
    dashboard: Dashboard
    chart: str


async def dashboard_page(
    db: AsyncSession, wave: Wave, locale: str, team_of: int | None = None
) -> DashboardPage:
    """The dashboard of `wave` with its progress chart by district as inline SVG."""
    dashboard = await fieldwork_dashboard(db, wave, team_of)
    fmt = Formatter(locale)
    drawing = progress_chart(
        [ProgressRow(p.name, p.completes, p.target) for p in dashboard.districts],
        percent=lambda v: fmt.percent(v, 0),
        chart_width=520,
    )
    title = translations(locale).gettext("Enumerator interviews against target by district")
    return DashboardPage(dashboard, svg(drawing, title))
