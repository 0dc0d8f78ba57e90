from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.companies import service as companies
from polydesk.domains.companies.schemas import CompanyCreate
from polydesk.domains.customers import service
from polydesk.domains.customers.enums import PortalAccess
from polydesk.domains.customers.schemas import CustomerCreate, CustomerUpdate
from polydesk.models import Customer, User
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)


async def _company(db: Database, name: str = "Acme") -> int:
    async with db.unit_of_work() as session:
        return (await companies.create_company(session, SYSTEM, CompanyCreate(name=name))).id


async def test_create_customer_creates_the_requester(db: Database) -> None:
    company_id = await _company(db)
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    async with db.unit_of_work() as session:
        details = await service.create_customer(
            session,
            actor_for(technician),
            CustomerCreate(
                email="Wile@Acme.com",
                first_name="Wile",
                last_name="Coyote",
                phone="555",
                company_id=company_id,
                portal_access=PortalAccess.COMPANY,
            ),
        )
    assert details.user.email == "Wile@Acme.com" and details.user.role == "requester"
    assert details.user.password_hash is None
    assert details.company is not None and details.company.id == company_id
    assert details.customer.portal_access == "company" and details.id == details.customer.id
    (user_event,) = await events(db, "user.created")
    assert user_event.object_id == details.user.id
    (event,) = await events(db, "customer.created")
    assert event.actor_id == technician.id
    assert event.after == {
        "user_id": details.user.id,
        "company_id": company_id,
        "portal_access": "company",
    }


async def test_an_existing_requester_is_adopted(db: Database) -> None:
    async with db.unit_of_work() as session:
        requester = await make_requester(session, email="road@runner.com", first_name="Road")
    async with db.unit_of_work() as session:
        details = await service.create_customer(
            session, SYSTEM, CustomerCreate(email="ROAD@runner.com", first_name="Ignored")
        )
    assert details.user.id == requester.id and details.user.first_name == "Road"
    assert details.company is None and details.customer.portal_access == "standard"
    assert await count(db, User) == 1
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_customer(session, SYSTEM, CustomerCreate(email="road@runner.com"))
    assert info.value.message == "A customer with this e-mail already exists."
    assert await count(db, Customer) == 1


async def test_a_staff_address_cannot_become_a_customer(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.create_customer(session, SYSTEM, CustomerCreate(email=technician.email))
    assert info.value.field == "email"
    assert await count(db, Customer) == 0


async def test_company_rules(db: Database) -> None:
    for data, field in (
        (CustomerCreate(email="a@example.com", company_id=999999), "company_id"),
        (
            CustomerCreate(email="a@example.com", portal_access=PortalAccess.COMPANY_ADMIN),
            "portal_access",
        ),
        (CustomerCreate(email="not an address"), "email"),
    ):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_customer(session, SYSTEM, data)
        assert info.value.field == field
    assert await count(db, Customer) == 0
    assert await count(db, User) == 0


async def test_requesters_cannot_create_or_change_customers(db: Database) -> None:
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        details = await service.create_customer(
            session, SYSTEM, CustomerCreate(email="c@example.com")
        )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_customer(
                session, actor_for(requester), CustomerCreate(email="new@example.com")
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_customer(
                session, actor_for(requester), details.id, CustomerUpdate(first_name="X")
            )
    assert await count(db, Customer) == 1


async def test_update_customer_splits_account_and_profile_changes(db: Database) -> None:
    acme = await _company(db, "Acme")
    globex = await _company(db, "Globex")
    async with db.unit_of_work() as session:
        details = await service.create_customer(
            session, SYSTEM, CustomerCreate(email="c@example.com", company_id=acme)
        )
    async with db.unit_of_work() as session:
        updated = await service.update_customer(
            session,
            SYSTEM,
            details.id,
            CustomerUpdate(
                first_name="Carla",
                email="Carla@Example.com",
                company_id=globex,
                portal_access=PortalAccess.COMPANY_ADMIN,
            ),
        )
    assert updated.user.first_name == "Carla" and updated.user.email == "Carla@Example.com"
    assert updated.company is not None and updated.company.name == "Globex"
    (user_event,) = await events(db, "user.updated")
    assert user_event.after == {"email": "Carla@Example.com", "first_name": "Carla"}
    (event,) = await events(db, "customer.updated")
    assert event.before == {"company_id": acme, "portal_access": "standard"}
    assert event.after == {"company_id": globex, "portal_access": "company_admin"}
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.update_customer(
                session, SYSTEM, details.id, CustomerUpdate(company_id=None)
            )
    async with db.unit_of_work() as session:
        detached = await service.update_customer(
            session,
            SYSTEM,
            details.id,
            CustomerUpdate(company_id=None, portal_access=PortalAccess.NO_ACCESS),
        )
        assert detached.company is None


async def test_failed_update_changes_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        await make_requester(session, email="taken@example.com")
        details = await service.create_customer(
            session, SYSTEM, CustomerCreate(email="c@example.com")
        )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_customer(
                session,
                SYSTEM,
                details.id,
                CustomerUpdate(portal_access=PortalAccess.NO_ACCESS, email="taken@example.com"),
            )
    async with db.unit_of_work() as session:
        again = await service.get_customer(session, details.id)
        assert again.customer.portal_access == "standard"
        assert again.user.email == "c@example.com"
    assert await events(db, "customer.updated") == []


async def test_get_and_list(db: Database) -> None:
    acme = await _company(db, "Acme")
    async with db.unit_of_work() as session:
        ids = []
        for n in range(4):
            details = await service.create_customer(
                session,
                SYSTEM,
                CustomerCreate(
                    email=f"c{n}@example.com",
                    first_name=f"Customer{n}",
                    last_name="Smith",
                    company_id=acme if n % 2 == 0 else None,
                ),
            )
            ids.append(details.id)
        other = await make_requester(session)
    async with db.unit_of_work() as session:
        one = await service.get_customer(session, ids[0])
        assert one.user.email == "c0@example.com" and one.company is not None
        with pytest.raises(NotFound):
            await service.get_customer(session, 999999)
        by_user = await service.get_customer_by_user(session, one.user.id)
        assert by_user is not None and by_user.id == ids[0]
        assert await service.get_customer_by_user(session, other.id) is None
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            page, total = await service.list_customers(session)
    assert total == 4 and [d.id for d in page] == ids
    assert [d.company.name if d.company else None for d in page] == ["Acme", None, "Acme", None]
    assert len(statements) == 3
    async with db.unit_of_work() as session:
        page, total = await service.list_customers(session, company_id=acme)
        assert total == 2 and [d.id for d in page] == [ids[0], ids[2]]
        page, total = await service.list_customers(session, query="customer3 SMI")
        assert total == 1 and page[0].id == ids[3]
        page, total = await service.list_customers(session, query="C1@EXAMPLE")
        assert total == 1 and page[0].id == ids[1]
        page, total = await service.list_customers(session, offset=3, limit=2)
        assert total == 4 and [d.id for d in page] == [ids[3]]
