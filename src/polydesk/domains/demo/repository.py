"""Queries of the demo loader."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import write_later
from polydesk.models import Event

MARKER_OBJECT_TYPE = "demo"


async def records_loaded(session: AsyncSession) -> bool:
    """Whether the demo records were loaded into this database already (its marker event)."""
    await write_later(session)
    found = await session.scalar(
        select(Event.id).where(Event.object_type == MARKER_OBJECT_TYPE).limit(1)
    )
    return found is not None
