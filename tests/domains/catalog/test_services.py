from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.catalog import service
from polydesk.domains.catalog.schemas import (
    ActivityTypeCreate,
    ActivityTypeUpdate,
    ServiceCreate,
    ServiceUpdate,
)
from polydesk.models import Service, ServiceActivityType, ServicePriority
from tests.domains.users.factories import (
    SYSTEM,
    Attempt,
    actor_for,
    count,
    events,
    make_admin,
    make_technician,
    sql_statements,
)


async def test_create_service_with_its_five_priorities(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_service(
            session,
            SYSTEM,
            ServiceCreate(
                name="  Help   Desk ",
                description="Front line",
                email_address="Help@Example.com",
                time_zone="Europe/Paris",
            ),
        )
        priorities = await service.list_priorities(session, created.id)
    assert created.name == "Help Desk" and created.name_key == "help desk"
    assert created.slug == "help-desk"
    assert created.email_address == "help@example.com"
    assert created.time_zone == "Europe/Paris" and created.is_active
    assert [(p.level, p.description) for p in priorities] == [
        (1, "Urgent"),
        (2, "V. Important"),
        (3, "Important"),
        (4, "Inconvenient"),
        (5, "Cosmetic"),
    ]
    (event,) = await events(db, "service.created")
    assert event.object_id == created.id
    assert event.after == {
        "name": "Help Desk",
        "slug": "help-desk",
        "description": "Front line",
        "email_address": "help@example.com",
        "time_zone": "Europe/Paris",
        "is_active": True,
    }
    priority_events = await events(db, "service_priority.created")
    assert [e.after["level"] for e in priority_events if e.after] == [1, 2, 3, 4, 5]


async def test_service_names_are_unique_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_service(session, SYSTEM, ServiceCreate(name="Help Desk"))
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_service(session, SYSTEM, ServiceCreate(name="HELP  desk"))
    assert info.value.field == "name"
    assert await count(db, Service) == 1
    assert await count(db, ServicePriority) == 5
    assert len(await events(db, "service.created")) == 1


async def test_slugs_are_derived_and_made_unique(db: Database) -> None:
    async with db.unit_of_work() as session:
        first = await service.create_service(session, SYSTEM, ServiceCreate(name="Café Support!"))
        second = await service.create_service(
            session, SYSTEM, ServiceCreate(name="Other", slug="cafe-support-2")
        )
        third = await service.create_service(session, SYSTEM, ServiceCreate(name="cafe support?"))
        fallback = await service.create_service(session, SYSTEM, ServiceCreate(name="¿¿¿"))
    assert first.slug == "cafe-support"
    assert second.slug == "cafe-support-2"
    assert third.slug == "cafe-support-3"
    assert fallback.slug == "service"


async def test_given_slugs_are_checked(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_service(session, SYSTEM, ServiceCreate(name="One", slug="desk"))
    with pytest.raises(Conflict) as conflict:
        async with db.unit_of_work() as session:
            await service.create_service(session, SYSTEM, ServiceCreate(name="Two", slug="desk"))
    assert conflict.value.field == "slug"
    for bad in ("Has Caps", "trailing-", "", "under_score", "x" * 101):
        with pytest.raises(Invalid) as invalid:
            async with db.unit_of_work() as session:
                await service.create_service(session, SYSTEM, ServiceCreate(name="Two", slug=bad))
        assert invalid.value.field == "slug"
    assert await count(db, Service) == 1


async def test_service_fields_are_validated(db: Database) -> None:
    cases = [
        ("name", ServiceCreate(name="   ")),
        ("name", ServiceCreate(name="x" * 201)),
        ("time_zone", ServiceCreate(name="A", time_zone="Mars/Olympus")),
        ("email_address", ServiceCreate(name="A", email_address="not an address")),
    ]
    for field, data in cases:
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_service(session, SYSTEM, data)
        assert info.value.field == field
    assert await count(db, Service) == 0


async def test_only_admins_write_the_catalogue(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        existing = await service.create_service(session, SYSTEM, ServiceCreate(name="Desk"))
    actor = actor_for(technician)
    attempts: list[Attempt] = [
        lambda s: service.create_service(s, actor, ServiceCreate(name="Mine")),
        lambda s: service.update_service(s, actor, existing.id, ServiceUpdate(name="Mine")),
        lambda s: service.create_activity_type(s, actor, existing.id, ActivityTypeCreate(name="X")),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)
    async with db.unit_of_work() as session:
        priority = await service.get_priority(session, existing.id, 1)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.rename_priority(session, actor, priority.id, "Critical")


async def test_update_service_writes_only_what_changed(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        created = await service.create_service(session, SYSTEM, ServiceCreate(name="Desk"))
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            updated = await service.update_service(
                session,
                actor_for(admin),
                created.id,
                ServiceUpdate(name="Desk", description="Now described", is_active=False),
            )
    assert updated.description == "Now described" and not updated.is_active
    (update,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE SERVICE")]
    assert "description" in update and "is_active" in update and "name" not in update
    (event,) = await events(db, "service.updated")
    assert event.actor_id == admin.id
    assert event.before == {"description": None, "is_active": True}
    assert event.after == {"description": "Now described", "is_active": False}


async def test_update_service_keeps_names_and_slugs_unique(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_service(session, SYSTEM, ServiceCreate(name="Taken", slug="taken"))
        created = await service.create_service(session, SYSTEM, ServiceCreate(name="Mine"))
    for data, field in (
        (ServiceUpdate(name="TAKEN"), "name"),
        (ServiceUpdate(slug="taken"), "slug"),
    ):
        with pytest.raises(Conflict) as info:
            async with db.unit_of_work() as session:
                await service.update_service(session, SYSTEM, created.id, data)
        assert info.value.field == field
    async with db.unit_of_work() as session:
        renamed = await service.update_service(
            session, SYSTEM, created.id, ServiceUpdate(name="MINE", slug="mine-2")
        )
    assert (renamed.name, renamed.name_key, renamed.slug) == ("MINE", "mine", "mine-2")


async def test_service_lookups(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_service(session, SYSTEM, ServiceCreate(name="Help Desk"))
        await service.create_service(
            session, SYSTEM, ServiceCreate(name="Retired", is_active=False)
        )
    async with db.unit_of_work() as session:
        assert (await service.get_service(session, created.id)).name == "Help Desk"
        with pytest.raises(NotFound):
            await service.get_service(session, 999999)
        by_name = await service.get_service_by_name(session, " help  DESK ")
        assert by_name is not None and by_name.id == created.id
        by_slug = await service.get_service_by_slug(session, "help-desk")
        assert by_slug is not None and by_slug.id == created.id
        assert await service.get_service_by_name(session, "nope") is None
        rows, total = await service.list_services(session)
        assert total == 2 and [s.name for s in rows] == ["Help Desk", "Retired"]
        rows, total = await service.list_services(session, is_active=True)
        assert total == 1 and rows[0].id == created.id
        found = await service.services_by_ids(session, [created.id, 999999])
        assert list(found) == [created.id]


async def test_priorities_are_renamed_and_looked_up_by_level(db: Database) -> None:
    async with db.unit_of_work() as session:
        one = await service.create_service(session, SYSTEM, ServiceCreate(name="One"))
        two = await service.create_service(session, SYSTEM, ServiceCreate(name="Two"))
    async with db.unit_of_work() as session:
        urgent = await service.get_priority(session, one.id, 1)
        renamed = await service.rename_priority(session, SYSTEM, urgent.id, " Critical ")
        assert renamed.description == "Critical"
        with pytest.raises(NotFound):
            await service.get_priority(session, one.id, 6)
        with pytest.raises(Invalid):
            await service.rename_priority(session, SYSTEM, urgent.id, "  ")
    (event,) = await events(db, "service_priority.updated")
    assert event.before == {"description": "Urgent"} and event.after == {"description": "Critical"}
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            grouped = await service.priorities_by_service(session, [one.id, two.id])
    # Every service's priorities and the services themselves, both then kept (core.reference):
    # the rename above was committed, so the cache shows it.
    assert len(statements) == 2
    assert [p.description for p in grouped[one.id]][:2] == ["Critical", "V. Important"]
    assert grouped[two.id][0].description == "Urgent"


async def test_activity_types_are_unique_per_service(db: Database) -> None:
    async with db.unit_of_work() as session:
        one = await service.create_service(session, SYSTEM, ServiceCreate(name="One"))
        two = await service.create_service(session, SYSTEM, ServiceCreate(name="Two"))
        request = await service.create_activity_type(
            session, SYSTEM, one.id, ActivityTypeCreate(name="Service Request")
        )
        await service.create_activity_type(
            session, SYSTEM, two.id, ActivityTypeCreate(name="Service Request")
        )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_activity_type(
                session, SYSTEM, one.id, ActivityTypeCreate(name="service REQUEST")
            )
    assert await count(db, ServiceActivityType) == 2
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.create_activity_type(
                session, SYSTEM, 999999, ActivityTypeCreate(name="X")
            )
    async with db.unit_of_work() as session:
        found = await service.get_activity_type_by_name(session, one.id, "SERVICE request")
        assert found is not None and found.id == request.id
        incident = await service.create_activity_type(
            session, SYSTEM, one.id, ActivityTypeCreate(name="Incident")
        )
        assert [t.name for t in await service.list_activity_types(session, one.id)] == [
            "Incident",
            "Service Request",
        ]
        with pytest.raises(Conflict):
            await service.update_activity_type(
                session, SYSTEM, incident.id, ActivityTypeUpdate(name="Service request")
            )
    async with db.unit_of_work() as session:
        await service.update_activity_type(
            session, SYSTEM, incident.id, ActivityTypeUpdate(name="Fault")
        )
        await service.delete_activity_type(session, SYSTEM, request.id)
        assert [t.name for t in await service.list_activity_types(session, one.id)] == ["Fault"]
    (renamed,) = await events(db, "activity_type.updated")
    assert renamed.before == {"name": "Incident"} and renamed.after == {"name": "Fault"}
    (deleted,) = await events(db, "activity_type.deleted")
    assert deleted.object_id == request.id


async def test_a_failed_call_rolls_back_the_service_and_its_priorities(db: Database) -> None:
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.create_service(session, SYSTEM, ServiceCreate(name="Kept?"))
            await service.create_service(session, SYSTEM, ServiceCreate(name="Bad", time_zone="X"))
    assert await count(db, Service) == 0
    assert await count(db, ServicePriority) == 0
    assert await events(db, "service.created") == []
    assert await events(db, "service_priority.created") == []


async def test_activity_types_of_many_services_in_bounded_queries_then_from_the_cache(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        one = await service.create_service(session, SYSTEM, ServiceCreate(name="One"))
        two = await service.create_service(session, SYSTEM, ServiceCreate(name="Two"))
        for name in ("Service Request", "Incident"):
            await service.create_activity_type(
                session, SYSTEM, one.id, ActivityTypeCreate(name=name)
            )
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            grouped = await service.activity_types_by_service(session, [one.id, two.id])
    assert len(statements) == 2
    assert [t.name for t in grouped[one.id]] == ["Incident", "Service Request"]
    assert two.id not in grouped
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            again = await service.activity_types_by_service(session, [one.id, two.id])
    assert not statements
    assert [t.name for t in again[one.id]] == ["Incident", "Service Request"]
