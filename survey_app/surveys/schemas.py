"""Survey schemas."""

from __future__ import annotations

import msgspec


class SurveySummary(msgspec.Struct, frozen=True):
    id: int
    slug: str
    title: str
    wave_name: str
    web_responses: int
    capi_responses: int
    completes: int
    target: int


class DistrictProgress(msgspec.Struct, frozen=True):
    code: str
    name: str
    completes: int
    target: int

    @property
    def share(self) -> float:
        return self.completes / self.target if self.target else 0.0
