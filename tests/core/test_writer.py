"""Plain inserts (``core.db.Writer``, ``insert_row``, ``append_row``): the row is written in the
unit of work's transaction and goes with it, its object is held as if the ORM had flushed
it, defaults are the columns' own, and a broken constraint is SQLAlchemy's error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from polydesk.core.db import (
    Database,
    ReadOnlyUnitOfWork,
    append_row,
    held_of_inserted,
    insert_row,
    inserted_here,
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


async def test_a_read_only_unit_of_work_refuses_to_write(db: Database) -> None:
    if db.settings.is_sqlite:
        pytest.skip("a read-only unit of work runs without a transaction on PostgreSQL only")
    with pytest.raises(ReadOnlyUnitOfWork):
        async with db.unit_of_work(read_only=True) as session:
            await append_row(session, Event, {"channel": "api", "action": "x", "object_type": "y"})


async def test_appended_rows_are_counted_and_come_back_in_order(db: Database) -> None:
    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            for action in ("first", "second", "third"):
                await append_row(
                    session, Event, {"channel": "api", "action": action, "object_type": "test"}
                )
    assert sum(s.lstrip().upper().startswith("INSERT") for s in statements) == 3
    async with db.unit_of_work(read_only=True) as session:
        events = (
            await session.scalars(
                select(Event).where(Event.object_type == "test").order_by(Event.id)
            )
        ).all()
    assert [e.action for e in events] == ["first", "second", "third"]
    assert all(e.occurred_at.tzinfo is not None and e.before is None for e in events)


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
