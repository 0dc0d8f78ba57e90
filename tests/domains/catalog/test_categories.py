from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.catalog import service
from polydesk.domains.catalog.schemas import CategoryCreate, CategoryUpdate, ServiceCreate
from polydesk.models import Category
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_technician,
    sql_statements,
)
from tests.factories import make_record


async def _services(db: Database) -> tuple[int, int]:
    async with db.unit_of_work() as session:
        one = await service.create_service(session, SYSTEM, ServiceCreate(name="One"))
        two = await service.create_service(session, SYSTEM, ServiceCreate(name="Two"))
    return one.id, two.id


async def test_names_are_unique_within_their_scope(db: Database) -> None:
    one, two = await _services(db)
    async with db.unit_of_work() as session:
        await service.create_category(session, SYSTEM, CategoryCreate(name="Hardware"))
        await service.create_category(
            session, SYSTEM, CategoryCreate(name="Hardware", service_id=one)
        )
        await service.create_category(
            session, SYSTEM, CategoryCreate(name="Hardware", service_id=two)
        )
    for service_id in (None, one):
        with pytest.raises(Conflict) as info:
            async with db.unit_of_work() as session:
                await service.create_category(
                    session, SYSTEM, CategoryCreate(name=" HARDWARE ", service_id=service_id)
                )
        assert info.value.field == "name"
    assert await count(db, Category) == 3
    assert len(await events(db, "category.created")) == 3


async def test_category_needs_an_existing_service_and_a_name(db: Database) -> None:
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.create_category(
                session, SYSTEM, CategoryCreate(name="X", service_id=999999)
            )
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.create_category(session, SYSTEM, CategoryCreate(name=" "))
    assert await count(db, Category) == 0


async def test_find_prefers_the_services_own_category(db: Database) -> None:
    one, two = await _services(db)
    async with db.unit_of_work() as session:
        shared = await service.create_category(session, SYSTEM, CategoryCreate(name="Network"))
        own = await service.create_category(
            session, SYSTEM, CategoryCreate(name="network", service_id=one)
        )
        only_two = await service.create_category(
            session, SYSTEM, CategoryCreate(name="Printers", service_id=two)
        )
    async with db.unit_of_work() as session:
        found = await service.find_category(session, "NETWORK", service_id=one)
        assert found is not None and found.id == own.id
        found = await service.find_category(session, "network", service_id=two)
        assert found is not None and found.id == shared.id
        found = await service.find_category(session, "network")
        assert found is not None and found.id == shared.id
        assert await service.find_category(session, "printers", service_id=one) is None
        assert await service.find_category(session, "printers") is None
        found = await service.find_category(session, "Printers", service_id=two)
        assert found is not None and found.id == only_two.id


async def test_list_categories(db: Database) -> None:
    one, _ = await _services(db)
    async with db.unit_of_work() as session:
        await service.create_category(session, SYSTEM, CategoryCreate(name="Global"))
        await service.create_category(session, SYSTEM, CategoryCreate(name="Own", service_id=one))
    async with db.unit_of_work() as session:
        assert [c.name for c in await service.list_categories(session)] == ["Global"]
        both = await service.list_categories(session, service_id=one)
        assert [c.name for c in both] == ["Global", "Own"]
        own = await service.list_categories(session, service_id=one, include_global=False)
        assert [c.name for c in own] == ["Own"]


async def test_rename_and_delete(db: Database) -> None:
    async with db.unit_of_work() as session:
        first = await service.create_category(session, SYSTEM, CategoryCreate(name="First"))
        second = await service.create_category(session, SYSTEM, CategoryCreate(name="Second"))
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_category(session, SYSTEM, second.id, CategoryUpdate(name="FIRST"))
    async with db.unit_of_work() as session:
        await service.update_category(session, SYSTEM, second.id, CategoryUpdate(name="Third"))
        await make_record(session, category_id=first.id)
    (renamed,) = await events(db, "category.updated")
    assert renamed.before == {"name": "Second"} and renamed.after == {"name": "Third"}
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.delete_category(session, SYSTEM, first.id)
    async with db.unit_of_work() as session:
        await service.delete_category(session, SYSTEM, second.id)
    assert await count(db, Category) == 1
    (deleted,) = await events(db, "category.deleted")
    assert deleted.before == {"service_id": None, "name": "Third"}


async def test_only_admins_write_categories(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_category(session, actor_for(technician), CategoryCreate(name="X"))
    assert await count(db, Category) == 0


async def test_categories_of_many_services_in_bounded_queries_then_from_the_cache(
    db: Database,
) -> None:
    one, two = await _services(db)
    async with db.unit_of_work() as session:
        await service.create_category(session, SYSTEM, CategoryCreate(name="Global"))
        for name in ("B", "A"):
            await service.create_category(
                session, SYSTEM, CategoryCreate(name=name, service_id=one)
            )
        await service.create_category(session, SYSTEM, CategoryCreate(name="C", service_id=two))
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            grouped = await service.categories_by_service(session, [one, two])
    # Every service's categories and the services themselves, both then kept (core.reference).
    assert len(statements) == 2
    assert {k: [c.name for c in v] for k, v in grouped.items()} == {one: ["A", "B"], two: ["C"]}
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            again = await service.categories_by_service(session, [one, two])
    assert not statements
    assert {k: [c.name for c in v] for k, v in again.items()} == {one: ["A", "B"], two: ["C"]}
