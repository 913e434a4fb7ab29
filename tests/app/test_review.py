"""Supervisor review: quality flags, who sees what, approve and reject with the history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from survey_app.review.flags import Flag, Interview, quality_flags
from survey_app.settings import Settings
from tests.app.test_capi import (
    PASSWORD,
    Fieldwork,
    complete_answers,
    item,
    make_fieldwork,
    review,
    stored,
    upload,
)
from tests.app.web import sign_in

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SCALES = {"q1": "satisfaction", "q2": "satisfaction", "q3": "satisfaction", "q4": "yes_no"}


def interview(
    interview_id: int,
    *,
    unit: int = 1,
    device: str = "tablet",
    minutes: float = 0,
    duration: float = 400,
    answers: dict[str, str] | None = None,
) -> Interview:
    return Interview(
        id=interview_id,
        unit_id=unit,
        device=device,
        started_at=START + dt.timedelta(minutes=minutes),
        duration_seconds=duration,
        answers=answers or {"q1": "a", "q2": "b", "q3": "a", "n": str(interview_id)},
    )


def test_speeders_take_under_half_the_median() -> None:
    flags = quality_flags(
        [
            interview(1, duration=400, minutes=0),
            interview(2, duration=420, minutes=60),
            interview(3, duration=199, minutes=120),
        ],
        SCALES,
    )
    assert flags == {3: [Flag.SPEEDING]}


def test_straight_lining_needs_three_equal_answers_on_one_scale() -> None:
    same = {"q1": "a", "q2": "a", "q3": "a"}
    two_only = {"q1": "a", "q2": "a", "q4": "a"}
    flags = quality_flags(
        [interview(1, answers=same), interview(2, answers=two_only, minutes=90)], SCALES
    )
    assert flags == {1: [Flag.STRAIGHT_LINING]}


def test_identical_answers_are_flagged_within_a_community_only() -> None:
    coached = {"q1": "a", "q2": "b", "q4": "yes"}
    flags = quality_flags(
        [
            interview(1, answers=coached, device="x"),
            interview(2, answers=dict(reversed(coached.items())), device="y"),
            interview(3, answers=coached, unit=2, device="z"),
        ],
        SCALES,
    )
    assert flags == {1: [Flag.DUPLICATE_ANSWERS], 2: [Flag.DUPLICATE_ANSWERS]}


def test_many_interviews_from_one_device_in_half_an_hour() -> None:
    burst = [interview(i, minutes=i * 8) for i in range(1, 5)]
    spread = [interview(10 + i, device="other", minutes=i * 40) for i in range(4)]
    flags = quality_flags([*burst, *spread], SCALES)
    assert flags == {i: [Flag.DEVICE_BURST] for i in range(1, 5)}


@pytest.fixture
def fieldwork(clean_settings: Settings) -> Fieldwork:
    return make_fieldwork(clean_settings)


@pytest.mark.db
def test_supervisors_see_their_own_team_only(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    fast = item(fieldwork, paradata={"duration_seconds": 60})
    slow = item(fieldwork, paradata={"duration_seconds": 500}, answers=complete_answers(age=33))
    slower = item(fieldwork, paradata={"duration_seconds": 520}, answers=complete_answers(age=34))
    upload(client, fast, slow, slower)
    assert client.get("/review", headers={"accept": "text/html"}).status_code == 403
    fast_id = stored(clean_settings, fast["uuid"]).id
    client.cookies.clear()
    sign_in(client, "sup", PASSWORD)
    page = client.get("/review?flagged=true", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert f'data-response="{fast_id}"' in page.text
    assert page.text.count("data-response=") == 1
    assert "用时不到中位数的一半" in page.text
    assert client.get("/review?state=nonsense", headers={"accept": "text/html"}).status_code == 422
    client.cookies.clear()
    sign_in(client, "sup2", PASSWORD)
    assert "data-response=" not in client.get("/review", headers={"accept": "text/html"}).text
    assert client.get(f"/review/{fast_id}", headers={"accept": "text/html"}).status_code == 404


@pytest.mark.db
def test_a_rejection_needs_a_comment_and_every_step_is_in_the_history(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    sign_in(client, "ena", PASSWORD)
    interview_item = item(fieldwork)
    upload(client, interview_item)
    response_id = stored(clean_settings, interview_item["uuid"]).id
    client.cookies.clear()
    sign_in(client, "sup", PASSWORD)
    assert review(client, response_id, "reject", "  ") == 422
    assert review(client, response_id, "reject", "请补问参与情况") == 303
    assert review(client, response_id, "reject", "again") == 409
    assert review(client, response_id, "approve", "核实无误") == 303
    page = client.get(f"/review/{response_id}", headers={"accept": "text/html"})
    history = page.text[page.text.index('id="history-title"') :]
    assert history.index('data-action="received"') < history.index('data-action="rejected"')
    assert history.index('data-action="rejected"') < history.index('data-action="approved"')
    assert "请补问参与情况" in history
    assert "核实无误" in history
    assert "荷花社区" in page.text
