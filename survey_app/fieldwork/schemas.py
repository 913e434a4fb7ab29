"""Fieldwork schemas."""

from __future__ import annotations

import msgspec


class AssignmentView(msgspec.Struct, frozen=True):
    id: int
    community: str
    street: str
    target: int
    completed: int
    quota_cells: dict[str, int]
