"""Units of work: read-only ones (GET requests) and what a unit of work knows of the rows it
inserted or holds."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database, ReadOnlyUnitOfWork, already_loaded, held, inserted_here
from polydesk.core.enums import RecordKind, Role
from polydesk.domains.links import service as links
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.ratelimit import service as ratelimit
from polydesk.domains.time_entries import service as time_entries
from polydesk.domains.time_entries.schemas import TimeEntryCreate
from polydesk.domains.watches import service as watches
from polydesk.models import Note, RateCounter, Record, User
from tests.domains.users.factories import actor_for, make_technician, sql_statements
from tests.factories import make_record, make_user


async def _users(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_a_read_only_unit_of_work_refuses_to_flush_changes(db: Database) -> None:
    before = await _users(db)
    postgres = db.engine.dialect.name == "postgresql"
    with pytest.raises(ReadOnlyUnitOfWork) if postgres else nullcontext():
        async with db.unit_of_work(read_only=True) as session:
            await make_user(session, email="ro@acme.com")
    # On SQLite a read-only unit of work is an ordinary transaction: the user is written.
    assert await _users(db) == (before if postgres else before + 1)


async def test_a_single_statement_write_of_a_read_only_unit_of_work_stands_on_postgresql(
    db: Database,
) -> None:
    """A rate counter counted by a request that then fails: on PostgreSQL the statement
    committed by itself; on SQLite the unit of work's transaction rolls it back."""
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(read_only=True) as session:
            await ratelimit.hit(session, "test:key", 10)
            raise RuntimeError("the request failed")
    async with db.unit_of_work() as session:
        counted = await session.scalar(select(func.count()).select_from(RateCounter))
    assert counted == (1 if db.engine.dialect.name == "postgresql" else 0)


async def test_reads_see_committed_rows_outside_a_transaction(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_user(session, email="seen@acme.com", role=Role.REQUESTER)
    async with db.unit_of_work(read_only=True) as session:
        found = await session.get(User, user.id)
        assert found is not None and found.email == "seen@acme.com"
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_unit_of_work_knows_what_it_inserted_and_holds(db: Database) -> None:
    async with db.unit_of_work() as session:
        old = await make_user(session, email="old@acme.com")
    async with db.unit_of_work() as session:
        new = await make_user(session, email="new@acme.com")
        assert inserted_here(session, User, new.id)
        assert not inserted_here(session, User, old.id)
        assert new in held(session, User)
        found, missing = already_loaded(session, User, [new.id, old.id])
        assert found == [new] and missing == {old.id}
        await session.get(User, old.id)
        found, missing = already_loaded(session, User, [old.id])
        assert [u.id for u in found] == [old.id] and not missing


async def test_a_row_rolled_back_with_a_savepoint_is_not_inserted(db: Database) -> None:
    async with db.unit_of_work() as session:
        savepoint = await session.begin_nested()
        user = await make_user(session, email="gone@acme.com")
        user_id = user.id
        await savepoint.rollback()
        assert not inserted_here(session, User, user_id)
        assert user not in held(session, User)


async def _related(session: AsyncSession, ids: list[int]) -> tuple[Any, ...]:
    """What a record's full shape shows of the rows that refer to it."""
    found_notes = await notes.notes_for(session, ids)
    found_watches = await watches.watches_for(session, ids)
    return (
        {i: [(n.id, n.body) for n in found] for i, found in found_notes.items()},
        {
            i: [(w.watch.id, w.user.id if w.user else None) for w in ws]
            for i, ws in found_watches.items()
        },
        await links.links_for(session, ids),
        await time_entries.total_minutes(session, ids),
    )


async def test_rows_of_a_record_created_here_come_from_what_the_unit_of_work_holds(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        older = await make_record(session, title="Older")
    actor = actor_for(technician)
    async with db.unit_of_work() as session:
        new = await make_record(session, title="New")
        await notes.add_note(session, actor, new.id, NoteCreate(body="First"))
        await watches.add_watch(session, actor, record_id=new.id, user_id=technician.id)
        await links.link_records(session, actor, older.id, new.id)
        await session.get(Record, older.id)  # held too: otherwise its kind is read
        await time_entries.add_time_entry(session, actor, new.id, TimeEntryCreate(minutes=25))
        with sql_statements(db) as seen:
            held_answer = await _related(session, [new.id])
        assert seen == [], "\n".join(seen)
        notes_shown, watches_shown, linked, minutes = held_answer
        assert [body for _, body in notes_shown[new.id]] == ["First"]
        assert [user for _, user in watches_shown[new.id]] == [technician.id]
        assert [(other.record_id, other.kind) for other in linked[new.id]] == [
            (older.id, RecordKind.INCIDENT)
        ]
        assert minutes == {new.id: 25}
        # A note added and not yet flushed: the notes are read (the read flushes it first).
        session.add(Note(record_id=new.id, note_type="comment", body="Second", public=True))
        with sql_statements(db) as seen:
            found = await notes.notes_for(session, [new.id])
        assert seen and [n.body for n in found[new.id]] == ["First", "Second"]
        held_answer = await _related(session, [new.id])
    async with db.unit_of_work() as session:
        assert await _related(session, [new.id]) == held_answer


async def test_rows_of_an_older_record_are_read(db: Database) -> None:
    async with db.unit_of_work() as session:
        older = await make_record(session, title="Older")
    async with db.unit_of_work() as session:
        new = await make_record(session, title="New")
        with sql_statements(db) as seen:
            await _related(session, [new.id, older.id])
        assert len(seen) == 4


async def test_a_released_savepoint_keeps_what_the_unit_of_work_inserted(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_user(session, email="kept@acme.com")
        async with session.begin_nested():
            await make_user(session, email="inside@acme.com")
        assert inserted_here(session, User, user.id)
