"""Plain inserts (``core.db.Writer``, ``insert_row``) and rows written with the commit
(``insert_later``): a row is written in the unit of work's transaction and goes with it (or
with its savepoint), an inserted object is held as if the ORM had flushed it, defaults are the
columns' own, and a broken constraint is SQLAlchemy's error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from polydesk.core.db import (
    Database,
    ReadOnlyUnitOfWork,
    held_of_inserted,
    insert_later,
    insert_row,
    inserted_here,
    write_later,
)
from polydesk.models import Event, Note, Record
from tests.domains.records.factories import sql_statements
from tests.factories import make_record

NOW = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)


def _note(record_id: int, **more: object) -> dict[str, object]:
    return {"record_id": record_id, "note_type": "comment", "created_at": NOW} | more


async def _notes(db: Database) -> int:
    async with db.unit_of_work(read_only=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Note)) or 0)


async def test_an_inserted_row_is_held_as_if_the_orm_had_flushed_it(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session)
        note = await insert_row(session, Note, _note(record.id, body="Hot"))
        state = inspect(note)
        assert state.persistent and not state.expired_attributes and not state.modified
        # Defaults are the columns' own: what a flush would have written.
        assert (note.body, note.public, note.title) == ("Hot", True, None)
        assert note.updated_at is not None and note.updated_at.tzinfo is not None
        assert await session.get(Note, note.id) is note
        assert inserted_here(session, Note, note.id)
        assert held_of_inserted(session, Note, Record, [record.id]) == [note]
    async with db.unit_of_work(read_only=True) as session:
        stored = await session.get(Note, note.id)
        assert stored is not None
        assert (stored.record_id, stored.body, stored.public) == (record.id, "Hot", True)
        assert stored.created_at == NOW


async def test_the_row_goes_with_a_unit_of_work_that_fails(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session)
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            await insert_row(session, Note, _note(record.id))
            raise RuntimeError("later step failed")
    assert await _notes(db) == 0


async def test_pending_changes_are_written_first(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session)
        record.title = "Renamed"  # not flushed: the insert flushes it first
        await insert_row(session, Note, _note(record.id))
        assert not session.dirty
    async with db.unit_of_work(read_only=True) as session:
        assert await session.scalar(select(Record.title)) == "Renamed"


async def test_a_broken_constraint_is_an_integrity_error(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as session:
            await insert_row(session, Note, _note(987654))
    assert await _notes(db) == 0


def _event(action: str) -> dict[str, object]:
    return {"channel": "api", "action": action, "object_type": "test"}


async def _actions(db: Database) -> list[str]:
    async with db.unit_of_work(read_only=True) as session:
        found = await session.scalars(
            select(Event.action).where(Event.object_type == "test").order_by(Event.id)
        )
        return list(found)


async def test_a_read_only_unit_of_work_refuses_to_write(db: Database) -> None:
    if db.settings.is_sqlite:
        pytest.skip("a read-only unit of work runs without a transaction on PostgreSQL only")
    with pytest.raises(ReadOnlyUnitOfWork):
        async with db.unit_of_work(read_only=True) as session:
            insert_later(session, Event, _event("refused"))


async def test_queued_rows_go_out_with_the_commit_in_order(db: Database) -> None:
    actions = [f"event {i}" for i in range(11)]
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            for action in actions:
                insert_later(session, Event, _event(action))
            assert statements == []  # nothing before the commit
    # Eight to a statement: two statements for eleven rows.
    assert sum(s.lstrip().upper().startswith("INSERT") for s in statements) == 2
    assert await _actions(db) == actions
    async with db.unit_of_work(read_only=True) as session:
        events = (await session.scalars(select(Event).where(Event.object_type == "test"))).all()
    assert all(e.occurred_at.tzinfo is not None and e.before is None for e in events)


async def test_queued_rows_are_written_before_a_read_that_asks(db: Database) -> None:
    async with db.unit_of_work() as session:
        insert_later(session, Event, _event("asked"))
        await write_later(session)
        assert await session.scalar(select(Event.action).where(Event.object_type == "test")) == (
            "asked"
        )


async def test_queued_rows_go_with_a_unit_of_work_that_fails(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            insert_later(session, Event, _event("lost"))
            raise RuntimeError("later step failed")
    assert await _actions(db) == []


async def test_a_commit_outside_a_unit_of_work_writes_queued_rows(db: Database) -> None:
    async with db.sessionmaker() as session:
        insert_later(session, Event, _event("committed"))
        await session.commit()
    assert await _actions(db) == ["committed"]


async def test_a_rolled_back_savepoint_drops_the_rows_queued_in_it(db: Database) -> None:
    async with db.unit_of_work() as session:
        insert_later(session, Event, _event("before"))
        async with session.begin_nested():
            insert_later(session, Event, _event("released"))
        savepoint = await session.begin_nested()
        insert_later(session, Event, _event("dropped"))
        inner = await session.begin_nested()
        insert_later(session, Event, _event("dropped too"))
        await inner.commit()
        await savepoint.rollback()
        insert_later(session, Event, _event("after"))
    assert await _actions(db) == ["before", "released", "after"]


async def test_a_rolled_back_savepoint_takes_the_row_and_its_object(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session)
        kept = await insert_row(session, Note, _note(record.id, body="Kept"))
        savepoint = await session.begin_nested()
        dropped = await insert_row(session, Note, _note(record.id, body="Dropped"))
        await savepoint.rollback()
        assert not inserted_here(session, Note, dropped.id or 0)
        assert held_of_inserted(session, Note, Record, [record.id]) == [kept]
    async with db.unit_of_work(read_only=True) as session:
        assert (await session.scalars(select(Note.body))).all() == ["Kept"]
