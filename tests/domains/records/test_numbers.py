"""Per-kind numbers: unique and increasing under concurrency. On SQLite a failed creation
gives its number back (the counter row is rolled back with it); on PostgreSQL numbers come from
a sequence, so concurrent creators never wait for each other and a failed creation leaves its
number unused."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.domains.records import service
from polydesk.models import Record, RecordCounter
from tests.domains.records.factories import count, create, events, is_postgres


class Boom(Exception):
    pass


async def _create_one(db: Database, kind: RecordKind, title: str) -> Record:
    async with db.unit_of_work() as session:
        return await create(session, kind=kind, title=title)


@pytest.mark.parametrize("existing_counter", [False, True])
async def test_concurrent_creators_never_share_a_number(
    db: Database, existing_counter: bool
) -> None:
    """Each creation runs in its own unit of work; on PostgreSQL they truly race, including
    on the creation of the missing counter row."""
    if existing_counter:
        await _create_one(db, RecordKind.INCIDENT, "first")
    records = await asyncio.gather(
        *(_create_one(db, RecordKind.INCIDENT, f"racer {n}") for n in range(8)),
        *(_create_one(db, RecordKind.REQUEST, f"request {n}") for n in range(4)),
    )
    offset = 1 if existing_counter else 0
    incidents = sorted(r.number for r in records if r.kind == "incident")
    requests = sorted(r.number for r in records if r.kind == "request")
    assert incidents == list(range(1 + offset, 9 + offset))
    assert requests == [1, 2, 3, 4]
    assert len({r.id for r in records}) == 12
    if is_postgres(db):
        return
    async with db.unit_of_work() as session:
        counters = {
            c.kind: c.last_number for c in (await session.scalars(select(RecordCounter))).all()
        }
    assert counters == {"incident": 8 + offset, "request": 4}


async def test_rolled_back_creation_leaves_no_record_or_event(db: Database) -> None:
    await _create_one(db, RecordKind.INCIDENT, "kept")
    with pytest.raises(Boom):
        async with db.unit_of_work() as session:
            record = await create(session, title="doomed")
            assert record.number == 2
            raise Boom
    assert await count(db, Record) == 1
    assert len(await events(db, "record.created")) == 1
    again = await _create_one(db, RecordKind.INCIDENT, "next")
    if is_postgres(db):
        assert again.number == 3  # the sequence does not give 2 back
        return
    async with db.unit_of_work() as session:
        counter = await session.get(RecordCounter, "incident")
        assert counter is not None and counter.last_number == 2
    assert again.number == 2


async def test_rolled_back_first_creation_leaves_no_counter_row(db: Database) -> None:
    with pytest.raises(Boom):
        async with db.unit_of_work() as session:
            await create(session, kind=RecordKind.PROBLEM)
            raise Boom
    assert await count(db, RecordCounter) == 0
    record = await _create_one(db, RecordKind.PROBLEM, "first for real")
    assert record.number == (2 if is_postgres(db) else 1)


async def test_get_by_number(db: Database) -> None:
    first = await _create_one(db, RecordKind.CHANGE, "one")
    second = await _create_one(db, RecordKind.CHANGE, "two")
    async with db.unit_of_work() as session:
        found = await service.get_record_by_number(session, RecordKind.CHANGE, 2)
        assert found.id == second.id and found.change is not None
        assert (await service.get_record_by_number(session, RecordKind.CHANGE, 1)).id == first.id
