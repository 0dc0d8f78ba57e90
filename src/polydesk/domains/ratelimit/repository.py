"""All SQL of rate counters: one atomic upsert-increment per key and window."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import RateCounter


async def increment(session: AsyncSession, key: str, window_start: datetime) -> int:
    """Add one to the counter of ``key`` in the window and return the new count, in one
    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: concurrent callers on any
    number of connections each see a distinct count, and none is lost."""
    values = {"key": key, "window_start": window_start, "count": 1}
    stmt: Any
    if session.get_bind().dialect.name == "postgresql":
        pg = pg_insert(RateCounter).values(**values)
        stmt = pg.on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": RateCounter.count + 1},
        )
    else:
        lite = sqlite_insert(RateCounter).values(**values)
        stmt = lite.on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": RateCounter.count + 1},
        )
    count = (await session.execute(stmt.returning(RateCounter.count))).scalar_one()
    return int(count)


async def delete_before(session: AsyncSession, before: datetime, *, key: str | None = None) -> int:
    """Drop the counters of windows that started before ``before`` (of one key, or all)."""
    stmt = delete(RateCounter).where(RateCounter.window_start < before)
    if key is not None:
        stmt = stmt.where(RateCounter.key == key)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)
