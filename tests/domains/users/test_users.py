from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.departments import service as departments
from polydesk.domains.departments.schemas import DepartmentCreate
from polydesk.domains.locations import service as locations
from polydesk.domains.locations.schemas import LocationCreate
from polydesk.domains.users import service
from polydesk.domains.users.schemas import UserCreate, UserRead, UserUpdate
from polydesk.models import TechnicianGroup, TechnicianGroupMember, User
from tests.domains.users.factories import (
    PASSWORD,
    SYSTEM,
    WEB_ADMIN,
    actor_for,
    count,
    events,
    events_text,
    make_admin,
    make_requester,
    make_technician,
    sql_statements,
)

# Creating ----------------------------------------------------------------------------------


async def test_create_user_keeps_the_email_as_given_and_hashes_the_password(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        user = await service.create_user(
            session,
            SYSTEM,
            UserCreate(
                email="  Tim@ACME.com ",
                username="Tim.Smith",
                role=Role.TECHNICIAN,
                password=PASSWORD,
                first_name="Tim",
                last_name="Smith",
                phone="+44 20 7946 0000",
                time_zone="Europe/London",
            ),
        )
    assert (user.email, user.email_key) == ("Tim@ACME.com", "tim@acme.com")
    assert user.username == "Tim.Smith"
    assert user.role == "technician" and user.is_active
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert security.verify_password(user.password_hash, PASSWORD)
    assert user.password_changed_at is not None
    assert service.full_name(user) == "Tim Smith"
    read = UserRead.model_validate(user)
    assert "password" not in read.model_dump() and "password_hash" not in read.model_dump()

    (event,) = await events(db, "user.created")
    assert event.object_type == "user" and event.object_id == user.id
    assert event.channel == "system" and event.actor_id is None
    assert event.after == {
        "email": "Tim@ACME.com",
        "username": "Tim.Smith",
        "first_name": "Tim",
        "last_name": "Smith",
        "role": "technician",
        "is_active": True,
        "phone": "+44 20 7946 0000",
        "time_zone": "Europe/London",
        "department_id": None,
        "location_id": None,
        "has_password": True,
    }


async def test_a_requester_may_have_no_password(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await service.create_user(session, SYSTEM, UserCreate(email="dana@example.com"))
    assert user.role == "requester"
    assert user.password_hash is None and user.password_changed_at is None
    (event,) = await events(db, "user.created")
    assert event.after is not None and event.after["has_password"] is False


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "no-at-sign",
        "two@@example.com",
        "a b@example.com",
        "x@",
        "@example.com",
        "x@-bad.com",
        "x@bad..com",
        "Tim <tim@acme.com>",
        "a" * 65 + "@example.com",
    ],
)
async def test_invalid_email_is_refused(db: Database, email: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.create_user(session, SYSTEM, UserCreate(email=email))
    assert info.value.field == "email"
    assert await count(db, User) == 0


@pytest.mark.parametrize("email", ["admin@localhost", "ünï@exämple.com", "a.b+tag@sub.example.org"])
async def test_valid_email_forms_are_accepted(db: Database, email: str) -> None:
    async with db.unit_of_work() as session:
        user = await service.create_user(session, SYSTEM, UserCreate(email=email))
    assert (user.email, user.email_key) == (email, email.lower())


async def test_duplicate_email_is_a_conflict_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_user(session, SYSTEM, UserCreate(email="dana@example.com"))
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_user(session, SYSTEM, UserCreate(email="DANA@Example.com"))
    assert info.value.message == "A user with this e-mail already exists."
    assert info.value.field == "email"
    assert await count(db, User) == 1
    assert len(await events(db, "user.created")) == 1


@pytest.mark.parametrize("username", ["", "has space", "semi;colon", "x" * 151, "slash/"])
async def test_invalid_username_is_refused(db: Database, username: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.create_user(
                session, SYSTEM, UserCreate(email="a@example.com", username=username)
            )
    assert info.value.field == "username"


@pytest.mark.parametrize("username", ["a", "dscully", "first.last+tag@host-1_x", "x" * 150, "Zoë"])
async def test_valid_usernames_are_accepted(db: Database, username: str) -> None:
    async with db.unit_of_work() as session:
        user = await service.create_user(
            session, SYSTEM, UserCreate(email="a@example.com", username=username)
        )
    assert user.username == username


async def test_duplicate_username_is_a_conflict_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_user(
            session, SYSTEM, UserCreate(email="a@example.com", username="DScully")
        )
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_user(
                session, SYSTEM, UserCreate(email="b@example.com", username="dscully")
            )
    assert info.value.field == "username"
    assert await count(db, User) == 1


async def test_time_zone_must_be_an_iana_name(db: Database) -> None:
    for bad in ("Central Time (US & Canada)", "utc", "../etc/passwd", ""):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_user(
                    session, SYSTEM, UserCreate(email="a@example.com", time_zone=bad)
                )
        assert info.value.field == "time_zone"
    assert await count(db, User) == 0


async def test_department_and_location_must_exist(db: Database) -> None:
    async with db.unit_of_work() as session:
        department = await departments.create_department(
            session, SYSTEM, DepartmentCreate(name="IT")
        )
        location = await locations.create_location(session, SYSTEM, LocationCreate(name="Leeds"))
    for field, fields in (
        ("department_id", {"department_id": 999999}),
        ("location_id", {"location_id": 999999}),
    ):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_user(
                    session, SYSTEM, UserCreate(email="a@example.com", **fields)
                )
        assert info.value.field == field
    async with db.unit_of_work() as session:
        user = await service.create_user(
            session,
            SYSTEM,
            UserCreate(email="a@example.com", department_id=department.id, location_id=location.id),
        )
    assert (user.department_id, user.location_id) == (department.id, location.id)


async def test_names_and_phone_are_trimmed_and_bounded(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await service.create_user(
            session,
            SYSTEM,
            UserCreate(email="a@example.com", first_name="  Dana  ", last_name=" ", phone="  "),
        )
    assert (user.first_name, user.last_name, user.phone) == ("Dana", "", None)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.create_user(
                session, SYSTEM, UserCreate(email="b@example.com", first_name="x" * 151)
            )
    assert info.value.field == "first_name"


# Who may create whom -----------------------------------------------------------------------


async def test_only_admins_create_staff(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        technician = await make_technician(session)
    for role in (Role.ADMIN, Role.TECHNICIAN):
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await service.create_user(
                    session,
                    actor_for(technician),
                    UserCreate(email="new@example.com", role=role, password=PASSWORD),
                )
    assert await count(db, User) == 2
    async with db.unit_of_work() as session:
        created = await service.create_user(
            session,
            actor_for(admin),
            UserCreate(email="new@example.com", role=Role.ADMIN, password=PASSWORD),
        )
    assert created.role == "admin"
    (event,) = await events(db, "user.created")
    assert event.actor_id == admin.id and event.channel == "web"


async def test_technicians_create_requesters_and_requesters_create_nobody(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        requester = await make_requester(session)
    async with db.unit_of_work() as session:
        created = await service.create_user(
            session, actor_for(technician), UserCreate(email="req@example.com")
        )
    assert created.role == "requester"
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_user(
                session, actor_for(requester), UserCreate(email="other@example.com")
            )
    assert await count(db, User) == 3


# Password rules ----------------------------------------------------------------------------


async def test_short_password_is_refused_outside_the_system_and_cli(db: Database) -> None:
    for actor in (WEB_ADMIN, Actor(user_id=None, role=Role.ADMIN, channel=Channel.HELPDESK)):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_user(
                    session, actor, UserCreate(email="a@example.com", password="1234567")
                )
        assert info.value.field == "password"
        assert "at least 8 characters" in info.value.message
        assert "1234567" not in info.value.message
    async with db.unit_of_work() as session:
        eight = await service.create_user(
            session, WEB_ADMIN, UserCreate(email="a@example.com", password="12345678")
        )
    assert eight.password_hash is not None


async def test_system_and_cli_may_set_short_passwords(db: Database) -> None:
    async with db.unit_of_work() as session:
        tim = await service.create_user(
            session,
            Actor.system(Channel.CLI),
            UserCreate(email="tim@acme.com", role=Role.TECHNICIAN, password="123"),
        )
        sam = await service.create_user(
            session, SYSTEM, UserCreate(email="sam@acme.com", password="1")
        )
    assert tim.password_hash is not None and security.verify_password(tim.password_hash, "123")
    assert sam.password_hash is not None


async def test_empty_and_huge_passwords_are_refused_for_everyone(db: Database) -> None:
    for password in ("", "x" * (service.MAX_PASSWORD_LENGTH + 1)):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_user(
                    session, SYSTEM, UserCreate(email="a@example.com", password=password)
                )
        assert info.value.field == "password"
    assert await count(db, User) == 0


# Updating ----------------------------------------------------------------------------------


async def test_update_writes_only_changed_columns_and_records_the_difference(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session, first_name="Dana", last_name="Scully")
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            updated = await service.update_user(
                session,
                SYSTEM,
                user.id,
                UserUpdate(first_name="Dana", last_name="Mulder", phone="555"),
            )
    assert (updated.last_name, updated.phone) == ("Mulder", "555")
    (update,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE USER_ACCOUNT")]
    assert "last_name" in update and "phone" in update
    assert "first_name" not in update and "email" not in update and "password_hash" not in update
    (event,) = await events(db, "user.updated")
    assert event.before == {"last_name": "Scully", "phone": None}
    assert event.after == {"last_name": "Mulder", "phone": "555"}


async def test_an_update_that_changes_nothing_writes_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session, first_name="Dana")
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            await service.update_user(session, SYSTEM, user.id, UserUpdate(first_name="Dana"))
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert await events(db, "user.updated") == []


async def test_update_checks_email_and_username_uniqueness(db: Database) -> None:
    async with db.unit_of_work() as session:
        await make_requester(session, email="taken@example.com", username="Taken")
        user = await make_requester(session)
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.update_user(
                session, SYSTEM, user.id, UserUpdate(email="TAKEN@example.com")
            )
    assert info.value.field == "email"
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.update_user(session, SYSTEM, user.id, UserUpdate(username="taken"))
    assert info.value.field == "username"
    async with db.unit_of_work() as session:
        same = await service.update_user(
            session, SYSTEM, user.id, UserUpdate(email="New@Example.com", username="mine")
        )
        assert (same.email, same.email_key, same.username) == (
            "New@Example.com",
            "new@example.com",
            "mine",
        )
        cleared = await service.update_user(session, SYSTEM, user.id, UserUpdate(username=None))
        assert cleared.username is None
        recased = await service.update_user(
            session, SYSTEM, user.id, UserUpdate(email="new@EXAMPLE.com")
        )
        assert (recased.email, recased.email_key) == ("new@EXAMPLE.com", "new@example.com")


async def test_changing_the_password_stamps_password_changed_at(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session)
        before = (await service.get_user(session, user.id)).password_changed_at
    async with db.unit_of_work() as session:
        updated = await service.update_user(
            session, actor_for(user), user.id, UserUpdate(password="a new long password")
        )
    assert updated.password_changed_at is not None and updated.password_changed_at != before
    assert updated.password_hash is not None
    assert security.verify_password(updated.password_hash, "a new long password")
    (event,) = await events(db, "user.password_changed")
    assert event.object_id == user.id and event.before is None and event.after is None
    assert await events(db, "user.updated") == []


async def test_set_password(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        user = await make_requester(session)
    async with db.unit_of_work() as session:
        await service.set_password(session, actor_for(admin), user.id, "another password")
    async with db.unit_of_work() as session:
        assert await service.authenticate(session, user.email, "another password") is not None
        assert await service.authenticate(session, user.email, PASSWORD) is None
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.set_password(session, actor_for(admin), user.id, "short")
    assert len(await events(db, "user.password_changed")) == 1


async def test_no_event_carries_a_password_or_its_hash(db: Database) -> None:
    secrets = ["first password", "second password", "third password"]
    async with db.unit_of_work() as session:
        user = await service.create_user(
            session, SYSTEM, UserCreate(email="a@example.com", password=secrets[0])
        )
    async with db.unit_of_work() as session:
        await service.update_user(
            session, SYSTEM, user.id, UserUpdate(password=secrets[1], first_name="A")
        )
        await service.set_password(session, SYSTEM, user.id, secrets[2])
        stored = (await service.get_user(session, user.id)).password_hash
    assert stored is not None
    text = await events_text(db)
    assert "user.password_changed" in text and "user.updated" in text
    for secret in [*secrets, stored, "$argon2"]:
        assert secret not in text
    assert "password_hash" not in text


async def test_who_may_change_whom(db: Database) -> None:
    async with db.unit_of_work() as session:
        await make_admin(session)
        technician = await make_technician(session)
        other_technician = await make_technician(session)
        requester = await make_requester(session)
        other_requester = await make_requester(session)

    async def attempt(actor_user: User, target: User, data: UserUpdate) -> None:
        async with db.unit_of_work() as session:
            await service.update_user(session, actor_for(actor_user), target.id, data)

    # Everyone may change their own profile; staff may change requesters.
    await attempt(requester, requester, UserUpdate(first_name="Me"))
    await attempt(technician, technician, UserUpdate(first_name="Me"))
    await attempt(technician, requester, UserUpdate(last_name="Changed"))
    await attempt(technician, requester, UserUpdate(is_active=False))
    refused = [
        (requester, other_requester, UserUpdate(first_name="X")),
        (requester, technician, UserUpdate(first_name="X")),
        (technician, other_technician, UserUpdate(first_name="X")),
        (requester, requester, UserUpdate(role=Role.ADMIN)),
        (technician, technician, UserUpdate(role=Role.ADMIN)),
        (technician, requester, UserUpdate(role=Role.TECHNICIAN)),
        (technician, technician, UserUpdate(is_active=False)),
        (technician, requester, UserUpdate(password="a long enough password")),
    ]
    for actor_user, target, data in refused:
        with pytest.raises(Forbidden):
            await attempt(actor_user, target, data)
    async with db.unit_of_work() as session:
        assert (await service.get_user(session, other_requester.id)).first_name == "Test"
        assert (await service.get_user(session, technician.id)).role == "technician"


async def test_admins_change_roles(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        requester = await make_requester(session)
    async with db.unit_of_work() as session:
        promoted = await service.update_user(
            session, actor_for(admin), requester.id, UserUpdate(role=Role.TECHNICIAN)
        )
    assert promoted.role == "technician"
    (event,) = await events(db, "user.updated")
    assert event.before == {"role": "requester"} and event.after == {"role": "technician"}


async def test_the_last_active_admin_stays(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
    for data in (UserUpdate(role=Role.TECHNICIAN), UserUpdate(is_active=False)):
        with pytest.raises(Conflict):
            async with db.unit_of_work() as session:
                await service.update_user(session, actor_for(admin), admin.id, data)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.deactivate_user(session, actor_for(admin), admin.id)
    async with db.unit_of_work() as session:
        assert await service.count_admins(session) == 1
        second = await make_admin(session)
    async with db.unit_of_work() as session:
        await service.update_user(session, actor_for(second), admin.id, UserUpdate(is_active=False))
        assert await service.count_admins(session) == 1
        assert await service.count_admins(session, active_only=False) == 2


async def test_a_group_member_cannot_become_a_requester(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        group = TechnicianGroup(name="Desk", name_key="desk")
        session.add(group)
        await session.flush()
        session.add(TechnicianGroupMember(group_id=group.id, user_id=technician.id))
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.update_user(
                session, SYSTEM, technician.id, UserUpdate(role=Role.REQUESTER)
            )
    assert info.value.field == "role"


async def test_deactivate_user(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        requester = await make_requester(session)
        other = await make_technician(session)
    async with db.unit_of_work() as session:
        user = await service.deactivate_user(session, actor_for(technician), requester.id)
        assert not user.is_active
        await service.deactivate_user(session, actor_for(technician), requester.id)
    (event,) = await events(db, "user.deactivated")
    assert event.before == {"is_active": True} and event.after == {"is_active": False}
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.deactivate_user(session, actor_for(technician), other.id)


async def test_failed_update_leaves_everything_as_it_was(db: Database) -> None:
    async with db.unit_of_work() as session:
        await make_requester(session, email="taken@example.com")
        user = await make_requester(session, first_name="Before")
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_user(session, SYSTEM, user.id, UserUpdate(first_name="During"))
            await service.update_user(
                session, SYSTEM, user.id, UserUpdate(email="taken@example.com")
            )
    async with db.unit_of_work() as session:
        assert (await service.get_user(session, user.id)).first_name == "Before"
    assert await events(db, "user.updated") == []


async def test_failed_create_after_a_good_one_rolls_both_back(db: Database) -> None:
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.create_user(session, SYSTEM, UserCreate(email="one@example.com"))
            await service.create_user(session, SYSTEM, UserCreate(email="not an address"))
    assert await count(db, User) == 0
    assert await events(db, "user.created") == []


# Reading -----------------------------------------------------------------------------------


async def test_lookups(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session, email="dana@example.com", username="DScully")
    async with db.unit_of_work() as session:
        assert (await service.get_user(session, user.id)).id == user.id
        with pytest.raises(NotFound):
            await service.get_user(session, 999999)
        for login in (
            "dana@example.com",
            "DANA@example.COM",
            " dana@example.com ",
            "dscully",
            "DSCULLY",
            "DScully",
        ):
            found = await service.get_user_by_login(session, login)
            assert found is not None and found.id == user.id, login
        assert await service.get_user_by_login(session, "") is None
        assert await service.get_user_by_login(session, "nobody") is None
        by_email = await service.get_user_by_email(session, "Dana@Example.com")
        assert by_email is not None and by_email.id == user.id


async def test_list_users_filters_pages_and_counts(db: Database) -> None:
    async with db.unit_of_work() as session:
        await make_admin(
            session, email="boss@example.com", first_name="Walter", last_name="Skinner"
        )
        for n in range(3):
            await make_technician(session, email=f"tech{n}@example.com")
        await make_requester(session, email="dana@example.com", username="dscully")
    async with db.unit_of_work() as session:
        users, total = await service.list_users(session, limit=2)
        assert total == 5 and len(users) == 2
        users, total = await service.list_users(session, offset=4, limit=2)
        assert total == 5 and len(users) == 1
        staff, total = await service.list_users(session, roles=[Role.TECHNICIAN, Role.ADMIN])
        assert total == 4 and {u.role for u in staff} == {"admin", "technician"}
        found, total = await service.list_users(session, query="SKINNER")
        assert total == 1 and found[0].email == "boss@example.com"
        found, total = await service.list_users(session, query="Walter Ski")
        assert total == 1
        found, total = await service.list_users(session, query="SCULL")
        assert total == 1 and found[0].username == "dscully"
        found, total = await service.list_users(session, query="100%_")
        assert total == 0
        for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
            with pytest.raises(Invalid):
                await service.list_users(session, **bad)  # type: ignore[arg-type]


async def test_users_by_ids_is_one_query(db: Database) -> None:
    async with db.unit_of_work() as session:
        users = [await make_requester(session) for _ in range(5)]
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            found = await service.users_by_ids(session, [u.id for u in users] + [999999])
    assert sorted(found) == sorted(u.id for u in users)
    assert len(statements) == 1


async def test_ensure_requester_finds_or_creates(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session, username="paulsn")
    async with db.unit_of_work() as session:
        actor = actor_for(technician, Channel.SERVICEOPS)
        same = await service.ensure_requester(session, actor, "PAULSN")
        assert same.id == technician.id
        created = await service.ensure_requester(
            session, actor, "Snehashis.Paul@Motadata.com", name="Snehashis  Kumar Paul"
        )
        again = await service.ensure_requester(session, actor, "snehashis.paul@motadata.com")
    assert again.id == created.id
    assert created.role == "requester" and created.password_hash is None
    assert (created.first_name, created.last_name) == ("Snehashis", "Kumar Paul")
    (event,) = await events(db, "user.created")
    assert event.channel == "serviceops" and event.actor_id == technician.id
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.ensure_requester(session, actor, "not-an-address")


# Races -------------------------------------------------------------------------------------


def _hide_first_lookups(monkeypatch: pytest.MonkeyPatch, misses: int) -> None:
    """Make the first ``misses`` e-mail look-ups find nothing, as when another request inserts
    the same address between this request's check and its insert."""
    from polydesk.domains.users import repository

    real = repository.get_by_email_key
    calls = {"n": 0}

    async def lookup(session: AsyncSession, key: str) -> User | None:
        calls["n"] += 1
        if calls["n"] <= misses:
            return None
        return await real(session, key)

    monkeypatch.setattr(repository, "get_by_email_key", lookup)


async def test_a_lost_insert_race_is_a_conflict(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.unit_of_work() as session:
        await make_requester(session, email="dana@example.com")
    _hide_first_lookups(monkeypatch, misses=1)
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            # Held by the unique email_key: the addresses differ only in case.
            await service.create_user(session, SYSTEM, UserCreate(email="Dana@Example.com"))
    assert info.value.message == "A user with this e-mail already exists."
    assert await count(db, User) == 1
    assert await events(db, "user.created") == []


async def test_ensure_requester_recovers_from_a_lost_race(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.unit_of_work() as session:
        existing = await make_requester(session, email="dana@example.com")
    _hide_first_lookups(monkeypatch, misses=2)
    async with db.unit_of_work() as session:
        found = await service.ensure_requester(session, SYSTEM, "dana@example.com")
        # The session is still usable after the failed insert.
        assert (await service.get_user(session, existing.id)).id == existing.id
    assert found.id == existing.id
    assert await count(db, User) == 1
