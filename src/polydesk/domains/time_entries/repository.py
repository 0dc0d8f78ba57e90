"""All SQL of time entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Reader, any_of, held_of_inserted
from polydesk.models import Record, TimeEntry


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add(session: AsyncSession, entry: TimeEntry) -> TimeEntry:
    session.add(entry)
    await session.flush()
    return entry


async def apply(session: AsyncSession, entry: TimeEntry, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(entry, key, value)
    await session.flush()


async def delete(session: AsyncSession, entry: TimeEntry) -> None:
    await session.delete(entry)
    await session.flush()


async def get(session: AsyncSession, entry_id: int) -> TimeEntry | None:
    return await session.get(TimeEntry, entry_id)


async def list_entries(
    session: AsyncSession,
    *,
    record_id: int | None,
    user_id: int | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[TimeEntry], int]:
    where: ColumnElement[bool] = true()
    if record_id is not None:
        where = where & (TimeEntry.record_id == record_id)
    if user_id is not None:
        where = where & (TimeEntry.user_id == user_id)
    rows = await session.scalars(
        select(TimeEntry)
        .where(where)
        .order_by(TimeEntry.spent_on, TimeEntry.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(TimeEntry).where(where))
    return rows.all(), int(total or 0)


async def minutes_by_record(session: AsyncSession, record_ids: Iterable[int]) -> dict[int, int]:
    wanted = set(record_ids)
    if not wanted:
        return {}
    written = held_of_inserted(session, TimeEntry, Record, wanted)
    if written is not None:  # records created in this unit of work: their entries are held
        totals: dict[int, int] = {}
        for entry in written:
            if entry.record_id in wanted:
                totals[entry.record_id] = totals.get(entry.record_id, 0) + entry.minutes
        return totals
    rows = await _MINUTES.all(session, ids=sorted(wanted))
    return {int(row.record_id): int(row.minutes or 0) for row in rows}


class _Minutes(NamedTuple):
    record_id: int
    minutes: int | None


# Built once, as every record read of GoToAssist runs it.
_MINUTES = Reader(
    select(TimeEntry.record_id, func.sum(TimeEntry.minutes))
    .where(any_of(TimeEntry.record_id, "ids"))
    .group_by(TimeEntry.record_id),
    _Minutes,
)
