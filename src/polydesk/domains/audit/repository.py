"""All SQL of the event log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Event


def add(session: AsyncSession, event: Event) -> Event:
    """Added to the unit of work, written by its next flush (at the latest when it commits):
    nothing reads an event back in the transaction that records it, and the events of one
    change go out in one statement with the rows they describe."""
    session.add(event)
    return event


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
