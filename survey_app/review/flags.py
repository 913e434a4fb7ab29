"""Quality flags on interviews, shown to supervisors before the data are used.

- **speeding**: the interview took under half the median duration of the completes compared;
- **straight-lining**: every answer to three or more questions sharing one answer scale is the
  same;
- **duplicate answers**: the answer vector is identical to another complete's in the same
  community (the coached-answer pattern of creation campaigns);
- **device burst**: one device produced `BURST_COUNT` or more interviews started within
  `BURST_WINDOW`, faster than door-to-door work allows.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from survey_app.i18n import N_

SPEEDING_SHARE = 0.5
STRAIGHT_LINE_MINIMUM = 3
BURST_COUNT = 4
BURST_WINDOW = dt.timedelta(minutes=30)
_CANONICAL = msgspec.json.Encoder(order="sorted")


class Flag(enum.StrEnum):
    SPEEDING = "speeding"
    STRAIGHT_LINING = "straight_lining"
    DUPLICATE_ANSWERS = "duplicate_answers"
    DEVICE_BURST = "device_burst"


FLAG_LABELS = {
    Flag.SPEEDING: N_("under half the median duration"),
    Flag.STRAIGHT_LINING: N_("straight-lining"),
    Flag.DUPLICATE_ANSWERS: N_("same answers as another interview in the community"),
    Flag.DEVICE_BURST: N_("many interviews from one device in a short time"),
}


@dataclass(frozen=True, slots=True)
class Interview:
    """What the flags look at in one complete interview."""

    id: int
    unit_id: int | None
    device: str
    started_at: dt.datetime | None
    duration_seconds: float | None
    answers: Mapping[str, Any]


def quality_flags(
    interviews: Sequence[Interview], scales: Mapping[str, str]
) -> dict[int, list[Flag]]:
    """Flags by interview id. `scales` maps a single-choice question to its choice list name."""
    flags: dict[int, list[Flag]] = defaultdict(list)
    for interview_id in _speeders(interviews):
        flags[interview_id].append(Flag.SPEEDING)
    for interview in interviews:
        if _straight_lined(interview.answers, scales):
            flags[interview.id].append(Flag.STRAIGHT_LINING)
    for interview_id in _duplicates(interviews):
        flags[interview_id].append(Flag.DUPLICATE_ANSWERS)
    for interview_id in _bursts(interviews):
        flags[interview_id].append(Flag.DEVICE_BURST)
    return dict(flags)


def _speeders(interviews: Sequence[Interview]) -> set[int]:
    durations = [i.duration_seconds for i in interviews if i.duration_seconds is not None]
    if not durations:
        return set()
    limit = SPEEDING_SHARE * statistics.median(durations)
    return {
        i.id for i in interviews if i.duration_seconds is not None and i.duration_seconds < limit
    }


def _straight_lined(answers: Mapping[str, Any], scales: Mapping[str, str]) -> bool:
    by_scale: dict[str, list[Any]] = defaultdict(list)
    for name, scale in scales.items():
        if answers.get(name) not in (None, ""):
            by_scale[scale].append(answers[name])
    return any(
        len(values) >= STRAIGHT_LINE_MINIMUM and len(set(values)) == 1
        for values in by_scale.values()
    )


def answer_vector(answers: Mapping[str, Any]) -> str:
    """A digest of the answers, equal for equal answer sets whatever their key order."""
    return hashlib.sha256(_CANONICAL.encode(dict(answers))).hexdigest()


def _duplicates(interviews: Sequence[Interview]) -> set[int]:
    groups: dict[tuple[int | None, str], list[int]] = defaultdict(list)
    for interview in interviews:
        if interview.answers:
            groups[interview.unit_id, answer_vector(interview.answers)].append(interview.id)
    return {i for ids in groups.values() if len(ids) > 1 for i in ids}


def _bursts(interviews: Sequence[Interview]) -> set[int]:
    by_device: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for interview in interviews:
        if interview.started_at is not None and interview.device:
            by_device[interview.device].append((interview.started_at, interview.id))
    flagged: set[int] = set()
    for starts in by_device.values():
        starts.sort()
        first = 0
        for last, (started, _) in enumerate(starts):
            while started - starts[first][0] > BURST_WINDOW:
                first += 1
            if last - first + 1 >= BURST_COUNT:
                flagged.update(interview_id for _, interview_id in starts[first : last + 1])
    return flagged
