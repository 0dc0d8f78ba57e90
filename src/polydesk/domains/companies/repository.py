"""All SQL of companies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Company


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


async def get(session: AsyncSession, company_id: int) -> Company | None:
    return await session.get(Company, company_id)


async def get_by_key(session: AsyncSession, key: str) -> Company | None:
    result: Company | None = await session.scalar(select(Company).where(Company.name_key == key))
    return result


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_all(
    session: AsyncSession, *, query: str | None, offset: int, limit: int
) -> tuple[Sequence[Company], int]:
    conditions = []
    if query:
        conditions.append(Company.name_key.like(f"%{_escape_like(query)}%", escape="\\"))
    rows = await session.scalars(
        select(Company)
        .where(*conditions)
        .order_by(Company.name_key, Company.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Company).where(*conditions))
    return rows.all(), int(total or 0)


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[Company]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(Company).where(Company.id.in_(wanted)))).all()
