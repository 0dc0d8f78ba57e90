"""Plain-row reads (``core.db.Reader``): the same rows and types as the same statement run
through the session, on every backend; what the unit of work wrote is seen; lists bound with
``any_of``; statement counters see the reads."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from sqlalchemy import bindparam, select

from polydesk.core.db import Database, Reader, UnitOfWorkSession, any_of, row_exists
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.models import CustomFieldValue, Record, Service
from tests.domains.records.factories import create, define, sql_statements
from tests.factories import make_record, make_service


class Shown(NamedTuple):
    id: int
    title: str
    due_date: datetime | None
    tags: list[str]
    on_hold: bool
    created_at: datetime


SHOWN = select(
    Record.id, Record.title, Record.due_date, Record.tags, Record.on_hold, Record.created_at
)
BY_IDS = Reader(SHOWN.where(any_of(Record.id, "ids")).order_by(Record.id), Shown)
BY_KIND = Reader(
    SHOWN.where(Record.kind == bindparam("kind"), any_of(Record.id, "ids")).order_by(Record.id),
    Shown,
)


class Number(NamedTuple):
    record_id: int
    value_number: Decimal | float | None


NUMBERS = Reader(
    select(CustomFieldValue.record_id, CustomFieldValue.value_number).where(
        any_of(CustomFieldValue.record_id, "ids")
    ),
    Number,
)

DUE = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


async def test_rows_and_types_are_those_of_the_session(db: Database) -> None:
    async with db.unit_of_work() as session:
        first = await make_record(session, title="First", due_date=DUE, tags=["a", "b"])
        second = await make_record(session, title="Second", on_hold=True)
        ids = [first.id, second.id]
    async with db.unit_of_work(read_only=True) as session:
        rows = await BY_IDS.all(session, ids=[*ids, 999999])
        through_session = (await session.execute(BY_IDS.stmt, {"ids": ids})).all()
    assert rows == [Shown._make(row) for row in through_session]
    assert [type(row) for row in rows] == [Shown, Shown]
    assert rows[0].due_date == DUE and rows[0].due_date.tzinfo is not None
    assert rows[0].tags == ["a", "b"] and rows[1].tags == []
    assert rows[1].on_hold is True and rows[1].due_date is None
    assert rows[0].created_at.utcoffset() is not None


async def test_an_empty_list_matches_nothing_and_parameters_are_named(db: Database) -> None:
    async with db.unit_of_work() as session:
        incident = await make_record(session, title="Incident")
        problem = await make_record(session, kind=RecordKind.PROBLEM, title="Problem")
    async with db.unit_of_work(read_only=True) as session:
        assert await BY_IDS.all(session, ids=[]) == []
        found = await BY_KIND.all(session, kind="problem", ids=[incident.id, problem.id])
        assert [row.title for row in found] == ["Problem"]
        assert await BY_KIND.first(session, kind="change", ids=[problem.id]) is None


async def test_what_the_unit_of_work_wrote_is_read(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session, title="Before")
        record.title = "After"  # not flushed yet: the read flushes it first
        (row,) = await BY_IDS.all(session, ids=[record.id])
        assert row.title == "After"
        added = Record(kind="incident", number=999, title="Pending", status_id=record.status_id)
        session.add(added)
        assert [r.title for r in await BY_IDS.all(session, ids=[added.id or 0])] == []
        await session.flush()
        assert [r.title for r in await BY_IDS.all(session, ids=[added.id])] == ["Pending"]


async def test_numbers_come_back_as_the_session_gives_them(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Score", CustomFieldType.NUMBER)
        record = await create(session, custom_fields={"score": 7})
    async with db.unit_of_work(read_only=True) as session:
        rows = await NUMBERS.all(session, ids=[record.id])
        through_session = (await session.execute(NUMBERS.stmt, {"ids": [record.id]})).all()
    assert rows == [Number._make(row) for row in through_session]
    assert [type(row.value_number) for row in rows] == [
        type(row.value_number) for row in through_session
    ]


async def test_statement_counters_see_the_reads(db: Database) -> None:
    async with db.unit_of_work(read_only=True) as session:
        with sql_statements(db) as statements:
            await BY_IDS.all(session, ids=[1, 2])
            await BY_IDS.all(session, ids=[3])
    assert len(statements) == 2
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_the_row_type_must_name_every_selected_column() -> None:
    with pytest.raises(TypeError, match="names 2 columns, the statement selects 6"):
        Reader(SHOWN, Number)


async def test_a_unit_of_work_that_read_rows_needs_no_garbage_collector(db: Database) -> None:
    """Nothing it keeps refers back to it: freed by reference counting, it leaves the served
    workers' collector nothing to do (a cycle through it made a full collection run every
    second under load)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        async with db.unit_of_work(read_only=True) as session:
            await BY_IDS.all(session, ids=[1])
            await BY_IDS.all(session, ids=[2, 3])
        del session
        gc.collect()
        cyclic = [obj for obj in gc.garbage if isinstance(obj, UnitOfWorkSession)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cyclic == []


async def test_a_row_found_once_is_known_until_a_rollback(db: Database) -> None:
    async with db.unit_of_work() as session:
        assert not await row_exists(session, Service, 999999)
        nested = await session.begin_nested()
        service = await make_service(session, name="Short-lived")
        with sql_statements(db) as statements:
            assert await row_exists(session, Service, service.id)
            assert await row_exists(session, Service, service.id)
        assert len(statements) == 1
        await nested.rollback()
        assert not await row_exists(session, Service, service.id)
