"""Rate counters: one atomic increment per request, per key and hour, shared by every
connection (and so by every worker and node)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from polydesk.core.db import Database
from polydesk.core.errors import Invalid
from polydesk.domains.ratelimit import service
from polydesk.models import RateCounter

NOW = datetime(2026, 12, 1, 10, 25, 7, tzinfo=UTC)


async def test_counts_within_the_hour_and_says_what_remains(db: Database) -> None:
    for expected in (1, 2, 3):
        async with db.unit_of_work() as session:
            state = await service.hit(session, "k", 2, now=NOW)
        assert state.count == expected
    assert state.exceeded and state.remaining == 0
    assert state.window_start == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert state.reset_at == datetime(2026, 12, 1, 11, tzinfo=UTC)


async def test_a_new_hour_starts_from_zero_and_drops_the_old_window(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.hit(session, "k", 5, now=NOW)
        await service.hit(session, "other", 5, now=NOW)
    async with db.unit_of_work() as session:
        state = await service.hit(session, "k", 5, now=NOW + timedelta(hours=1))
    assert state.count == 1 and not state.exceeded and state.remaining == 4
    async with db.unit_of_work() as session:
        rows = (await session.execute(select(RateCounter.key, RateCounter.count))).all()
    assert sorted(rows) == [("k", 1), ("other", 1)]


async def test_keys_are_counted_apart(db: Database) -> None:
    async with db.unit_of_work() as session:
        assert (await service.hit(session, "a", 5, now=NOW)).count == 1
        assert (await service.hit(session, "b", 5, now=NOW)).count == 1
        assert (await service.hit(session, "a", 5, now=NOW)).count == 2


async def test_concurrent_hits_lose_nothing(db: Database) -> None:
    async def one() -> int:
        async with db.unit_of_work() as session:
            return (await service.hit(session, "busy", 1000, now=NOW)).count

    counts = await asyncio.gather(*(one() for _ in range(25)))
    assert sorted(counts) == list(range(1, 26))
    async with db.unit_of_work() as session:
        total = await session.scalar(select(func.sum(RateCounter.count)))
    assert total == 25


async def test_purge_drops_ended_windows(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.hit(session, "old", 5, now=NOW - timedelta(hours=3))
        await service.hit(session, "new", 5, now=NOW)
    async with db.unit_of_work() as session:
        assert await service.purge(session, now=NOW) == 1


@pytest.mark.parametrize(("key", "limit"), [("", 5), ("x" * 129, 5), ("k", 0)])
async def test_bad_keys_and_limits(db: Database, key: str, limit: int) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Invalid):
            await service.hit(session, key, limit, now=NOW)
