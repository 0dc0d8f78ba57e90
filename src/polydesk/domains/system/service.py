"""Health of the server's dependencies."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.domains.system import repository


async def database_reachable(session: AsyncSession) -> bool:
    try:
        await repository.ping(session)
    except Exception:
        return False
    return True
