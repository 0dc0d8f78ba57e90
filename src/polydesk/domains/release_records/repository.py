"""All SQL of release records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Record, ReleaseRecord


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add(session: AsyncSession, entry: ReleaseRecord) -> ReleaseRecord:
    session.add(entry)
    await session.flush()
    return entry


async def apply(session: AsyncSession, entry: ReleaseRecord, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(entry, key, value)
    await session.flush()


async def delete(session: AsyncSession, entry: ReleaseRecord) -> None:
    await session.delete(entry)
    await session.flush()


async def get(session: AsyncSession, entry_id: int) -> ReleaseRecord | None:
    return await session.get(ReleaseRecord, entry_id)


async def list_entries(
    session: AsyncSession, *, record_id: int | None, offset: int, limit: int
) -> tuple[Sequence[ReleaseRecord], int]:
    where: ColumnElement[bool] = true()
    if record_id is not None:
        where = ReleaseRecord.record_id == record_id
    rows = await session.scalars(
        select(ReleaseRecord).where(where).order_by(ReleaseRecord.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(ReleaseRecord).where(where))
    return rows.all(), int(total or 0)


async def for_records(session: AsyncSession, record_ids: Iterable[int]) -> Sequence[ReleaseRecord]:
    wanted = set(record_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(ReleaseRecord)
        .where(ReleaseRecord.record_id.in_(wanted))
        .order_by(ReleaseRecord.record_id, ReleaseRecord.id)
    )
    return rows.all()
