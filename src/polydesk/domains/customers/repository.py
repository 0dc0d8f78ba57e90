"""All SQL of customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Customer, User


async def add_unique(session: AsyncSession, obj: object) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when a unique key is taken."""
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update(session: AsyncSession, obj: object, changes: Mapping[str, Any]) -> None:
    """Write only ``changes``."""
    for key, value in changes.items():
        setattr(obj, key, value)
    await session.flush()


async def get(session: AsyncSession, customer_id: int) -> tuple[Customer, User] | None:
    row = (
        await session.execute(
            select(Customer, User)
            .join(User, User.id == Customer.user_id)
            .where(Customer.id == customer_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def get_by_user(session: AsyncSession, user_id: int) -> Customer | None:
    result: Customer | None = await session.scalar(
        select(Customer).where(Customer.user_id == user_id)
    )
    return result


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_all(
    session: AsyncSession,
    *,
    company_id: int | None,
    query: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[tuple[Customer, User]], int]:
    conditions: list[ColumnElement[bool]] = []
    if company_id is not None:
        conditions.append(Customer.company_id == company_id)
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        conditions.append(
            or_(
                User.email_key.like(pattern, escape="\\"),
                func.lower(User.first_name + " " + User.last_name).like(pattern, escape="\\"),
            )
        )
    base = select(Customer, User).join(User, User.id == Customer.user_id).where(*conditions)
    rows = (await session.execute(base.order_by(Customer.id).offset(offset).limit(limit))).all()
    total = await session.scalar(
        select(func.count())
        .select_from(Customer)
        .join(User, User.id == Customer.user_id)
        .where(*conditions)
    )
    return [(row[0], row[1]) for row in rows], int(total or 0)
