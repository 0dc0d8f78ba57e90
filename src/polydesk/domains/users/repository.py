"""All SQL of user accounts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import already_loaded
from polydesk.core.enums import Role
from polydesk.models import TechnicianGroupMember, User


async def add_unique(session: AsyncSession, user: User) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when a unique key is taken."""
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(session: AsyncSession, user: User, changes: Mapping[str, Any]) -> bool:
    """Write only ``changes``, in a savepoint; ``False`` when a unique key is taken."""
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(user, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_by_email_key(session: AsyncSession, key: str) -> User | None:
    """By the lower-cased address (``email_key``, unique)."""
    result: User | None = await session.scalar(select(User).where(User.email_key == key))
    return result


async def get_by_username(session: AsyncSession, username: str) -> Sequence[User]:
    """Every user whose username matches ignoring case (at most one: ``username_key`` is unique)."""
    rows = await session.scalars(
        select(User).where(User.username_key == username.lower()).order_by(User.id)
    )
    return rows.all()


async def list_users(
    session: AsyncSession,
    *,
    roles: Sequence[str] | None,
    query: str | None,
    is_active: bool | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[User], int]:
    conditions: list[ColumnElement[bool]] = []
    if roles is not None:
        conditions.append(User.role.in_(list(roles)))
    if is_active is not None:
        conditions.append(User.is_active.is_(is_active))
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        full_name = func.lower(User.first_name + " " + User.last_name)
        conditions.append(
            or_(
                User.email_key.like(pattern, escape="\\"),
                User.username_key.like(pattern, escape="\\"),
                full_name.like(pattern, escape="\\"),
            )
        )
    rows = await session.scalars(
        select(User).where(*conditions).order_by(User.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(User).where(*conditions))
    return rows.all(), int(total or 0)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[User]:
    found, missing = already_loaded(session, User, set(ids))
    if missing:
        found += (await session.scalars(select(User).where(User.id.in_(missing)))).all()
    return found


async def count_admins(session: AsyncSession, *, active_only: bool) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
    if active_only:
        stmt = stmt.where(User.is_active.is_(True))
    return int(await session.scalar(stmt) or 0)


async def group_membership_count(session: AsyncSession, user_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(TechnicianGroupMember)
        .where(TechnicianGroupMember.user_id == user_id)
    )
    return int(await session.scalar(stmt) or 0)
