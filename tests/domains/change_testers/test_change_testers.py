from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.change_testers import repository, service
from polydesk.domains.change_testers.schemas import ChangeTesterCreate, ChangeTesterUpdate
from polydesk.models import ChangeTester, Record, User
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_admin,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.factories import make_record


async def _change(db: Database, kind: RecordKind = RecordKind.CHANGE) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind)


async def _technician(db: Database) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session)


async def test_add_a_tester(db: Database) -> None:
    change = await _change(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        tester = await service.add_tester(
            session, actor_for(technician), change.id, ChangeTesterCreate(user_id=technician.id)
        )
    assert (tester.status, tester.note, tester.tested_at) == ("pending", None, None)
    (event,) = await events(db, "change_tester.created")
    assert event.record_id == change.id and event.object_id == tester.id
    assert event.after == {
        "record_id": change.id,
        "user_id": technician.id,
        "status": "pending",
        "note": None,
        "tested_at": None,
    }


@pytest.mark.parametrize(
    "kind", [RecordKind.INCIDENT, RecordKind.REQUEST, RecordKind.PROBLEM, RecordKind.RELEASE]
)
async def test_only_changes_have_testers(db: Database, kind: RecordKind) -> None:
    record = await _change(db, kind)
    technician = await _technician(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, SYSTEM, record.id, ChangeTesterCreate(user_id=technician.id)
            )
    assert info.value.field == "record_id"
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.list_testers(session, record.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, SYSTEM, 999999, ChangeTesterCreate(user_id=technician.id)
            )
    assert await count(db, ChangeTester) == 0


async def test_testers_are_existing_staff_once_each(db: Database) -> None:
    change = await _change(db)
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        technician = await make_technician(session)
        requester = await make_requester(session)
    for user_id in (requester.id, 999999):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.add_tester(
                    session, SYSTEM, change.id, ChangeTesterCreate(user_id=user_id)
                )
        assert info.value.field == "user_id"
    async with db.unit_of_work() as session:
        for user in (technician, admin):
            await service.add_tester(
                session, SYSTEM, change.id, ChangeTesterCreate(user_id=user.id)
            )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
            )
    async with db.unit_of_work() as session:
        testers = await service.list_testers(session, change.id)
    assert [t.user_id for t in testers] == [technician.id, admin.id]


async def test_a_lost_insert_race_is_a_conflict(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    change = await _change(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        await service.add_tester(
            session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
        )

    async def nothing(_session: AsyncSession, _record_id: int, _user_id: int) -> None:
        return None

    monkeypatch.setattr(repository, "find", nothing)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
            )
    assert await count(db, ChangeTester) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ChangeTesterCreate(user_id=0, status="  "), "status"),
        (ChangeTesterCreate(user_id=0, status="x" * 33), "status"),
        (ChangeTesterCreate(user_id=0, note="x" * (service.MAX_NOTE_LENGTH + 1)), "note"),
        (ChangeTesterCreate(user_id=0, tested_at=datetime(2025, 1, 1)), "tested_at"),
    ],
)
async def test_fields_are_checked(db: Database, data: ChangeTesterCreate, field: str) -> None:
    change = await _change(db)
    technician = await _technician(db)
    data.user_id = technician.id
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_tester(session, SYSTEM, change.id, data)
    assert info.value.field == field


async def test_update_a_tester(db: Database) -> None:
    change = await _change(db)
    technician = await _technician(db)
    other = await _technician(db)
    third = await _technician(db)
    async with db.unit_of_work() as session:
        tester = await service.add_tester(
            session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id, note="n")
        )
        await service.add_tester(session, SYSTEM, change.id, ChangeTesterCreate(user_id=third.id))
    tested = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    async with db.unit_of_work() as session:
        await service.update_tester(
            session,
            SYSTEM,
            tester.id,
            ChangeTesterUpdate(status=" passed ", tested_at=tested, note=None, user_id=other.id),
            record_id=change.id,
        )
        await service.update_tester(session, SYSTEM, tester.id, ChangeTesterUpdate(status="passed"))
    async with db.unit_of_work() as session:
        stored = await service.get_tester(session, tester.id, record_id=change.id)
    assert (stored.status, stored.note, stored.user_id) == ("passed", None, other.id)
    assert stored.tested_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    (event,) = await events(db, "change_tester.updated")
    assert event.record_id == change.id
    assert event.before == {
        "user_id": technician.id,
        "status": "pending",
        "note": "n",
        "tested_at": None,
    }
    assert event.after == {
        "user_id": other.id,
        "status": "passed",
        "note": None,
        "tested_at": "2025-03-01T10:00:00+00:00",
    }
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_tester(
                session, SYSTEM, tester.id, ChangeTesterUpdate(user_id=third.id)
            )
    for data in (ChangeTesterUpdate(user_id=None), ChangeTesterUpdate(status=None)):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_tester(session, SYSTEM, tester.id, data)


async def test_delete_and_lookups_under_the_change(db: Database) -> None:
    change = await _change(db)
    other = await _change(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        tester = await service.add_tester(
            session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
        )
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_tester(session, tester.id, record_id=other.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_tester(session, SYSTEM, tester.id, record_id=other.id)
    async with db.unit_of_work() as session:
        await service.delete_tester(session, SYSTEM, tester.id, record_id=change.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_tester(session, tester.id)
    (event,) = await events(db, "change_tester.deleted")
    assert event.record_id == change.id and event.before is not None
    assert event.before["user_id"] == technician.id


async def test_only_staff_manage_testers(db: Database) -> None:
    change = await _change(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        tester = await service.add_tester(
            session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
        )
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, actor, change.id, ChangeTesterCreate(user_id=technician.id)
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_tester(session, actor, tester.id, ChangeTesterUpdate(status="x"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_tester(session, actor, tester.id)
    assert await count(db, ChangeTester) == 1


async def test_testers_of_many_changes_cost_one_query(db: Database) -> None:
    changes = [await _change(db) for _ in range(4)]
    async with db.unit_of_work() as session:
        technicians = [await make_technician(session) for _ in range(3)]
        for n, change in enumerate(changes):
            for technician in technicians[:n]:
                await service.add_tester(
                    session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
                )
    ids = [c.id for c in changes]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                testers = await service.testers_for(session, wanted)
        assert len(statements) == 1
    assert [len(testers[c.id]) for c in changes] == [0, 1, 2, 3]
    async with db.unit_of_work() as session:
        assert await service.testers_for(session, []) == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    change = await _change(db)
    technician = await _technician(db)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_tester(
                session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
            )
            await service.add_tester(
                session, SYSTEM, change.id, ChangeTesterCreate(user_id=technician.id)
            )
    assert await count(db, ChangeTester) == 0
    assert await events(db, "change_tester.created") == []
