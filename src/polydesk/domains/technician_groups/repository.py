"""All SQL of technician groups and their members."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import TechnicianGroup, TechnicianGroupMember, User


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


async def get(session: AsyncSession, group_id: int) -> TechnicianGroup | None:
    return await session.get(TechnicianGroup, group_id)


async def get_by_key(session: AsyncSession, key: str) -> TechnicianGroup | None:
    result: TechnicianGroup | None = await session.scalar(
        select(TechnicianGroup).where(TechnicianGroup.name_key == key)
    )
    return result


async def list_all(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[Sequence[TechnicianGroup], int]:
    rows = await session.scalars(
        select(TechnicianGroup)
        .order_by(TechnicianGroup.name_key, TechnicianGroup.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(TechnicianGroup))
    return rows.all(), int(total or 0)


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[TechnicianGroup]:
    wanted = set(ids)
    if not wanted:
        return []
    rows = await session.scalars(select(TechnicianGroup).where(TechnicianGroup.id.in_(wanted)))
    return rows.all()


async def get_membership(
    session: AsyncSession, group_id: int, user_id: int
) -> TechnicianGroupMember | None:
    result: TechnicianGroupMember | None = await session.scalar(
        select(TechnicianGroupMember).where(
            TechnicianGroupMember.group_id == group_id, TechnicianGroupMember.user_id == user_id
        )
    )
    return result


async def members_of(session: AsyncSession, group_ids: Iterable[int]) -> Sequence[tuple[int, User]]:
    """``(group id, user)`` pairs for every member of the groups, in one query."""
    wanted = set(group_ids)
    if not wanted:
        return []
    rows = await session.execute(
        select(TechnicianGroupMember.group_id, User)
        .join(User, User.id == TechnicianGroupMember.user_id)
        .where(TechnicianGroupMember.group_id.in_(wanted))
        .order_by(TechnicianGroupMember.group_id, User.id)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def groups_of(session: AsyncSession, user_id: int) -> Sequence[TechnicianGroup]:
    rows = await session.scalars(
        select(TechnicianGroup)
        .join(TechnicianGroupMember, TechnicianGroupMember.group_id == TechnicianGroup.id)
        .where(TechnicianGroupMember.user_id == user_id)
        .order_by(TechnicianGroup.name_key, TechnicianGroup.id)
    )
    return rows.all()
