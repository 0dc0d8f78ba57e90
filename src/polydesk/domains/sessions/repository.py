"""All SQL of browser sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import User, WebSession


async def add(session: AsyncSession, row: WebSession) -> None:
    session.add(row)
    await session.flush()


async def get_with_user(session: AsyncSession, digest: str) -> tuple[WebSession, User] | None:
    """The session and its user, in one query."""
    row = (
        await session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.digest == digest)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def touch(session: AsyncSession, digest: str, when: datetime, expires_at: datetime) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.digest == digest)
        .values(last_seen_at=when, expires_at=expires_at)
    )


async def delete_one(session: AsyncSession, digest: str) -> int:
    result = await session.execute(delete(WebSession).where(WebSession.digest == digest))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_for_user(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
