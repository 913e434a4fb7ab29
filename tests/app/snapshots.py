"""Snapshots of database tables, to show that a refused request stored nothing: every row of
each watched table as text that holds each of its values exactly, so a changed byte in any
column shows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from types import TracebackType

from sqlalchemy import TextClause, text

from survey_app.db.engine import make_engine
from survey_app.models import Base
from survey_app.settings import Settings

Snapshot = dict[str, list[str]]
"""Table → its rows (sorted), each as text."""


class Snapshots:
    """Reads `tables` (every column but those named "table.column" in `ignored`) in one query,
    on an engine and event loop kept open from one snapshot to the next (a snapshot does not
    pay for a new connection) and closed when the `with` block ends."""

    def __init__(
        self, settings: Settings, tables: Iterable[str], *, ignored: Iterable[str] = ()
    ) -> None:
        columns = {name: [c.name for c in Base.metadata.tables[name].columns] for name in tables}
        skipped = set(ignored)
        unknown = skipped - {f"{name}.{c}" for name, names in columns.items() for c in names}
        assert not unknown, f"no such column among the watched tables: {sorted(unknown)}"
        self._engine = make_engine(settings)
        quote = self._engine.dialect.identifier_preparer.quote
        rows = []
        for name, names in columns.items():
            kept = [quote(c) for c in names if f"{name}.{c}" not in skipped]
            rows.append(
                f"SELECT '{name}', {_row_text(kept, settings.is_sqlite)} FROM {quote(name)}"
            )
        self._tables = list(columns)
        self._query: TextClause = text(" UNION ALL ".join(rows))
        self._runner = asyncio.Runner()

    def __enter__(self) -> Snapshots:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._runner.run(self._engine.dispose())
        self._runner.close()

    def take(self) -> Snapshot:
        return self._runner.run(self._read())

    async def _read(self) -> Snapshot:
        found: Snapshot = {name: [] for name in self._tables}
        async with self._engine.connect() as connection:
            for name, row in await connection.execute(self._query):
                found[name].append(row)
        return {name: sorted(rows) for name, rows in found.items()}


def _row_text(columns: list[str], sqlite: bool) -> str:
    """An SQL expression for a row as text that tells NULL from an empty string and keeps
    floats to the last bit: SQLite's `quote()` of each value, PostgreSQL's text of a row
    value."""
    if sqlite:
        return " || ',' || ".join(f"quote({c})" for c in columns)
    return f"CAST(ROW({', '.join(columns)}) AS text)"
