"""G2 problem API (inferred, spec §9): ``POST /api/v1/problem``, ``GET``/``PATCH``/``DELETE
/api/v1/problem/{id}`` and ``POST /api/v1/problem/search/byqual``, on the change API's pattern.

Problems are named ``PRB-…``; only ``subject`` is compulsory. Beside the common ticket fields a
problem takes ``rootCause``, ``workaround`` and ``knownError``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request

from polydesk.api.serviceops import tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import (
    Deleted,
    ProblemCreate,
    ProblemUpdate,
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

router = new_router(tickets.TicketRoute, tags=["Problem"])
KINDS = (RecordKind.PROBLEM,)


@router.post(
    "/api/v1/problem",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **CONFLICT},
    summary="Create a problem",
    operation_id="createProblem",
)
async def create_problem(
    body: ProblemCreate, request: Request, session: DbSession, actor: RequireTechnician
) -> Ticket:
    record = await tickets.create_ticket(session, actor, RecordKind.PROBLEM, body)
    return await tickets.render_one(session, request, record.id)


@router.get(
    "/api/v1/problem/{problem_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get a problem",
    operation_id="getProblem",
)
async def get_problem(
    problem_id: RecordId, request: Request, session: DbSession, _actor: RequireTechnician
) -> Ticket:
    record = await tickets.get_ticket(session, problem_id, KINDS)
    return (await tickets.render(session, request, [record]))[0]


@router.patch(
    "/api/v1/problem/{problem_id}",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
    summary="Update a problem",
    operation_id="updateProblem",
)
async def update_problem(
    problem_id: RecordId,
    body: ProblemUpdate,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Ticket:
    record = await tickets.update_ticket(session, actor, problem_id, KINDS, body)
    return await tickets.render_one(session, request, record.id)


@router.delete(
    "/api/v1/problem/{problem_id}",
    response_model=Deleted,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a problem",
    operation_id="deleteProblem",
)
async def delete_problem(
    problem_id: RecordId, session: DbSession, actor: RequireTechnician
) -> Deleted:
    await tickets.delete_ticket(session, actor, problem_id, KINDS)
    return Deleted(id=problem_id)


@router.post(
    "/api/v1/problem/search/byqual",
    response_model=SearchResult[Ticket],
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Search problems by qualification",
    operation_id="searchProblems",
)
async def search_problems(
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
    offset: Offset = None,
    size: Size = None,
    sort_by: SortBy = None,
    body: Annotated[SearchBody | None, Body()] = None,
) -> SearchResult[Ticket]:
    return await tickets.search(session, request, KINDS, body, offset, size, sort_by)
