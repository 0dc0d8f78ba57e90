from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.technician_groups import service
from polydesk.domains.technician_groups.schemas import (
    TechnicianGroupCreate,
    TechnicianGroupUpdate,
)
from polydesk.models import TechnicianGroup, TechnicianGroupMember
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


async def test_create_rename_and_find(db: Database) -> None:
    async with db.unit_of_work() as session:
        group = await service.create_group(
            session, SYSTEM, TechnicianGroupCreate(name=" Network  Team ", description="Cables")
        )
    assert group.name == "Network Team"
    async with db.unit_of_work() as session:
        found = await service.get_or_none_by_name(session, "NETWORK team")
        assert found is not None and found.id == group.id
        assert await service.get_or_none_by_name(session, "Other") is None
        await service.update_group(
            session, SYSTEM, group.id, TechnicianGroupUpdate(description=None)
        )
        with pytest.raises(NotFound):
            await service.get_group(session, 999999)
    (created,) = await events(db, "technician_group.created")
    assert created.after == {"name": "Network Team", "description": "Cables"}
    (updated,) = await events(db, "technician_group.updated")
    assert updated.before == {"description": "Cables"} and updated.after == {"description": None}


async def test_names_are_unique_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Desk"))
        other = await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Field"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="DESK"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_group(
                session, SYSTEM, other.id, TechnicianGroupUpdate(name="desk")
            )
    assert await count(db, TechnicianGroup) == 2


async def test_members_must_be_staff(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        technician = await make_technician(session)
        requester = await make_requester(session)
        group = await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Desk"))
    async with db.unit_of_work() as session:
        await service.add_member(session, SYSTEM, group.id, technician.id)
        await service.add_member(session, SYSTEM, group.id, admin.id)
    for user_id in (requester.id, 999999):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.add_member(session, SYSTEM, group.id, user_id)
        assert info.value.field == "user_id"
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.add_member(session, SYSTEM, group.id, technician.id)
    assert await count(db, TechnicianGroupMember) == 2
    async with db.unit_of_work() as session:
        members = await service.list_members(session, group.id)
        assert {u.id for u in members} == {admin.id, technician.id}
        assert [g.id for g in await service.groups_of_user(session, technician.id)] == [group.id]
    added = await events(db, "technician_group.member_added")
    assert [e.after for e in added] == [{"user_id": technician.id}, {"user_id": admin.id}]


async def test_remove_member(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        group = await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Desk"))
        await service.add_member(session, SYSTEM, group.id, technician.id)
    async with db.unit_of_work() as session:
        await service.remove_member(session, SYSTEM, group.id, technician.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.remove_member(session, SYSTEM, group.id, technician.id)
    assert await count(db, TechnicianGroupMember) == 0
    (event,) = await events(db, "technician_group.member_removed")
    assert event.object_id == group.id and event.before == {"user_id": technician.id}


async def test_members_of_many_groups_in_one_query(db: Database) -> None:
    async with db.unit_of_work() as session:
        groups = [
            await service.create_group(session, SYSTEM, TechnicianGroupCreate(name=f"G{n}"))
            for n in range(3)
        ]
        technicians = [await make_technician(session) for _ in range(3)]
        for n, group in enumerate(groups):
            for technician in technicians[: n + 1]:
                await service.add_member(session, SYSTEM, group.id, technician.id)
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            members = await service.members_by_group(session, [g.id for g in groups])
    assert len(statements) == 1
    assert [len(members[g.id]) for g in groups] == [1, 2, 3]
    async with db.unit_of_work() as session:
        rows, total = await service.list_groups(session)
        assert total == 3 and [g.name for g in rows] == ["G0", "G1", "G2"]
        assert sorted(await service.groups_by_ids(session, [groups[0].id])) == [groups[0].id]


async def test_delete_group_takes_its_memberships(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        group = await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Desk"))
        await service.add_member(session, SYSTEM, group.id, technician.id)
    async with db.unit_of_work() as session:
        await service.delete_group(session, SYSTEM, group.id)
    assert await count(db, TechnicianGroup) == 0
    assert await count(db, TechnicianGroupMember) == 0
    (event,) = await events(db, "technician_group.deleted")
    assert event.before == {"name": "Desk", "description": None}


async def test_only_admins_manage_groups(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        group = await service.create_group(session, SYSTEM, TechnicianGroupCreate(name="Desk"))
    actor = actor_for(technician)
    for attempt in (
        lambda s: service.create_group(s, actor, TechnicianGroupCreate(name="Mine")),
        lambda s: service.update_group(s, actor, group.id, TechnicianGroupUpdate(name="Mine")),
        lambda s: service.add_member(s, actor, group.id, technician.id),
        lambda s: service.remove_member(s, actor, group.id, technician.id),
        lambda s: service.delete_group(s, actor, group.id),
    ):
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)
    assert await count(db, TechnicianGroupMember) == 0
