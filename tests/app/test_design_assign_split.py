"""How drawn communities are split over enumerators: contiguous runs of about equal work."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_app.design.assigning import split_runs

targets = st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=120)


@given(targets, st.integers(min_value=1, max_value=12))
def test_runs_are_contiguous_and_balanced(work: list[int], people: int) -> None:
    runs = split_runs(work, people)
    assert len(runs) == len(work)
    assert all(0 <= run < people for run in runs)
    assert runs == sorted(runs)
    loads = [0] * people
    for target, run in zip(work, runs, strict=True):
        loads[run] += target
    assert max(loads) <= sum(work) / people + max(work)


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=12), st.data())
def test_equal_targets_use_every_enumerator_when_there_is_enough_work(
    communities: int, people: int, data: st.DataObject
) -> None:
    target = data.draw(st.integers(min_value=1, max_value=100))
    runs = split_runs([target] * communities, people)
    assert len(set(runs)) == min(communities, people)


def test_six_districts_of_twelve_go_one_to_each_enumerator() -> None:
    assert split_runs([50] * 72, 6) == [run for run in range(6) for _ in range(12)]
