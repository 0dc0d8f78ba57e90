"""All SQL of the event log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import insert_later, write_later
from polydesk.models import Event


def add(session: AsyncSession, values: dict[str, Any]) -> None:
    """Written with the unit of work's commit, with the other events in as few statements as
    may be (nothing reads an event back in the transaction that records it but the reads
    below, which write them first)."""
    insert_later(session, Event, values)


async def list_for_object(
    session: AsyncSession, object_type: str, object_id: int
) -> Sequence[Event]:
    await write_later(session)
    result = await session.scalars(
        select(Event)
        .where(Event.object_type == object_type, Event.object_id == object_id)
        .order_by(Event.id)
    )
    return result.all()


async def list_for_record(session: AsyncSession, record_id: int) -> Sequence[Event]:
    await write_later(session)
    result = await session.scalars(
        select(Event).where(Event.record_id == record_id).order_by(Event.id)
    )
    return result.all()


async def count(session: AsyncSession, **filters: Any) -> int:
    await write_later(session)
    stmt = select(func.count()).select_from(Event)
    for key, value in filters.items():
        stmt = stmt.where(getattr(Event, key) == value)
    return int(await session.scalar(stmt) or 0)
