"""All SQL of watches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import already_loaded, held_of_inserted
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
    if records:
        held = _held_with_users(session, records)
        if held is not None:
            return held
    stmt = _WITH_USERS_OF_RECORDS if records else _WITH_USERS_OF_ITEMS
    rows = await session.execute(stmt, {"ids": sorted(records or items)})
    return [(row[0], row[1]) for row in rows.all()]


def _with_users(parent: ColumnElement[bool]) -> Select[Watch, User]:
    return (
        select(Watch, User)
        .outerjoin(User, User.id == Watch.user_id)
        .where(parent)
        .order_by(Watch.id)
    )


# Built once: every GoToAssist record read and page runs one of them.
_WITH_USERS_OF_RECORDS = _with_users(Watch.record_id.in_(bindparam("ids", expanding=True)))
_WITH_USERS_OF_ITEMS = _with_users(Watch.config_item_id.in_(bindparam("ids", expanding=True)))


def _held_with_users(
    session: AsyncSession, record_ids: set[int]
) -> list[tuple[Watch, User | None]] | None:
    """The watches of records created in this unit of work, from what it holds; ``None`` when
    they or a watcher's user are not all held (then the caller reads)."""
    written = held_of_inserted(session, Watch, Record, record_ids)
    if written is None:
        return None
    found, user_ids = [], set()
    for watch in sorted((w for w in written if w.record_id in record_ids), key=lambda w: w.id):
        found.append(watch)
        if watch.user_id is not None:
            user_ids.add(watch.user_id)
    users, missing = already_loaded(session, User, user_ids)
    if missing:
        return None
    by_id = {u.id: u for u in users}
    return [(w, by_id.get(w.user_id) if w.user_id is not None else None) for w in found]
