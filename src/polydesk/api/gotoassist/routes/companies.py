"""Companies: Show Companies, Show Company, Create Company, Update Company."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import Links, links_for, stamp
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.routes.users import PAGE_QUERY
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas import CompanyIn, CompanyOut
from polydesk.core.db import Session
from polydesk.core.errors import NotFound
from polydesk.domains.companies import service as companies
from polydesk.domains.companies.schemas import CompanyCreate, CompanyUpdate
from polydesk.models import Company

router = ga_router()
FIELDS = ("name", "phone", "address", "website")


def company_object(links: Links, company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "phone": company.phone,
        "address": company.address,
        "website": company.website,
        "created_at": stamp(company.created_at),
        "company_link": links.company(company.id),
    }


async def _load(session: Session, raw_id: str) -> Company:
    try:
        return await companies.get_company(session, params.path_id(raw_id, "company"))
    except NotFound:
        raise not_found("company") from None


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in FIELDS:
        value = params.text(fields, key)
        if value is not params.UNSET:
            values[key] = value
    return values


@router.get(
    "/v1/companies",
    openapi_extra=op(
        "Show Companies",
        result="companies",
        schema=CompanyOut,
        paged=True,
        query=(*PAGE_QUERY, QueryParam("query", "string", "Part of the name.")),
    ),
)
async def list_companies(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    limit, page = params.page_params(request)
    query = request.query_params.get("query") or request.query_params.get("name") or None
    items, total = await companies.list_companies(
        session, query=query, offset=params.page_offset(limit, page), limit=limit
    )
    links = links_for(request)
    return success(
        request,
        {
            "total_entries": total,
            "total_pages": -(-total // limit),
            "companies": [company_object(links, c) for c in items],
        },
    )


@router.get(
    "/v1/companies/{company_id}",
    openapi_extra=op("Show Company", result="company", schema=CompanyOut),
)
async def show_company(
    company_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    company = await _load(session, company_id)
    return success(request, {"company": company_object(links_for(request), company)})


@router.post(
    "/v1/companies",
    openapi_extra=op(
        "Create Company", result="company", schema=CompanyOut, body="company", body_schema=CompanyIn
    ),
)
async def create_company(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    values = _values(await params.read_fields(request, "company"))
    if not (values.get("name") or "").strip():
        raise invalid("name can't be blank")
    company = await companies.create_company(session, actor, CompanyCreate(**values))
    return success(request, {"company": company_object(links_for(request), company)})


@router.put(
    "/v1/companies/{company_id}",
    openapi_extra=op(
        "Update Company", result="company", schema=CompanyOut, body="company", body_schema=CompanyIn
    ),
)
async def update_company(
    company_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    company = await _load(session, company_id)
    values = _values(await params.read_fields(request, "company"))
    if "name" in values and not (values["name"] or "").strip():
        raise invalid("name can't be blank")
    if values:
        company = await companies.update_company(
            session, actor, company.id, CompanyUpdate(**values)
        )
    return success(request, {"company": company_object(links_for(request), company)})
