"""G2 change API: ``POST /api/v1/change``, ``GET``/``PATCH``/``DELETE /api/v1/change/{id}`` and
``POST /api/v1/change/search/byqual``.

Create is documented (``subject``, ``requesterEmail``, ``startDate`` and ``endDate`` compulsory);
get, update and delete follow the request API's pattern. ``startDate``/``endDate`` are the
planned window in epoch milliseconds; ``riskType``, ``changeType`` and ``targetEnvironment``
take the documented display names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request

from polydesk.api.serviceops import tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import (
    ChangeCreate,
    ChangeUpdate,
    Deleted,
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

router = new_router(tickets.TicketRoute, tags=["Change"])
KINDS = (RecordKind.CHANGE,)


@router.post(
    "/api/v1/change",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **CONFLICT},
    summary="Create a change",
    operation_id="createChange",
)
async def create_change(
    body: ChangeCreate, request: Request, session: DbSession, actor: RequireTechnician
) -> Ticket:
    record = await tickets.create_ticket(session, actor, RecordKind.CHANGE, body)
    return await tickets.render_one(session, request, record.id)


@router.get(
    "/api/v1/change/{change_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get a change",
    operation_id="getChange",
)
async def get_change(
    change_id: RecordId, request: Request, session: DbSession, _actor: RequireTechnician
) -> Ticket:
    record = await tickets.get_ticket(session, change_id, KINDS)
    return (await tickets.render(session, request, [record]))[0]


@router.patch(
    "/api/v1/change/{change_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
    summary="Update a change",
    operation_id="updateChange",
)
async def update_change(
    change_id: RecordId,
    body: ChangeUpdate,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Ticket:
    record = await tickets.update_ticket(session, actor, change_id, KINDS, body)
    return await tickets.render_one(session, request, record.id)


@router.delete(
    "/api/v1/change/{change_id}",
    response_model=Deleted,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a change",
    operation_id="deleteChange",
)
async def delete_change(
    change_id: RecordId, session: DbSession, actor: RequireTechnician
) -> Deleted:
    await tickets.delete_ticket(session, actor, change_id, KINDS)
    return Deleted(id=change_id)


@router.post(
    "/api/v1/change/search/byqual",
    response_model=SearchResult[Ticket],
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Search changes by qualification",
    operation_id="searchChanges",
)
async def search_changes(
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
    offset: Offset = None,
    size: Size = None,
    sort_by: SortBy = None,
    body: Annotated[SearchBody | None, Body()] = None,
) -> SearchResult[Ticket]:
    return await tickets.search(session, request, KINDS, body, offset, size, sort_by)
