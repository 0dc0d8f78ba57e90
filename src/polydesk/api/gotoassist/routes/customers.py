"""Customers: Show Customers, Show Customer, Create Customer, Update Customer. A customer is a
requester account with a customer profile (company, portal access)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import Links, company_ref, full_name, links_for, stamp
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.routes.users import PAGE_QUERY
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas import CustomerIn, CustomerOut
from polydesk.core.db import Session
from polydesk.core.errors import NotFound
from polydesk.domains.customers import service as customers
from polydesk.domains.customers.enums import PortalAccess
from polydesk.domains.customers.schemas import CustomerCreate, CustomerDetails, CustomerUpdate
from polydesk.domains.users.service import split_full_name

router = ga_router()


def customer_object(links: Links, details: CustomerDetails) -> dict[str, Any]:
    user = details.user
    return {
        "id": details.customer.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": full_name(user),
        "email": user.email,
        "phone": user.phone,
        "time_zone": user.time_zone,
        "portal_access": details.customer.portal_access,
        "company": company_ref(links, details.company),
        "avatar": None,
        "created_at": stamp(details.customer.created_at),
        "customer_link": links.customer(details.customer.id),
    }


async def _load(session: Session, raw_id: str) -> CustomerDetails:
    try:
        return await customers.get_customer(session, params.path_id(raw_id, "customer"))
    except NotFound:
        raise not_found("customer") from None


def _portal_access(value: str) -> PortalAccess:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return PortalAccess(key)
    except ValueError:
        raise invalid("portal_access is invalid") from None


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("email", "first_name", "last_name", "phone", "time_zone"):
        value = params.text(fields, key)
        if value is not params.UNSET:
            values[key] = value
    name = params.text(fields, "full_name")
    if isinstance(name, str) and name.strip() and not ({"first_name", "last_name"} & set(values)):
        values["first_name"], values["last_name"] = split_full_name(name)
    company_id = params.ref_id(fields, "company_id")
    if company_id is not params.UNSET:
        values["company_id"] = company_id
    access = params.text(fields, "portal_access")
    if isinstance(access, str) and access.strip():
        values["portal_access"] = _portal_access(access)
    for key in ("first_name", "last_name"):
        if values.get(key, "") is None:
            values[key] = ""
    return values


@router.get(
    "/v1/customers",
    openapi_extra=op(
        "Show Customers",
        result="customers",
        schema=CustomerOut,
        paged=True,
        query=(
            *PAGE_QUERY,
            QueryParam("query", "string", "Part of the e-mail address or the name."),
            QueryParam("email", "string", "Alias of query."),
            QueryParam("company_id", "integer", "Customers of one company."),
        ),
    ),
)
async def list_customers(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    limit, page = params.page_params(request)
    query = request.query_params.get("query") or request.query_params.get("email") or None
    company_id = params.ref_id(dict(request.query_params), "company_id")
    items, total = await customers.list_customers(
        session,
        company_id=company_id if isinstance(company_id, int) else None,
        query=query,
        offset=params.page_offset(limit, page),
        limit=limit,
    )
    links = links_for(request)
    return success(
        request,
        {
            "total_entries": total,
            "total_pages": -(-total // limit),
            "customers": [customer_object(links, c) for c in items],
        },
    )


@router.get(
    "/v1/customers/{customer_id}",
    openapi_extra=op("Show Customer", result="customer", schema=CustomerOut),
)
async def show_customer(
    customer_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    details = await _load(session, customer_id)
    return success(request, {"customer": customer_object(links_for(request), details)})


@router.post(
    "/v1/customers",
    openapi_extra=op(
        "Create Customer",
        result="customer",
        schema=CustomerOut,
        body="customer",
        body_schema=CustomerIn,
    ),
)
async def create_customer(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    values = _values(await params.read_fields(request, "customer"))
    if not (values.get("email") or "").strip():
        raise invalid("email can't be blank")
    values = {k: v for k, v in values.items() if v is not None or k == "company_id"}
    details = await customers.create_customer(session, actor, CustomerCreate(**values))
    return success(request, {"customer": customer_object(links_for(request), details)})


@router.put(
    "/v1/customers/{customer_id}",
    openapi_extra=op(
        "Update Customer",
        result="customer",
        schema=CustomerOut,
        body="customer",
        body_schema=CustomerIn,
    ),
)
async def update_customer(
    customer_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    details = await _load(session, customer_id)
    values = _values(await params.read_fields(request, "customer"))
    if "email" in values and not (values["email"] or "").strip():
        raise invalid("email can't be blank")
    if values:
        details = await customers.update_customer(
            session, actor, details.customer.id, CustomerUpdate(**values)
        )
    return success(request, {"customer": customer_object(links_for(request), details)})
