"""G2 request API: ``POST /api/v1/request``, ``GET``/``PATCH``/``DELETE
/api/v1/request/{id}`` and ``POST /api/v1/request/search/byqual``.

``POST`` creates an incident (``INC-…``). The other calls reach incidents and service requests
(``SR-…``) alike, as ServiceOps keeps both in its request module; a change, problem or release
id is a 404 here. The record is the core's: the same id reads through every dialect.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request

from polydesk.api.serviceops import tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import (
    Deleted,
    RequestCreate,
    RequestUpdate,
    SearchBody,
    SearchResult,
    Ticket,
)
from polydesk.api.serviceops.tickets import (
    CONFLICT,
    ERRORS,
    NOT_FOUND,
    Offset,
    RecordId,
    Size,
    SortBy,
)
from polydesk.core.enums import RecordKind

router = new_router(tickets.TicketRoute, tags=["Request"])
KINDS = tickets.REQUEST_KINDS


@router.post(
    "/api/v1/request",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **CONFLICT},
    summary="Create a request (incident)",
    operation_id="createRequest",
)
async def create_request(
    body: RequestCreate, request: Request, session: DbSession, actor: RequireTechnician
) -> Ticket:
    """Answers 200 with the full request, as ServiceOps does. An unknown ``requesterEmail``
    (an e-mail address) creates a requester; every other name must exist."""
    record = await tickets.create_ticket(session, actor, RecordKind.INCIDENT, body)
    return await tickets.render_one(session, request, record.id)


@router.get(
    "/api/v1/request/{request_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get a request",
    operation_id="getRequest",
)
async def get_request(
    request_id: RecordId, request: Request, session: DbSession, _actor: RequireTechnician
) -> Ticket:
    record = await tickets.get_ticket(session, request_id, KINDS)
    return (await tickets.render(session, request, [record]))[0]


@router.patch(
    "/api/v1/request/{request_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
    summary="Update a request or service request",
    operation_id="updateRequest",
)
async def update_request(
    request_id: RecordId,
    body: RequestUpdate,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Ticket:
    """Only the keys sent change; ``null`` clears a value where it may be cleared."""
    record = await tickets.update_ticket(session, actor, request_id, KINDS, body)
    return await tickets.render_one(session, request, record.id)


@router.delete(
    "/api/v1/request/{request_id}",
    response_model=Deleted,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a request or service request",
    operation_id="deleteRequest",
)
async def delete_request(
    request_id: RecordId, session: DbSession, actor: RequireTechnician
) -> Deleted:
    await tickets.delete_ticket(session, actor, request_id, KINDS)
    return Deleted(id=request_id)


@router.post(
    "/api/v1/request/search/byqual",
    response_model=SearchResult[Ticket],
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Search requests and service requests by qualification",
    operation_id="searchRequests",
)
async def search_requests(
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
    offset: Offset = None,
    size: Size = None,
    sort_by: SortBy = None,
    body: Annotated[SearchBody | None, Body()] = None,
) -> SearchResult[Ticket]:
    return await tickets.search(session, request, KINDS, body, offset, size, sort_by)
