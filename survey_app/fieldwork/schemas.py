"""Fieldwork schemas."""

from __future__ import annotations

import msgspec


class Place(msgspec.Struct, frozen=True):
    code: str
    name: str


class QuotaCell(msgspec.Struct, frozen=True):
    """One age × sex cell of an assignment: `key` is "age_group|sex", as in the assignment."""

    key: str
    target: int
    filled: int

    @property
    def is_full(self) -> bool:
        return self.filled >= self.target


class AssignmentView(msgspec.Struct, frozen=True):
    id: int
    wave_id: int
    unit_id: int
    community: Place
    street: Place
    district: Place
    target: int
    completed: int
    quota: list[QuotaCell]
