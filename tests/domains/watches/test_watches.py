from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.watches import repository, service
from polydesk.domains.watches.schemas import WatchUpdate
from polydesk.models import Record, User, Watch
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.domains.watches.factories import make_config_item
from tests.factories import make_record


async def _record(db: Database) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session)


async def _technician(db: Database, **fields: Any) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session, **fields)


async def test_watch_a_record_as_a_user_or_an_address(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db, first_name="Jane")
    async with db.unit_of_work() as session:
        by_user = await service.add_watch(
            session, SYSTEM, record_id=record.id, user_id=technician.id
        )
        by_mail = await service.add_watch(
            session, SYSTEM, record_id=record.id, external_email="  Boss@Example.COM "
        )
    assert by_mail.external_email == "boss@example.com" and by_mail.user_id is None
    async with db.unit_of_work() as session:
        entries = await service.list_watches(session, record_id=record.id)
    assert [e.watch.id for e in entries] == [by_user.id, by_mail.id]
    assert entries[0].user is not None and entries[0].user.first_name == "Jane"
    assert entries[1].user is None
    created = await events(db, "watch.created")
    assert [e.record_id for e in created] == [record.id, record.id]
    assert created[1].after == {
        "record_id": record.id,
        "config_item_id": None,
        "user_id": None,
        "external_email": "boss@example.com",
    }


async def test_watch_a_config_item(db: Database) -> None:
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        item = await make_config_item(session)
    async with db.unit_of_work() as session:
        watch = await service.add_watch(
            session, SYSTEM, config_item_id=item.id, user_id=technician.id
        )
    async with db.unit_of_work() as session:
        entries = await service.list_watches(session, config_item_id=item.id)
        by_item = await service.watches_for_config_items(session, [item.id, 999999])
    assert [e.watch.id for e in entries] == [watch.id]
    assert [e.watch.id for e in by_item[item.id]] == [watch.id] and by_item[999999] == []
    (event,) = await events(db, "watch.created")
    assert event.record_id is None and event.after is not None
    assert event.after["config_item_id"] == item.id
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_watch(session, SYSTEM, config_item_id=999999, user_id=technician.id)


