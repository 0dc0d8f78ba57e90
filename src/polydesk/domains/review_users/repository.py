"""All SQL of release review users."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Record, ReleaseReviewUser


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add_unique(session: AsyncSession, reviewer: ReleaseReviewUser) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when the user already tests."""
    try:
        async with session.begin_nested():
            session.add(reviewer)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(
    session: AsyncSession, reviewer: ReleaseReviewUser, changes: Mapping[str, Any]
) -> bool:
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(reviewer, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, reviewer: ReleaseReviewUser) -> None:
    await session.delete(reviewer)
    await session.flush()


async def get(session: AsyncSession, review_user_id: int) -> ReleaseReviewUser | None:
    return await session.get(ReleaseReviewUser, review_user_id)


async def find(session: AsyncSession, record_id: int, user_id: int) -> ReleaseReviewUser | None:
    result: ReleaseReviewUser | None = await session.scalar(
        select(ReleaseReviewUser).where(
            ReleaseReviewUser.record_id == record_id, ReleaseReviewUser.user_id == user_id
        )
    )
    return result


async def for_records(
    session: AsyncSession, record_ids: Iterable[int]
) -> Sequence[ReleaseReviewUser]:
    wanted = set(record_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(ReleaseReviewUser)
        .where(ReleaseReviewUser.record_id.in_(wanted))
        .order_by(ReleaseReviewUser.record_id, ReleaseReviewUser.id)
    )
    return rows.all()
