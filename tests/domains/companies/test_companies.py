from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.companies import service
from polydesk.domains.companies.schemas import CompanyCreate, CompanyUpdate
from polydesk.models import Company
from tests.domains.users.factories import (
    SYSTEM,
    Attempt,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)


async def test_staff_create_companies(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    async with db.unit_of_work() as session:
        company = await service.create_company(
            session,
            actor_for(technician),
            CompanyCreate(
                name=" Acme  Corp ",
                phone="+1 555 0100",
                address="1 Road Runner Way",
                website="https://acme.example.com",
            ),
        )
    assert (company.name, company.name_key) == ("Acme Corp", "acme corp")
    (event,) = await events(db, "company.created")
    assert event.actor_id == technician.id and event.object_id == company.id
    assert event.after == {
        "name": "Acme Corp",
        "phone": "+1 555 0100",
        "address": "1 Road Runner Way",
        "website": "https://acme.example.com",
    }


async def test_names_are_unique_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await service.create_company(session, SYSTEM, CompanyCreate(name="Acme"))
        other = await service.create_company(session, SYSTEM, CompanyCreate(name="Globex"))
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_company(session, SYSTEM, CompanyCreate(name="ACME"))
    assert info.value.field == "name"
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_company(session, SYSTEM, other.id, CompanyUpdate(name="acme"))
    assert await count(db, Company) == 2
    assert len(await events(db, "company.created")) == 2


async def test_fields_are_validated(db: Database) -> None:
    for field, data in (
        ("name", CompanyCreate(name="  ")),
        ("phone", CompanyCreate(name="A", phone="1" * 65)),
        ("website", CompanyCreate(name="A", website="w" * 501)),
    ):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_company(session, SYSTEM, data)
        assert info.value.field == field
    assert await count(db, Company) == 0


async def test_update_writes_only_changes(db: Database) -> None:
    async with db.unit_of_work() as session:
        company = await service.create_company(
            session, SYSTEM, CompanyCreate(name="Acme", phone="1")
        )
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            updated = await service.update_company(
                session, SYSTEM, company.id, CompanyUpdate(name="Acme", phone="2", address=" ")
            )
    assert (updated.phone, updated.address) == ("2", None)
    (update,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE COMPANY")]
    assert "phone" in update and "name" not in update and "address" not in update
    (event,) = await events(db, "company.updated")
    assert event.before == {"phone": "1"} and event.after == {"phone": "2"}
    async with db.unit_of_work() as session:
        await service.update_company(session, SYSTEM, company.id, CompanyUpdate(phone="2"))
    assert len(await events(db, "company.updated")) == 1


async def test_get_list_and_lookup(db: Database) -> None:
    async with db.unit_of_work() as session:
        acme = await service.create_company(session, SYSTEM, CompanyCreate(name="Acme"))
        await service.create_company(session, SYSTEM, CompanyCreate(name="Globex"))
        await service.create_company(session, SYSTEM, CompanyCreate(name="100% Ltd"))
    async with db.unit_of_work() as session:
        assert (await service.get_company(session, acme.id)).name == "Acme"
        with pytest.raises(NotFound):
            await service.get_company(session, 999999)
        found = await service.get_or_none_by_name(session, " acme ")
        assert found is not None and found.id == acme.id
        rows, total = await service.list_companies(session)
        assert total == 3 and [c.name for c in rows] == ["100% Ltd", "Acme", "Globex"]
        rows, total = await service.list_companies(session, query="GLO")
        assert total == 1 and rows[0].name == "Globex"
        rows, total = await service.list_companies(session, query="%")
        assert total == 1 and rows[0].name == "100% Ltd"
        rows, total = await service.list_companies(session, limit=1, offset=1)
        assert total == 3 and [c.name for c in rows] == ["Acme"]


async def test_delete_is_for_admins(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        requester = await make_requester(session)
        company = await service.create_company(session, SYSTEM, CompanyCreate(name="Acme"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_company(session, actor_for(technician), company.id)
    attempts: list[Attempt] = [
        lambda s: service.create_company(s, actor_for(requester), CompanyCreate(name="X")),
        lambda s: service.update_company(
            s, actor_for(requester), company.id, CompanyUpdate(name="X")
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await attempt(session)
    async with db.unit_of_work() as session:
        await service.delete_company(session, SYSTEM, company.id)
    assert await count(db, Company) == 0
    (event,) = await events(db, "company.deleted")
    assert event.before is not None and event.before["name"] == "Acme"
