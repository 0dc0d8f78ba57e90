from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.departments import service
from polydesk.domains.departments.schemas import DepartmentCreate, DepartmentUpdate
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate
from polydesk.models import Department
from tests.domains.users.factories import SYSTEM, actor_for, count, events, make_technician


async def test_create_and_find_by_name_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_department(
            session, SYSTEM, DepartmentCreate(name="  Human   Resources ")
        )
    assert created.name == "Human Resources"
    async with db.unit_of_work() as session:
        found = await service.get_or_none_by_name(session, "human RESOURCES")
        assert found is not None and found.id == created.id
        assert await service.get_or_none_by_name(session, "Finance") is None
        assert (await service.get_department(session, created.id)).id == created.id
        with pytest.raises(NotFound):
            await service.get_department(session, 999999)
    (event,) = await events(db, "department.created")
    assert event.object_id == created.id and event.after == {"name": "Human Resources"}


async def test_names_are_unique_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_department(session, SYSTEM, DepartmentCreate(name="IT"))
        other = await service.create_department(session, SYSTEM, DepartmentCreate(name="Finance"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_department(session, SYSTEM, DepartmentCreate(name="it"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_department(session, SYSTEM, other.id, DepartmentUpdate(name="iT"))
    assert await count(db, Department) == 2
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.create_department(session, SYSTEM, DepartmentCreate(name=""))


async def test_rename_list_and_delete(db: Database) -> None:
    async with db.unit_of_work() as session:
        it = await service.create_department(session, SYSTEM, DepartmentCreate(name="IT"))
        await service.create_department(session, SYSTEM, DepartmentCreate(name="Accounts"))
        user = await users.create_user(
            session, SYSTEM, UserCreate(email="a@example.com", department_id=it.id)
        )
    async with db.unit_of_work() as session:
        await service.update_department(session, SYSTEM, it.id, DepartmentUpdate(name="it"))
        await service.update_department(session, SYSTEM, it.id, DepartmentUpdate())
        rows, total = await service.list_departments(session)
        assert total == 2 and [d.name for d in rows] == ["Accounts", "it"]
        rows, total = await service.list_departments(session, offset=1, limit=1)
        assert total == 2 and [d.name for d in rows] == ["it"]
        assert list(await service.departments_by_ids(session, [it.id])) == [it.id]
    (renamed,) = await events(db, "department.updated")
    assert renamed.before == {"name": "IT"} and renamed.after == {"name": "it"}
    async with db.unit_of_work() as session:
        await service.delete_department(session, SYSTEM, it.id)
    async with db.unit_of_work() as session:
        assert (await users.get_user(session, user.id)).department_id is None
    (deleted,) = await events(db, "department.deleted")
    assert deleted.object_id == it.id and deleted.before == {"name": "it"}


async def test_only_admins_write(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        it = await service.create_department(session, SYSTEM, DepartmentCreate(name="IT"))
    actor = actor_for(technician)
    for attempt in (
        lambda s: service.create_department(s, actor, DepartmentCreate(name="X")),
        lambda s: service.update_department(s, actor, it.id, DepartmentUpdate(name="X")),
        lambda s: service.delete_department(s, actor, it.id),
    ):
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)
    assert await count(db, Department) == 1
