"""All SQL of the event log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import append_row
from polydesk.models import Event


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    """Written at once, after the changes the unit of work has yet to flush (the rows the
    event describes), as a plain row: nothing reads an event back in the transaction that
    records it."""
    await append_row(session, Event, values)


async def list_for_object(
    session: AsyncSession, object_type: str, object_id: int
) -> Sequence[Event]:
    result = await session.scalars(
        select(Event)
        .where(Event.object_type == object_type, Event.object_id == object_id)
        .order_by(Event.id)
    )
    return result.all()


async def list_for_record(session: AsyncSession, record_id: int) -> Sequence[Event]:
    result = await session.scalars(
        select(Event).where(Event.record_id == record_id).order_by(Event.id)
    )
    return result.all()


async def count(session: AsyncSession, **filters: Any) -> int:
    stmt = select(func.count()).select_from(Event)
    for key, value in filters.items():
        stmt = stmt.where(getattr(Event, key) == value)
    return int(await session.scalar(stmt) or 0)
