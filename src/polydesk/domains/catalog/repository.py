"""All SQL of services, priorities, activity types, categories and statuses."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Status


async def list_statuses(session: AsyncSession) -> Sequence[Status]:
    result = await session.scalars(select(Status).order_by(Status.position, Status.id))
    return result.all()


async def get_status_by_key(session: AsyncSession, name_key: str) -> Status | None:
    result: Status | None = await session.scalar(select(Status).where(Status.name_key == name_key))
    return result


async def add(session: AsyncSession, obj: object) -> None:
    session.add(obj)
    await session.flush()
