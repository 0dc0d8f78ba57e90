from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.locations import service
from polydesk.domains.locations.schemas import LocationCreate, LocationUpdate
from polydesk.models import Location
from tests.domains.users.factories import SYSTEM, actor_for, count, events, make_technician


async def test_create_and_find_by_name_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        asia = await service.create_location(session, SYSTEM, LocationCreate(name="Asia"))
        city = await service.create_location(
            session, SYSTEM, LocationCreate(name="Ahmedabad", parent_id=asia.id)
        )
    async with db.unit_of_work() as session:
        found = await service.get_or_none_by_name(session, " AHMEDABAD ")
        assert found is not None and found.id == city.id and found.parent_id == asia.id
        assert await service.get_or_none_by_name(session, "Pune") is None
        with pytest.raises(NotFound):
            await service.get_location(session, 999999)
    created = await events(db, "location.created")
    assert [e.after for e in created] == [
        {"name": "Asia", "parent_id": None},
        {"name": "Ahmedabad", "parent_id": asia.id},
    ]


async def test_names_are_unique_and_parents_must_exist(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_location(session, SYSTEM, LocationCreate(name="Leeds"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_location(session, SYSTEM, LocationCreate(name="LEEDS"))
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.create_location(
                session, SYSTEM, LocationCreate(name="York", parent_id=999999)
            )
    assert info.value.field == "parent_id"
    assert await count(db, Location) == 1


async def test_no_cycles(db: Database) -> None:
    async with db.unit_of_work() as session:
        world = await service.create_location(session, SYSTEM, LocationCreate(name="World"))
        europe = await service.create_location(
            session, SYSTEM, LocationCreate(name="Europe", parent_id=world.id)
        )
        uk = await service.create_location(
            session, SYSTEM, LocationCreate(name="UK", parent_id=europe.id)
        )
    for parent in (world.id, uk.id, europe.id):
        target = world.id if parent != europe.id else europe.id
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.update_location(
                    session, SYSTEM, target, LocationUpdate(parent_id=parent)
                )
        assert info.value.field == "parent_id"
    async with db.unit_of_work() as session:
        moved = await service.update_location(
            session, SYSTEM, uk.id, LocationUpdate(parent_id=world.id)
        )
        assert moved.parent_id == world.id
        top = await service.update_location(
            session, SYSTEM, europe.id, LocationUpdate(parent_id=None)
        )
        assert top.parent_id is None
    updates = await events(db, "location.updated")
    assert [(e.before, e.after) for e in updates] == [
        ({"parent_id": europe.id}, {"parent_id": world.id}),
        ({"parent_id": world.id}, {"parent_id": None}),
    ]


async def test_list_rename_delete(db: Database) -> None:
    async with db.unit_of_work() as session:
        asia = await service.create_location(session, SYSTEM, LocationCreate(name="Asia"))
        city = await service.create_location(
            session, SYSTEM, LocationCreate(name="Pune", parent_id=asia.id)
        )
    async with db.unit_of_work() as session:
        _, total = await service.list_locations(session)
        assert total == 2
        rows, total = await service.list_locations(session, top_level=True)
        assert total == 1 and rows[0].id == asia.id
        rows, total = await service.list_locations(session, parent_id=asia.id)
        assert total == 1 and rows[0].id == city.id
        await service.update_location(session, SYSTEM, asia.id, LocationUpdate(name="APAC"))
        await service.delete_location(session, SYSTEM, asia.id)
    async with db.unit_of_work() as session:
        assert (await service.get_location(session, city.id)).parent_id is None
        assert list(await service.locations_by_ids(session, [city.id, asia.id])) == [city.id]
    (deleted,) = await events(db, "location.deleted")
    assert deleted.before == {"name": "APAC", "parent_id": None}


async def test_only_admins_write(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_location(session, actor_for(technician), LocationCreate(name="X"))
    assert await count(db, Location) == 0
