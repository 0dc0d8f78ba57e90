from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import StatusCategory
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.catalog import service
from polydesk.domains.catalog.schemas import StatusCreate, StatusUpdate
from polydesk.models import Note, Status
from tests.domains.users.factories import SYSTEM, Attempt, actor_for, count, events, make_technician
from tests.factories import make_record

DEFAULT_NAMES = ["Open", "In Progress", "Pending", "Resolved", "Closed", "Reopened", "Duplicate"]


async def test_defaults_exist_once_and_open_is_the_default(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.ensure_defaults(session)
        await service.ensure_defaults(session)
        statuses = await service.list_statuses(session)
        default = await service.get_default_status(session)
    assert [s.name for s in statuses] == DEFAULT_NAMES
    assert default.name == "Open" and default.category == "open"
    assert [s.name for s in statuses if s.is_default] == ["Open"]
    assert len(await events(db, "status.created")) == len(DEFAULT_NAMES)


async def test_ensure_defaults_never_makes_a_second_default(db: Database) -> None:
    async with db.unit_of_work() as session:
        open_status = await service.get_status_by_name(session, "open")
        assert open_status is not None
        await service.update_status(session, SYSTEM, open_status.id, StatusUpdate(name="New"))
    async with db.unit_of_work() as session:
        await service.ensure_defaults(session)
        statuses = await service.list_statuses(session)
    assert [s.name for s in statuses if s.is_default] == ["New"]
    assert "Open" in [s.name for s in statuses]


async def test_lookups(db: Database) -> None:
    async with db.unit_of_work() as session:
        found = await service.get_status_by_name(session, "  in PROGRESS ")
        assert found is not None and found.name == "In Progress"
        assert await service.get_status_by_name(session, "Nope") is None
        assert (await service.get_status(session, found.id)).id == found.id
        with pytest.raises(NotFound):
            await service.get_status(session, 999999)
        resolved = await service.first_status_of_category(session, StatusCategory.RESOLVED)
        assert resolved.name == "Resolved"
        closed = await service.first_status_of_category(session, StatusCategory.CLOSED)
        assert closed.name == "Closed"


async def test_create_status_goes_last_and_names_are_unique(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_status(
            session, SYSTEM, StatusCreate(name="Awaiting Vendor", category=StatusCategory.PENDING)
        )
        statuses = await service.list_statuses(session)
    assert statuses[-1].id == created.id and not created.is_default
    assert created.position > max(s.position for s in statuses[:-1])
    (event,) = [e for e in await events(db, "status.created") if e.object_id == created.id]
    assert event.after == {
        "name": "Awaiting Vendor",
        "category": "pending",
        "position": created.position,
        "is_default": False,
    }
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_status(
                session, SYSTEM, StatusCreate(name="awaiting  VENDOR", category="pending")
            )
    assert info.value.field == "name"
    assert await count(db, Status) == len(DEFAULT_NAMES) + 1


async def test_only_admins_change_statuses(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        pending = await service.get_status_by_name(session, "Pending")
        assert pending is not None
    actor = actor_for(technician)
    attempts: list[Attempt] = [
        lambda s: service.create_status(s, actor, StatusCreate(name="X", category="open")),
        lambda s: service.update_status(s, actor, pending.id, StatusUpdate(name="X")),
        lambda s: service.delete_status(s, actor, pending.id),
        lambda s: service.reorder_statuses(s, actor, []),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)


async def test_rename_and_recategorise(db: Database) -> None:
    async with db.unit_of_work() as session:
        pending = await service.get_status_by_name(session, "Pending")
        assert pending is not None
        extra = await service.create_status(
            session, SYSTEM, StatusCreate(name="On Hold", category=StatusCategory.PENDING)
        )
    async with db.unit_of_work() as session:
        await service.update_status(session, SYSTEM, pending.id, StatusUpdate(name="Waiting"))
        with pytest.raises(Conflict):
            await service.update_status(session, SYSTEM, extra.id, StatusUpdate(name="waiting"))
        moved = await service.update_status(
            session, SYSTEM, extra.id, StatusUpdate(category=StatusCategory.IN_PROGRESS)
        )
        assert moved.category == "in_progress"
    renamed = [e for e in await events(db, "status.updated") if e.object_id == pending.id]
    assert renamed[0].before == {"name": "Pending"} and renamed[0].after == {"name": "Waiting"}


async def test_a_category_keeps_at_least_one_status(db: Database) -> None:
    async with db.unit_of_work() as session:
        pending = await service.get_status_by_name(session, "Pending")
        assert pending is not None
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_status(
                session, SYSTEM, pending.id, StatusUpdate(category=StatusCategory.OPEN)
            )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.delete_status(session, SYSTEM, pending.id)
    async with db.unit_of_work() as session:
        assert (await service.get_status(session, pending.id)).category == "pending"


async def test_making_another_status_the_default(db: Database) -> None:
    async with db.unit_of_work() as session:
        reopened = await service.get_status_by_name(session, "Reopened")
        resolved = await service.get_status_by_name(session, "Resolved")
        old = await service.get_default_status(session)
        assert reopened is not None and resolved is not None
    async with db.unit_of_work() as session:
        await service.update_status(session, SYSTEM, reopened.id, StatusUpdate(is_default=True))
    async with db.unit_of_work() as session:
        assert (await service.get_default_status(session)).id == reopened.id
        statuses = await service.list_statuses(session)
        assert [s.name for s in statuses if s.is_default] == ["Reopened"]
    updates = {e.object_id: e for e in await events(db, "status.updated")}
    assert updates[old.id].after == {"is_default": False}
    assert updates[reopened.id].after == {"is_default": True}
    for data in (StatusUpdate(is_default=False),):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_status(session, SYSTEM, reopened.id, data)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.update_status(session, SYSTEM, resolved.id, StatusUpdate(is_default=True))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_status(
                session, SYSTEM, reopened.id, StatusUpdate(category=StatusCategory.CLOSED)
            )


async def test_reorder_statuses(db: Database) -> None:
    async with db.unit_of_work() as session:
        ids = [s.id for s in await service.list_statuses(session)]
    wanted = list(reversed(ids))
    async with db.unit_of_work() as session:
        reordered = await service.reorder_statuses(session, SYSTEM, wanted)
    assert [s.id for s in reordered] == wanted
    async with db.unit_of_work() as session:
        assert [s.id for s in await service.list_statuses(session)] == wanted
    for bad in (wanted[:-1], [*wanted, wanted[0]], [*wanted[:-1], 999999]):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.reorder_statuses(session, SYSTEM, bad)
    async with db.unit_of_work() as session:
        assert [s.id for s in await service.list_statuses(session)] == wanted


async def test_delete_status_rules(db: Database) -> None:
    async with db.unit_of_work() as session:
        default = await service.get_default_status(session)
        used = await service.create_status(
            session, SYSTEM, StatusCreate(name="Used", category=StatusCategory.PENDING)
        )
        noted = await service.create_status(
            session, SYSTEM, StatusCreate(name="Noted", category=StatusCategory.PENDING)
        )
        unused = await service.create_status(
            session, SYSTEM, StatusCreate(name="Unused", category=StatusCategory.PENDING)
        )
        record = await make_record(session)
        record.status_id = used.id
        other = await make_record(session)
        session.add(Note(record_id=other.id, note_type="comment", new_status_id=noted.id))
    for status_id in (default.id, used.id, noted.id):
        with pytest.raises(Conflict):
            async with db.unit_of_work() as session:
                await service.delete_status(session, SYSTEM, status_id)
    async with db.unit_of_work() as session:
        await service.delete_status(session, SYSTEM, unused.id)
        with pytest.raises(NotFound):
            await service.get_status(session, unused.id)
    (event,) = await events(db, "status.deleted")
    assert event.object_id == unused.id and event.before is not None
    assert event.before["name"] == "Unused"
    assert await count(db, Status) == len(DEFAULT_NAMES) + 2
