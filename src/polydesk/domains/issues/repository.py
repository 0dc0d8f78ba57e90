"""All SQL of issues."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Record, RecordIssue


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add(session: AsyncSession, issue: RecordIssue) -> RecordIssue:
    session.add(issue)
    await session.flush()
    return issue


async def apply(session: AsyncSession, issue: RecordIssue, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(issue, key, value)
    await session.flush()


async def delete(session: AsyncSession, issue: RecordIssue) -> None:
    await session.delete(issue)
    await session.flush()


async def get(session: AsyncSession, issue_id: int) -> RecordIssue | None:
    return await session.get(RecordIssue, issue_id)


async def list_issues(
    session: AsyncSession, *, record_id: int | None, offset: int, limit: int
) -> tuple[Sequence[RecordIssue], int]:
    where: ColumnElement[bool] = true()
    if record_id is not None:
        where = RecordIssue.record_id == record_id
    rows = await session.scalars(
        select(RecordIssue).where(where).order_by(RecordIssue.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(RecordIssue).where(where))
    return rows.all(), int(total or 0)


async def for_records(session: AsyncSession, record_ids: Iterable[int]) -> Sequence[RecordIssue]:
    wanted = set(record_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(RecordIssue)
        .where(RecordIssue.record_id.in_(wanted))
        .order_by(RecordIssue.record_id, RecordIssue.id)
    )
    return rows.all()
