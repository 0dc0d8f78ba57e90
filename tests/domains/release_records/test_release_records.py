from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.release_records import service
from polydesk.domains.release_records.schemas import ReleaseRecordCreate, ReleaseRecordUpdate
from polydesk.models import Record, ReleaseRecord, User
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


async def _release(db: Database, kind: RecordKind = RecordKind.RELEASE) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind)


async def _technician(db: Database) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session)


async def test_add_a_release_record(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        entry = await service.add_release_record(
            session,
            actor_for(technician),
            release.id,
            ReleaseRecordCreate(title="  Deployed   to staging ", note=" ok "),
        )
    assert (entry.title, entry.note, entry.user_id) == (
        "Deployed to staging",
        "ok",
        technician.id,
    )
    (event,) = await events(db, "release_record.created")
    assert event.record_id == release.id and event.object_id == entry.id
    assert event.after == {
        "record_id": release.id,
        "title": "Deployed to staging",
        "note": "ok",
        "user_id": technician.id,
    }


@pytest.mark.parametrize(
    "kind", [RecordKind.INCIDENT, RecordKind.REQUEST, RecordKind.PROBLEM, RecordKind.CHANGE]
)
async def test_only_releases_have_release_records(db: Database, kind: RecordKind) -> None:
    record = await _release(db, kind)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_release_record(
                session, SYSTEM, record.id, ReleaseRecordCreate(title="x")
            )
    assert info.value.field == "record_id"
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.list_release_records(session, record_id=record.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_release_record(
                session, SYSTEM, 999999, ReleaseRecordCreate(title="x")
            )
    assert await count(db, ReleaseRecord) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ReleaseRecordCreate(title="  "), "title"),
        (ReleaseRecordCreate(title="x" * 501), "title"),
        (ReleaseRecordCreate(title="x", note="n" * (service.MAX_NOTE_LENGTH + 1)), "note"),
        (ReleaseRecordCreate(title="x", user_id=999999), "user_id"),
    ],
)
async def test_fields_are_checked(db: Database, data: ReleaseRecordCreate, field: str) -> None:
    release = await _release(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_release_record(session, SYSTEM, release.id, data)
    assert info.value.field == field


async def test_update_a_release_record(db: Database) -> None:
    release = await _release(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        entry = await service.add_release_record(
            session, SYSTEM, release.id, ReleaseRecordCreate(title="Build", note="n")
        )
    assert entry.user_id is None
    async with db.unit_of_work() as session:
        await service.update_release_record(
            session,
            SYSTEM,
            entry.id,
            ReleaseRecordUpdate(title="Build 2", note=None, user_id=technician.id),
            record_id=release.id,
        )
        await service.update_release_record(
            session, SYSTEM, entry.id, ReleaseRecordUpdate(title="Build 2")
        )
    async with db.unit_of_work() as session:
        stored = await service.get_release_record(session, entry.id, record_id=release.id)
    assert (stored.title, stored.note, stored.user_id) == ("Build 2", None, technician.id)
    assert stored.updated_at > stored.created_at
    (event,) = await events(db, "release_record.updated")
    assert event.record_id == release.id
    assert event.before == {"title": "Build", "note": "n", "user_id": None}
    assert event.after == {"title": "Build 2", "note": None, "user_id": technician.id}
    for data in (ReleaseRecordUpdate(title=None), ReleaseRecordUpdate(user_id=999999)):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_release_record(session, SYSTEM, entry.id, data)


async def test_delete_and_lookups_under_the_release(db: Database) -> None:
    release = await _release(db)
    other = await _release(db)
    async with db.unit_of_work() as session:
        entry = await service.add_release_record(
            session, SYSTEM, release.id, ReleaseRecordCreate(title="x")
        )
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_release_record(session, entry.id, record_id=other.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.update_release_record(
                session, SYSTEM, entry.id, ReleaseRecordUpdate(title="y"), record_id=other.id
            )
    async with db.unit_of_work() as session:
        await service.delete_release_record(session, SYSTEM, entry.id, record_id=release.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_release_record(session, entry.id)
    (event,) = await events(db, "release_record.deleted")
    assert event.record_id == release.id and event.before is not None
    assert event.before["title"] == "x"


async def test_only_staff_manage_release_records(db: Database) -> None:
    release = await _release(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        entry = await service.add_release_record(
            session, SYSTEM, release.id, ReleaseRecordCreate(title="x")
        )
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.add_release_record(
                session, actor, release.id, ReleaseRecordCreate(title="y")
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_release_record(
                session, actor, entry.id, ReleaseRecordUpdate(title="y")
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_release_record(session, actor, entry.id)
    assert await count(db, ReleaseRecord) == 1


async def test_lists_and_batch_reads(db: Database) -> None:
    releases = [await _release(db) for _ in range(4)]
    async with db.unit_of_work() as session:
        for n, release in enumerate(releases):
            for m in range(n):
                await service.add_release_record(
                    session, SYSTEM, release.id, ReleaseRecordCreate(title=f"{n}.{m}")
                )
    async with db.unit_of_work() as session:
        rows, total = await service.list_release_records(
            session, record_id=releases[3].id, offset=1, limit=1
        )
        assert total == 3 and [r.title for r in rows] == ["3.1"]
        rows, total = await service.list_release_records(session)
        assert total == 6 and rows[0].title == "1.0"
        with pytest.raises(Invalid):
            await service.list_release_records(session, limit=0)
    ids = [r.id for r in releases]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                grouped = await service.release_records_for(session, wanted)
        assert len(statements) == 1
    assert [len(grouped[r.id]) for r in releases] == [0, 1, 2, 3]


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    release = await _release(db)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.add_release_record(
                session, SYSTEM, release.id, ReleaseRecordCreate(title="ok")
            )
            await service.add_release_record(
                session, SYSTEM, release.id, ReleaseRecordCreate(title=" ")
            )
    assert await count(db, ReleaseRecord) == 0
    assert await events(db, "release_record.created") == []
