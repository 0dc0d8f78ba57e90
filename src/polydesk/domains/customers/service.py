"""Rules of customers.

A customer is a requester's profile at a company: creating one creates the requester account
(or adopts the existing requester with that e-mail address) and the profile together. Staff
create and change customers; an address that belongs to a staff account or to another customer
is a conflict. Portal access ``company`` and ``company_admin`` need a company.

Account fields (e-mail, names, phone, time zone) live on the user and change through the user
service, so they are audited as ``user.updated``; the profile's own fields as
``customer.updated``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page
from polydesk.domains.companies import service as companies
from polydesk.domains.customers import repository
from polydesk.domains.customers.enums import COMPANY_LEVELS, PortalAccess
from polydesk.domains.customers.schemas import CustomerCreate, CustomerDetails, CustomerUpdate
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate, UserUpdate
from polydesk.models import Company, Customer

_USER_FIELDS = ("email", "first_name", "last_name", "phone", "time_zone")


def _require_staff(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise Forbidden(f"Only staff may {what}.")


async def _company(session: AsyncSession, company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    try:
        return await companies.get_company(session, company_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="company_id", value=company_id) from exc


def _check_access(access: PortalAccess, company_id: int | None) -> None:
    if access in COMPANY_LEVELS and company_id is None:
        raise Invalid(
            f"Portal access {access.value!r} needs the customer to belong to a company.",
            field="portal_access",
            value=access.value,
        )


def _state(customer: Customer) -> dict[str, Any]:
    return {
        "user_id": customer.user_id,
        "company_id": customer.company_id,
        "portal_access": customer.portal_access,
    }


def _customer_taken(email: str) -> Conflict:
    return Conflict("A customer with this e-mail already exists.", field="email", value=email)


async def create_customer(
    session: AsyncSession, actor: Actor, data: CustomerCreate
) -> CustomerDetails:
    _require_staff(actor, "create customers")
    access = PortalAccess(data.portal_access)
    _check_access(access, data.company_id)
    company = await _company(session, data.company_id)
    email = users.check_email(data.email)
    user = await users.get_user_by_email(session, email)
    if user is not None:
        if user.role != Role.REQUESTER.value:
            raise Conflict(
                "This e-mail belongs to a staff account; customers are requesters.",
                field="email",
                value=email,
            )
        if await repository.get_by_user(session, user.id) is not None:
            raise _customer_taken(email)
    else:
        user = await users.create_user(
            session,
            actor,
            UserCreate(
                email=email,
                username=data.username,
                role=Role.REQUESTER,
                first_name=data.first_name,
                last_name=data.last_name,
                phone=data.phone,
                time_zone=data.time_zone,
            ),
        )
    customer = Customer(user_id=user.id, company_id=data.company_id, portal_access=access.value)
    if not await repository.add_unique(session, customer):
        raise _customer_taken(email)
    await audit.record(
        session,
        actor,
        "customer.created",
        object_type="customer",
        object_id=customer.id,
        after=_state(customer),
    )
    return CustomerDetails(customer=customer, user=user, company=company)


async def update_customer(
    session: AsyncSession, actor: Actor, customer_id: int, data: CustomerUpdate
) -> CustomerDetails:
    _require_staff(actor, "change customers")
    details = await get_customer(session, customer_id)
    customer, user = details.customer, details.user
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    company = details.company
    if "company_id" in given:
        company = await _company(session, given["company_id"])
        changes["company_id"] = given["company_id"]
    if "portal_access" in given:
        if given["portal_access"] is None:
            raise Invalid("The portal_access must not be blank.", field="portal_access", value=None)
        changes["portal_access"] = PortalAccess(given["portal_access"]).value
    _check_access(
        PortalAccess(changes.get("portal_access", customer.portal_access)),
        changes.get("company_id", customer.company_id),
    )
    user_changes = {k: v for k, v in given.items() if k in _USER_FIELDS}
    if user_changes:
        user = await users.update_user(session, actor, user.id, UserUpdate(**user_changes))
    changed = {k: v for k, v in changes.items() if getattr(customer, k) != v}
    if changed:
        before_state = _state(customer)
        await repository.update(session, customer, changed)
        before, after = audit.diff(before_state, _state(customer))
        await audit.record(
            session,
            actor,
            "customer.updated",
            object_type="customer",
            object_id=customer.id,
            before=before,
            after=after,
        )
    return CustomerDetails(customer=customer, user=user, company=company)


async def get_customer(session: AsyncSession, customer_id: int) -> CustomerDetails:
    found = await repository.get(session, customer_id)
    if found is None:
        raise NotFound(
            f"No customer with id {customer_id}.", field="customer_id", value=customer_id
        )
    customer, user = found
    company = await _company_or_none(session, customer.company_id)
    return CustomerDetails(customer=customer, user=user, company=company)


async def _company_or_none(session: AsyncSession, company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    return (await companies.companies_by_ids(session, [company_id])).get(company_id)


async def get_customer_by_user(session: AsyncSession, user_id: int) -> CustomerDetails | None:
    customer = await repository.get_by_user(session, user_id)
    if customer is None:
        return None
    return await get_customer(session, customer.id)


async def list_customers(
    session: AsyncSession,
    *,
    company_id: int | None = None,
    query: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[CustomerDetails], int]:
    """A page of customers by id with their accounts and companies (three queries whatever
    the page size), and the total matching. ``query`` matches part of the e-mail address or
    the full name, ignoring case."""
    check_page(offset, limit)
    rows, total = await repository.list_all(
        session,
        company_id=company_id,
        query=query.strip() if query and query.strip() else None,
        offset=offset,
        limit=limit,
    )
    by_id = await companies.companies_by_ids(
        session, [c.company_id for c, _ in rows if c.company_id is not None]
    )
    items = [
        CustomerDetails(
            customer=customer,
            user=user,
            company=by_id.get(customer.company_id) if customer.company_id is not None else None,
        )
        for customer, user in rows
    ]
    return items, total
