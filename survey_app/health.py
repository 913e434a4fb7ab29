"""`/health`: 200 once the database answers, 503 with the reason otherwise."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from survey_app.db.dependencies import DbEngine
from survey_app.db.engine import check_connection


@get("/health", exclude_from_auth=True, tags=["operations"])
async def health(request: Request[Any, Any, Any], db_engine: DbEngine) -> dict[str, str]:
    """Report whether the service and its database are up."""
    await check_connection(db_engine, request.app.state.settings)
    return {"status": "ok", "database": db_engine.dialect.name}
