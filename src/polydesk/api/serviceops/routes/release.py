"""G2 release API (inferred, spec §9): ``POST /api/v1/release``, ``GET``/``PATCH``/``DELETE
/api/v1/release/{id}`` and ``POST /api/v1/release/search/byqual``, on the change API's pattern.

Releases are named ``REL-…``; only ``subject`` is compulsory. Beside the common ticket fields a
release takes ``startDate``/``endDate`` (planned window, epoch milliseconds) and
``releaseType`` (free text).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request

from polydesk.api.serviceops import tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import (
    Deleted,
    ReleaseCreate,
    ReleaseUpdate,
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

router = new_router(tickets.TicketRoute, tags=["Release"])
KINDS = (RecordKind.RELEASE,)


@router.post(
    "/api/v1/release",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **CONFLICT},
    summary="Create a release",
    operation_id="createRelease",
)
async def create_release(
    body: ReleaseCreate, request: Request, session: DbSession, actor: RequireTechnician
) -> Ticket:
    record = await tickets.create_ticket(session, actor, RecordKind.RELEASE, body)
    return await tickets.render_one(session, request, record.id)


@router.get(
    "/api/v1/release/{release_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get a release",
    operation_id="getRelease",
)
async def get_release(
    release_id: RecordId, request: Request, session: DbSession, _actor: RequireTechnician
) -> Ticket:
    record = await tickets.get_ticket(session, release_id, KINDS)
    return (await tickets.render(session, request, [record]))[0]


@router.patch(
    "/api/v1/release/{release_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
    summary="Update a release",
    operation_id="updateRelease",
)
async def update_release(
    release_id: RecordId,
    body: ReleaseUpdate,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Ticket:
    record = await tickets.update_ticket(session, actor, release_id, KINDS, body)
    return await tickets.render_one(session, request, record.id)


@router.delete(
    "/api/v1/release/{release_id}",
    response_model=Deleted,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a release",
    operation_id="deleteRelease",
)
async def delete_release(
    release_id: RecordId, session: DbSession, actor: RequireTechnician
) -> Deleted:
    await tickets.delete_ticket(session, actor, release_id, KINDS)
    return Deleted(id=release_id)


@router.post(
    "/api/v1/release/search/byqual",
    response_model=SearchResult[Ticket],
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Search releases by qualification",
    operation_id="searchReleases",
)
async def search_releases(
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
    offset: Offset = None,
    size: Size = None,
    sort_by: SortBy = None,
    body: Annotated[SearchBody | None, Body()] = None,
) -> SearchResult[Ticket]:
    return await tickets.search(session, request, KINDS, body, offset, size, sort_by)
