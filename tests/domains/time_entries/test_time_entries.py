from __future__ import annotations

from datetime import date

import pytest

from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.time_entries import service
from polydesk.domains.time_entries.schemas import TimeEntryCreate, TimeEntryUpdate
from polydesk.models import Record, TimeEntry, User
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.factories import make_record


async def _record(db: Database) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session)


async def _technician(db: Database) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session)


async def test_log_time_as_the_actor_today(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        entry = await service.add_time_entry(
            session, actor_for(technician), record.id, TimeEntryCreate(minutes=45, note=" Fix ")
        )
    assert entry.user_id == technician.id and entry.spent_on == utcnow().date()
    assert entry.minutes == 45 and entry.note == "Fix"
    (event,) = await events(db, "time_entry.created")
    assert event.record_id == record.id and event.object_id == entry.id
    assert event.after == {
        "record_id": record.id,
        "user_id": technician.id,
        "minutes": 45,
        "spent_on": entry.spent_on.isoformat(),
        "note": "Fix",
    }


async def test_log_time_for_another_user_on_a_given_day(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    other = await _technician(db)
    async with db.unit_of_work() as session:
        entry = await service.add_time_entry(
            session,
            actor_for(technician),
            record.id,
            TimeEntryCreate(minutes=0, user_id=other.id, spent_on=date(2024, 2, 29)),
        )
    assert entry.user_id == other.id and entry.spent_on == date(2024, 2, 29)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_time_entry(
                session, SYSTEM, record.id, TimeEntryCreate(minutes=5, user_id=999999)
            )
    assert info.value.field == "user_id"


@pytest.mark.parametrize("minutes", [-1, service.MAX_MINUTES + 1])
async def test_minutes_are_bounded(db: Database, minutes: int) -> None:
    record = await _record(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_time_entry(
                session, SYSTEM, record.id, TimeEntryCreate(minutes=minutes)
            )
    assert info.value.field == "minutes"
    async with db.unit_of_work() as session:
        at_limit = await service.add_time_entry(
            session, SYSTEM, record.id, TimeEntryCreate(minutes=service.MAX_MINUTES)
        )
    assert at_limit.minutes == service.MAX_MINUTES and at_limit.user_id is None


async def test_only_staff_log_time_and_only_on_records_that_exist(db: Database) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        entry = await service.add_time_entry(session, SYSTEM, record.id, TimeEntryCreate(minutes=5))
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.add_time_entry(session, actor, record.id, TimeEntryCreate(minutes=5))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_time_entry(session, actor, entry.id, TimeEntryUpdate(minutes=1))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_time_entry(session, actor, entry.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_time_entry(session, SYSTEM, 999999, TimeEntryCreate(minutes=5))
    assert await count(db, TimeEntry) == 1


async def test_update_writes_the_changes(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        entry = await service.add_time_entry(
            session, actor_for(technician), record.id, TimeEntryCreate(minutes=30, note="a")
        )
    async with db.unit_of_work() as session:
        await service.update_time_entry(
            session,
            SYSTEM,
            entry.id,
            TimeEntryUpdate(minutes=40, note="a", spent_on=date(2025, 1, 2), user_id=None),
            record_id=record.id,
        )
        # The same values again write nothing.
        await service.update_time_entry(session, SYSTEM, entry.id, TimeEntryUpdate(minutes=40))
    async with db.unit_of_work() as session:
        stored = await service.get_time_entry(session, entry.id, record_id=record.id)
        assert (stored.minutes, stored.spent_on, stored.user_id) == (40, date(2025, 1, 2), None)
        assert stored.updated_at > stored.created_at
    (event,) = await events(db, "time_entry.updated")
    assert event.record_id == record.id
    assert event.before == {
        "minutes": 30,
        "spent_on": entry.spent_on.isoformat(),
        "user_id": technician.id,
    }
    assert event.after == {"minutes": 40, "spent_on": "2025-01-02", "user_id": None}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TimeEntryUpdate(minutes=None), "minutes"),
        (TimeEntryUpdate(minutes=-3), "minutes"),
        (TimeEntryUpdate(spent_on=None), "spent_on"),
        (TimeEntryUpdate(user_id=999999), "user_id"),
        (TimeEntryUpdate(note="x" * (service.MAX_NOTE_LENGTH + 1)), "note"),
    ],
)
async def test_update_validates(db: Database, data: TimeEntryUpdate, field: str) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        entry = await service.add_time_entry(session, SYSTEM, record.id, TimeEntryCreate(minutes=5))
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.update_time_entry(session, SYSTEM, entry.id, data)
    assert info.value.field == field
    assert await events(db, "time_entry.updated") == []


async def test_an_entry_is_found_only_under_its_record(db: Database) -> None:
    record = await _record(db)
    other = await _record(db)
    async with db.unit_of_work() as session:
        entry = await service.add_time_entry(session, SYSTEM, record.id, TimeEntryCreate(minutes=5))
    for attempt in ("get", "update", "delete"):
        with pytest.raises(NotFound):
            async with db.unit_of_work() as session:
                if attempt == "get":
                    await service.get_time_entry(session, entry.id, record_id=other.id)
                elif attempt == "update":
                    await service.update_time_entry(
                        session, SYSTEM, entry.id, TimeEntryUpdate(minutes=1), record_id=other.id
                    )
                else:
                    await service.delete_time_entry(session, SYSTEM, entry.id, record_id=other.id)
    async with db.unit_of_work() as session:
        await service.delete_time_entry(session, SYSTEM, entry.id, record_id=record.id)
    assert await count(db, TimeEntry) == 0
    (event,) = await events(db, "time_entry.deleted")
    assert event.record_id == record.id and event.before is not None
    assert event.before["minutes"] == 5
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_time_entry(session, entry.id)


async def test_list_by_record_and_by_user(db: Database) -> None:
    first = await _record(db)
    second = await _record(db)
    technician = await _technician(db)
    other = await _technician(db)
    async with db.unit_of_work() as session:
        for n, (record, user) in enumerate(
            [(first, technician), (first, other), (second, technician), (first, technician)]
        ):
            await service.add_time_entry(
                session,
                SYSTEM,
                record.id,
                TimeEntryCreate(minutes=n + 1, user_id=user.id, spent_on=date(2025, 1, 10 - n)),
            )
    async with db.unit_of_work() as session:
        rows, total = await service.list_time_entries(session, record_id=first.id)
        assert total == 3 and [e.minutes for e in rows] == [4, 2, 1]
        rows, total = await service.list_time_entries(session, user_id=technician.id, limit=1)
        assert total == 3 and [e.minutes for e in rows] == [4]
        rows, total = await service.list_time_entries(
            session, record_id=first.id, user_id=technician.id, offset=1
        )
        assert total == 2 and [e.minutes for e in rows] == [1]
        rows, total = await service.list_time_entries(session)
        assert total == 4
        with pytest.raises(NotFound):
            await service.list_time_entries(session, record_id=999999)
        with pytest.raises(Invalid):
            await service.list_time_entries(session, limit=0)


async def test_totals_of_many_records_cost_one_query(db: Database) -> None:
    records = [await _record(db) for _ in range(6)]
    async with db.unit_of_work() as session:
        for n, record in enumerate(records[:5]):
            for m in range(n + 1):
                await service.add_time_entry(
                    session, SYSTEM, record.id, TimeEntryCreate(minutes=10 * (m + 1))
                )
    ids = [r.id for r in records]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                totals = await service.total_minutes(session, wanted)
        assert len(statements) == 1
    assert [totals[r.id] for r in records] == [10, 30, 60, 100, 150, 0]
    async with db.unit_of_work() as session:
        assert await service.total_minutes(session, []) == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    record = await _record(db)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.add_time_entry(session, SYSTEM, record.id, TimeEntryCreate(minutes=5))
            await service.add_time_entry(session, SYSTEM, record.id, TimeEntryCreate(minutes=-5))
    assert await count(db, TimeEntry) == 0
    assert await events(db, "time_entry.created") == []
