"""The five routes a G2 ticket kind has on the change API's pattern: create, get, update
(PATCH), delete and search by qualification, under ``/api/v1/<path>``.

Changes, problems and releases are built here from their wire models; requests and service
requests have routes of their own (their create differs). This module does not use postponed
annotations: the routes' parameter types are the models given, evaluated when they are built.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request
from pydantic import BaseModel

from polydesk.api.serviceops import tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import Deleted, SearchBody, SearchResult, Ticket
from polydesk.api.serviceops.tickets import (
    CONFLICT,
    ERRORS,
    NOT_FOUND,
    Offset,
    Size,
    SortBy,
)
from polydesk.core.enums import RecordKind


def ticket_kind_router(
    kind: RecordKind,
    *,
    path: str,
    label: str,
    create_model: type[BaseModel],
    update_model: type[BaseModel],
) -> APIRouter:
    """``label`` is the kind's display name (``Change``): it makes the tag, the summaries and
    the operation ids (``createChange``, ``searchChanges``, …)."""
    router = new_router(tickets.TicketRoute, tags=[label])
    kinds = (kind,)
    noun = label.lower()
    base = f"/api/v1/{path}"
    item = base + "/{" + path + "_id}"
    TicketId = Annotated[
        int, Path(alias=f"{path}_id", ge=1, le=2**63 - 1, description="The record's numeric id")
    ]

    @router.post(
        base,
        response_model=Ticket,
        response_model_exclude_none=True,
        responses={**ERRORS, **CONFLICT},
        summary=f"Create a {noun}",
        operation_id=f"create{label}",
    )
    async def create(
        body: create_model,  # type: ignore[valid-type]
        request: Request,
        session: DbSession,
        actor: RequireTechnician,
    ) -> Ticket:
        record = await tickets.create_ticket(session, actor, kind, body)
        return await tickets.render_one(session, request, record.id)

    @router.get(
        item,
        response_model=Ticket,
        response_model_exclude_none=True,
        responses={**ERRORS, **NOT_FOUND},
        summary=f"Get a {noun}",
        operation_id=f"get{label}",
    )
    async def get(
        ticket_id: TicketId, request: Request, session: DbSession, _actor: RequireTechnician
    ) -> Ticket:
        record = await tickets.get_ticket(session, ticket_id, kinds)
        return (await tickets.render(session, request, [record]))[0]

    @router.patch(
        item,
        response_model=Ticket,
        response_model_exclude_none=True,
        responses={**ERRORS, **NOT_FOUND, **CONFLICT},
        summary=f"Update a {noun}",
        operation_id=f"update{label}",
    )
    async def update(
        ticket_id: TicketId,
        body: update_model,  # type: ignore[valid-type]
        request: Request,
        session: DbSession,
        actor: RequireTechnician,
    ) -> Ticket:
        record = await tickets.update_ticket(session, actor, ticket_id, kinds, body)
        return await tickets.render_one(session, request, record.id)

    @router.delete(
        item,
        response_model=Deleted,
        responses={**ERRORS, **NOT_FOUND},
        summary=f"Delete a {noun}",
        operation_id=f"delete{label}",
    )
    async def delete(ticket_id: TicketId, session: DbSession, actor: RequireTechnician) -> Deleted:
        await tickets.delete_ticket(session, actor, ticket_id, kinds)
        return Deleted(id=ticket_id)

    @router.post(
        base + "/search/byqual",
        response_model=SearchResult[Ticket],
        response_model_exclude_none=True,
        responses=ERRORS,
        summary=f"Search {noun}s by qualification",
        operation_id=f"search{label}s",
    )
    async def search(
        request: Request,
        session: DbSession,
        _actor: RequireTechnician,
        offset: Offset = None,
        size: Size = None,
        sort_by: SortBy = None,
        body: Annotated[SearchBody | None, Body()] = None,
    ) -> SearchResult[Ticket]:
        return await tickets.search(session, request, kinds, body, offset, size, sort_by)

    return router