async def test_exactly_one_parent_that_exists(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        item = await make_config_item(session)
    parents: list[dict[str, Any]] = [{}, {"record_id": record.id, "config_item_id": item.id}]
    for parent in parents:
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.add_watch(session, SYSTEM, user_id=technician.id, **parent)
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.list_watches(session, **parent)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_watch(session, SYSTEM, record_id=999999, user_id=technician.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.list_watches(session, record_id=999999)
    assert await count(db, Watch) == 0


async def test_exactly_one_watcher_that_is_valid(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        retired = await make_technician(session)
        retired.is_active = False
    attempts: list[tuple[dict[str, Any], str]] = [
        ({}, "user_id"),
        ({"user_id": technician.id, "external_email": "a@example.com"}, "external_email"),
        ({"user_id": 999999}, "user_id"),
        ({"user_id": retired.id}, "user_id"),
        ({"external_email": "not an address"}, "external_email"),
        ({"external_email": ""}, "external_email"),
    ]
    for watcher, field in attempts:
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.add_watch(session, SYSTEM, record_id=record.id, **watcher)
        assert info.value.field == field, watcher
    assert await count(db, Watch) == 0


async def test_watching_twice_is_a_conflict(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        item = await make_config_item(session)
        parents: list[dict[str, Any]] = [{"record_id": record.id}, {"config_item_id": item.id}]
        for parent in parents:
            await service.add_watch(session, SYSTEM, user_id=technician.id, **parent)
            await service.add_watch(session, SYSTEM, external_email="a@x.com", **parent)
    watchers: list[dict[str, Any]] = [{"user_id": technician.id}, {"external_email": "A@X.com"}]
    for parent in parents:
        for watcher in watchers:
            with pytest.raises(Conflict) as info:
                async with db.unit_of_work() as session:
                    await service.add_watch(session, SYSTEM, **parent, **watcher)
            assert "already watching" in info.value.message
    assert await count(db, Watch) == 4


async def test_a_lost_insert_race_is_a_conflict(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)

    async def nothing(_session: AsyncSession, **_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(repository, "find", nothing)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
    assert await count(db, Watch) == 1
    assert len(await events(db, "watch.created")) == 1


async def test_requesters_manage_only_their_own_watches(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        staff_watch = await service.add_watch(
            session, SYSTEM, record_id=record.id, user_id=technician.id
        )
    actor = actor_for(requester)
    for watcher in ({"user_id": technician.id}, {"external_email": "x@example.com"}):
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await service.add_watch(session, actor, record_id=record.id, **watcher)
    async with db.unit_of_work() as session:
        own = await service.add_watch(session, actor, record_id=record.id, user_id=requester.id)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.remove_watch(session, actor, staff_watch.id)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_watch(
                session, actor, own.id, WatchUpdate(external_email="y@example.com")
            )
    async with db.unit_of_work() as session:
        await service.remove_watch(session, actor, own.id, record_id=record.id)
    assert await count(db, Watch) == 1
    (removed,) = await events(db, "watch.deleted")
    assert removed.record_id == record.id and removed.actor_id == requester.id
    assert removed.before is not None and removed.before["user_id"] == requester.id


async def test_change_the_watcher(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    other = await _technician(db)
    async with db.unit_of_work() as session:
        watch = await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
        await service.add_watch(session, SYSTEM, record_id=record.id, user_id=other.id)
    async with db.unit_of_work() as session:
        changed = await service.update_watch(
            session, SYSTEM, watch.id, WatchUpdate(external_email="Ops@Example.com")
        )
        assert (changed.user_id, changed.external_email) == (None, "ops@example.com")
        # Nothing given, or the same watcher again: nothing written.
        await service.update_watch(session, SYSTEM, watch.id, WatchUpdate())
        await service.update_watch(
            session, SYSTEM, watch.id, WatchUpdate(external_email="ops@example.com")
        )
    (event,) = await events(db, "watch.updated")
    assert event.record_id == record.id
    assert event.before == {"user_id": technician.id, "external_email": None}
    assert event.after == {"user_id": None, "external_email": "ops@example.com"}
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_watch(session, SYSTEM, watch.id, WatchUpdate(user_id=other.id))
    for data in (WatchUpdate(user_id=None), WatchUpdate(user_id=other.id, external_email="a@b.c")):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_watch(session, SYSTEM, watch.id, data)
    async with db.unit_of_work() as session:
        stored = await service.get_watch(session, watch.id)
    assert stored.external_email == "ops@example.com"


async def test_a_watch_is_found_only_under_its_parent(db: Database) -> None:
    record = await _record(db)
    other = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        item = await make_config_item(session)
        watch = await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
    async with db.unit_of_work() as session:
        assert (await service.get_watch(session, watch.id, record_id=record.id)).id == watch.id
        with pytest.raises(NotFound):
            await service.get_watch(session, watch.id, record_id=other.id)
        with pytest.raises(NotFound):
            await service.get_watch(session, watch.id, config_item_id=item.id)
        with pytest.raises(NotFound):
            await service.get_watch(session, 999999)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.remove_watch(session, SYSTEM, watch.id, record_id=other.id)
    assert await count(db, Watch) == 1


async def test_watches_of_many_records_cost_one_query(db: Database) -> None:
    records = [await _record(db) for _ in range(5)]
    async with db.unit_of_work() as session:
        technicians = [await make_technician(session) for _ in range(5)]
        for n, record in enumerate(records):
            for technician in technicians[:n]:
                await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
            await service.add_watch(
                session, SYSTEM, record_id=record.id, external_email=f"w{n}@example.com"
            )
    ids = [r.id for r in records]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                watches = await service.watches_for(session, wanted)
                # The users came with the watches: reading them costs nothing more.
                names = [e.user.email for v in watches.values() for e in v if e.user is not None]
        assert len(statements) == 1
    assert [len(watches[r.id]) for r in records] == [1, 2, 3, 4, 5]
    assert len(names) == 10
    async with db.unit_of_work() as session:
        assert await service.watches_for(session, []) == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
            await service.add_watch(session, SYSTEM, record_id=record.id, user_id=technician.id)
    assert await count(db, Watch) == 0
    assert await events(db, "watch.created") == []
