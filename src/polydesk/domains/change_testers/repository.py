"""All SQL of change testers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import ChangeTester, Record


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add_unique(session: AsyncSession, tester: ChangeTester) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when the user already tests."""
    try:
        async with session.begin_nested():
            session.add(tester)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(
    session: AsyncSession, tester: ChangeTester, changes: Mapping[str, Any]
) -> bool:
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(tester, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, tester: ChangeTester) -> None:
    await session.delete(tester)
    await session.flush()


async def get(session: AsyncSession, tester_id: int) -> ChangeTester | None:
    return await session.get(ChangeTester, tester_id)


async def find(session: AsyncSession, record_id: int, user_id: int) -> ChangeTester | None:
    result: ChangeTester | None = await session.scalar(
        select(ChangeTester).where(
            ChangeTester.record_id == record_id, ChangeTester.user_id == user_id
        )
    )
    return result


async def for_records(session: AsyncSession, record_ids: Iterable[int]) -> Sequence[ChangeTester]:
    wanted = set(record_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(ChangeTester)
        .where(ChangeTester.record_id.in_(wanted))
        .order_by(ChangeTester.record_id, ChangeTester.id)
    )
    return rows.all()
