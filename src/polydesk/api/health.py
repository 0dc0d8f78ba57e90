"""``GET /healthz``: 200 while the database answers, 503 otherwise."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from polydesk.api.deps import AppDatabase
from polydesk.domains.system import service

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz(db: AppDatabase) -> JSONResponse:
    async with db.sessionmaker() as session:
        ok = await service.database_reachable(session)
    if ok:
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
