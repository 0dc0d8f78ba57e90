"""All SQL of watches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import Record, User, Watch


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def add_unique(session: AsyncSession, watch: Watch) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when the watch exists."""
    try:
        async with session.begin_nested():
            session.add(watch)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(session: AsyncSession, watch: Watch, changes: Mapping[str, Any]) -> bool:
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(watch, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, watch: Watch) -> None:
    await session.delete(watch)
    await session.flush()


async def get(session: AsyncSession, watch_id: int) -> Watch | None:
    return await session.get(Watch, watch_id)


def _parent(record_id: int | None, config_item_id: int | None) -> ColumnElement[bool]:
    if record_id is not None:
        return Watch.record_id == record_id
    return Watch.config_item_id == config_item_id


async def find(
    session: AsyncSession,
    *,
    record_id: int | None,
    config_item_id: int | None,
    user_id: int | None,
    external_email: str | None,
) -> Watch | None:
    watcher = (
        Watch.user_id == user_id if user_id is not None else Watch.external_email == external_email
    )
    result: Watch | None = await session.scalar(
        select(Watch).where(_parent(record_id, config_item_id), watcher)
    )
    return result


async def with_users(
    session: AsyncSession,
    *,
    record_ids: Iterable[int] = (),
    config_item_ids: Iterable[int] = (),
) -> Sequence[tuple[Watch, User | None]]:
    """Watches of the records or config items, each with its user, in one query."""
    records, items = set(record_ids), set(config_item_ids)
    if not records and not items:
        return []
    parent = Watch.record_id.in_(records) if records else Watch.config_item_id.in_(items)
    rows = await session.execute(
        select(Watch, User)
        .outerjoin(User, User.id == Watch.user_id)
        .where(parent)
        .order_by(Watch.id)
    )
    return [(row[0], row[1]) for row in rows.all()]
