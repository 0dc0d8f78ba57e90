"""All SQL of locations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Location


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


async def get(session: AsyncSession, location_id: int) -> Location | None:
    return await session.get(Location, location_id)


async def get_by_key(session: AsyncSession, key: str) -> Location | None:
    result: Location | None = await session.scalar(select(Location).where(Location.name_key == key))
    return result


async def parent_of(session: AsyncSession, location_id: int) -> int | None:
    result: int | None = await session.scalar(
        select(Location.parent_id).where(Location.id == location_id)
    )
    return result


async def list_all(
    session: AsyncSession, *, parent_id: int | None, top_level: bool, offset: int, limit: int
) -> tuple[Sequence[Location], int]:
    stmt = select(Location)
    count = select(func.count()).select_from(Location)
    if top_level:
        stmt = stmt.where(Location.parent_id.is_(None))
        count = count.where(Location.parent_id.is_(None))
    elif parent_id is not None:
        stmt = stmt.where(Location.parent_id == parent_id)
        count = count.where(Location.parent_id == parent_id)
    rows = await session.scalars(
        stmt.order_by(Location.name_key, Location.id).offset(offset).limit(limit)
    )
    return rows.all(), int(await session.scalar(count) or 0)


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[Location]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(Location).where(Location.id.in_(wanted)))).all()
