"""All SQL of departments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Department


async def add_unique(session: AsyncSession, obj: object) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when a unique key is taken."""
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(session: AsyncSession, obj: object, changes: Mapping[str, Any]) -> bool:
    """Write only ``changes``, in a savepoint; ``False`` when a unique key is taken."""
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(obj, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, obj: object) -> None:
    await session.delete(obj)
    await session.flush()


async def get(session: AsyncSession, department_id: int) -> Department | None:
    return await session.get(Department, department_id)


async def get_by_key(session: AsyncSession, key: str) -> Department | None:
    result: Department | None = await session.scalar(
        select(Department).where(Department.name_key == key)
    )
    return result


async def list_all(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[Sequence[Department], int]:
    rows = await session.scalars(
        select(Department).order_by(Department.name_key, Department.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Department))
    return rows.all(), int(total or 0)


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[Department]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(Department).where(Department.id.in_(wanted)))).all()
